"""ID photos: only real JPG, PNG or WebP images under 2 MB are kept, re-encoded as a small JPEG
without their metadata (a phone photo's EXIF can hold where it was taken)."""

import io
import os
import struct
import zlib

import pytest
from PIL import Image

from fieldapp.core.photos import PhotoError, prepare_photo

from admin_support import assert_form_error, form_answers, new_user_answers, snapshot
from support import post_form

CAMERA_MAKE, GPS_INFO, ORIENTATION = 0x010F, 0x8825, 0x0112
EMPTY = "The selected file is empty"
NOT_A_PHOTO = "The selected file is not a photo: choose a JPG, PNG or WebP"
WRONG_TYPE = "The photo must be a JPG, PNG or WebP"
TOO_BIG = "The photo must be smaller than 2 MB"
TOO_LARGE = "The photo is too large; choose one under 40 megapixels"


def image_bytes(fmt: str = "JPEG", size=(1200, 900), mode: str = "RGB", exif=None,
                **options) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "teal" if mode != "RGBA" else (0, 128, 128, 90)).save(
        out, format=fmt, **({"exif": exif} if exif is not None else {}), **options)
    return out.getvalue()


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[CAMERA_MAKE] = "Spycam"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_INFO)[2] = (51.0, 30.0, 0.0)  # GPSLatitude: where the photo was taken
    return exif


def png_claiming(width: int, height: int) -> bytes:
    """A PNG of a few hundred bytes whose header claims width x height pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 4096)) + chunk(b"IEND", b""))


def noisy_png(size=(1000, 1000)) -> bytes:
    """A real PNG of random pixels: about 3 MB, which cannot be compressed below 2 MB."""
    out = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(out, format="PNG")
    return out.getvalue()


def opened(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    return image


# prepare_photo itself

@pytest.mark.parametrize(("fmt", "size", "mode", "stored_size"), [
    ("JPEG", (1200, 900), "RGB", (600, 450)),
    ("PNG", (700, 700), "RGBA", (600, 600)),
    ("PNG", (300, 1200), "P", (150, 600)),
    ("WEBP", (800, 600), "RGB", (600, 450)),
    ("JPEG", (40, 50), "L", (40, 50)),
])
def test_a_photo_is_stored_as_a_jpeg_of_at_most_600_pixels(fmt, size, mode, stored_size):
    stored = opened(prepare_photo(image_bytes(fmt, size, mode)))
    assert stored.size == stored_size
    assert stored.mode == "RGB"


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_photos_metadata_is_not_kept(fmt):
    upload = image_bytes(fmt, exif=camera_exif(), icc_profile=b"\x00" * 128)
    assert b"Spycam" in upload
    stored_bytes = prepare_photo(upload)
    stored = opened(stored_bytes)
    assert not dict(stored.getexif())
    assert not {"exif", "icc_profile", "xmp"} & set(stored.info)
    assert b"Spycam" not in stored_bytes


def test_a_photo_taken_sideways_is_stored_upright():
    stored = opened(prepare_photo(image_bytes("JPEG", (1200, 800), exif=camera_exif(6))))
    assert stored.size == (400, 600)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_a_photo_with_unreadable_metadata_is_kept_without_it(fmt):
    broken_exif = b"MM\x00w\x00\x00\x00\x08" + b"\x00" * 20
    stored = opened(prepare_photo(image_bytes(fmt, (300, 200), exif=broken_exif)))
    assert stored.size == (300, 200)
    assert not dict(stored.getexif())


JPEG = image_bytes("JPEG", (400, 300))
REFUSED = [
    pytest.param(b"", EMPTY, id="empty"),
    pytest.param(b"Notes from the visit: all fine.\n", NOT_A_PHOTO, id="text"),
    pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                 NOT_A_PHOTO, id="svg"),
    pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", NOT_A_PHOTO, id="pdf"),
    pytest.param(JPEG[: len(JPEG) // 2], NOT_A_PHOTO, id="cut-short-jpeg"),
    pytest.param(image_bytes("GIF", (100, 100)), WRONG_TYPE, id="gif"),
    pytest.param(image_bytes("BMP", (100, 100)), WRONG_TYPE, id="bmp"),
    pytest.param(image_bytes("TIFF", (100, 100)), WRONG_TYPE, id="tiff"),
    pytest.param(b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024), TOO_BIG, id="just-over-2-mb"),
    pytest.param(png_claiming(7000, 6000), TOO_LARGE, id="42-megapixels"),
    pytest.param(png_claiming(10_000, 10_000), TOO_LARGE, id="100-megapixels"),
    pytest.param(png_claiming(50_000, 50_000), TOO_LARGE, id="decompression-bomb"),
]


@pytest.mark.parametrize(("upload", "message"), REFUSED)
def test_a_file_that_is_not_a_usable_photo_is_refused_plainly(upload, message):
    with pytest.raises(PhotoError) as refused:
        prepare_photo(upload)
    assert str(refused.value) == message


def test_a_cut_short_photo_is_refused_even_once_letters_are_loaded():
    """WeasyPrint (letters) turns on Pillow's acceptance of truncated images when imported;
    the worker and the app load both, so the photo check must not depend on import order."""
    import fieldapp.messages.letters  # noqa: F401

    with pytest.raises(PhotoError, match=NOT_A_PHOTO):
        prepare_photo(JPEG[: len(JPEG) // 2])


def test_a_real_photo_over_2_mb_is_refused():
    upload = noisy_png()
    assert len(upload) > 2 * 1024 * 1024
    with pytest.raises(PhotoError, match="^The photo must be smaller than 2 MB$"):
        prepare_photo(upload)


def test_a_blank_image_that_compresses_tiny_but_opens_huge_is_refused():
    upload = image_bytes("PNG", (8000, 6000), mode="1", optimize=True)
    assert len(upload) < 100_000
    with pytest.raises(PhotoError, match="too large"):
        prepare_photo(upload)


# Through the user form

@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


def stored_photo(db, user_id: int) -> bytes | None:
    row = db.execute("SELECT image FROM user_photos WHERE user_id = ?", (user_id,)).fetchone()
    return row["image"] if row else None


def post_with_photo(client, url: str, answers: dict, upload: bytes, filename: str):
    return post_form(client, url, {**answers, "photo": (io.BytesIO(upload), filename)},
                     content_type="multipart/form-data")


def test_a_new_users_photo_is_stored_small_and_without_metadata(admin, db, world):
    upload = image_bytes("JPEG", (1600, 1200), exif=camera_exif())
    response = post_with_photo(admin, "/admin/users/new", new_user_answers(world), upload,
                               "face.jpg")
    assert response.status_code == 303
    user_id = db.execute("SELECT id FROM users WHERE email = 'nadia@acme.test'").fetchone()[0]
    stored = stored_photo(db, user_id)
    assert opened(stored).size == (600, 450)
    assert b"Spycam" not in stored
    served = admin.get(f"/admin/users/{user_id}/photo")
    assert served.data == stored
    assert served.headers["Content-Type"] == "image/jpeg"


def test_a_new_photo_replaces_the_old_one(admin, db, world):
    user_id = world.users["operative"]
    before = stored_photo(db, user_id)
    response = post_with_photo(
        admin, f"/admin/users/{user_id}/edit",
        new_user_answers(world, email="operative@acme.test", password=""),
        image_bytes("PNG", (900, 900)), "new.png")
    assert response.status_code == 303
    after = stored_photo(db, user_id)
    assert after != before and opened(after).size == (600, 600)


@pytest.mark.parametrize(("upload", "filename", "message"), [
    pytest.param(b"Notes from the visit: all fine.\n", "face.jpg", NOT_A_PHOTO,
                 id="text-named-jpg"),
    pytest.param(b"Notes from the visit: all fine.\n", "notes.txt", NOT_A_PHOTO, id="text"),
    pytest.param(image_bytes("GIF", (100, 100)), "face.gif", WRONG_TYPE, id="gif"),
    pytest.param(b"", "face.jpg", EMPTY, id="empty"),
    pytest.param(png_claiming(50_000, 50_000), "face.png", TOO_LARGE, id="decompression-bomb"),
])
def test_the_form_refuses_a_file_that_is_not_a_usable_photo(admin, db, world, upload,
                                                             filename, message):
    before = snapshot(db)
    response = post_with_photo(admin, "/admin/users/new", new_user_answers(world), upload,
                               filename)
    html = assert_form_error(response, "photo", message)
    assert form_answers(html)["name"] == "Nadia Newcomer"
    assert snapshot(db) == before


def test_the_form_refuses_a_photo_over_2_mb(admin, db, world):
    before = snapshot(db)
    response = post_with_photo(admin, f"/admin/users/{world.users['operative']}/edit",
                               new_user_answers(world, password=""), noisy_png(), "big.png")
    assert_form_error(response, "photo", TOO_BIG)
    assert snapshot(db) == before


def test_a_bad_photo_is_listed_with_the_other_problems(admin, db, world):
    response = post_with_photo(admin, "/admin/users/new", new_user_answers(world, name=""),
                               b"not a photo", "face.jpg")
    html = assert_form_error(response, "photo", NOT_A_PHOTO)
    assert "Enter the person&#39;s full name" in html
