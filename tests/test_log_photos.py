"""Photos of the work, sent with a post-visit log: stored with the log exactly once, without
the camera's metadata, shown only to the visit's operatives and the landlord's office (each
look audited, privately cached), refused in plain English, and deleted after the landlord's
retention period by the worker."""

import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from fieldapp.core import jobs
from fieldapp.logs import retention
from fieldapp.logs.photos import _is_plain_jpeg

from pages import check_page
from support import PEOPLE, csrf_token_from, sign_in_quickly

CAMERA_MAKE, GPS_INFO = 0x010F, 0x8825


def camera_jpeg(size=(4000, 3000), gps=True) -> bytes:
    """A photo as a phone camera writes it: large, with the maker and where it was taken."""
    exif = Image.Exif()
    exif[CAMERA_MAKE] = "Phonecam"
    if gps:
        exif.get_ifd(GPS_INFO)[2] = (51.0, 30.0, 12.5)  # GPSLatitude
    out = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(out, format="JPEG", exif=exif, quality=70)
    return out.getvalue()


def phone_jpeg(shade: int = 90, size=(1600, 1200)) -> bytes:
    """A photo as the phone's outbox sends it: already small, a plain JPEG with no metadata."""
    out = io.BytesIO()
    Image.new("RGB", size, (shade, 120, 140)).save(out, format="JPEG", quality=80)
    return out.getvalue()


def log_json(visit_id: int, client_id: str | None = None) -> str:
    return json.dumps({"client_id": client_id or str(uuid.uuid4()), "visit_id": visit_id,
                       "outcome": "completed", "distress": "none", "concerns": [],
                       "note": "Boiler replaced", "follow_up": ""})


def files(*photos: bytes) -> list:
    return [(io.BytesIO(photo), f"photo-{n}.jpg", "image/jpeg")
            for n, photo in enumerate(photos, 1)]


@pytest.fixture
def operative(signed_in):
    client = signed_in("operative")
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token_from(
        client.get("/today").get_data(as_text=True))
    return client


def send(client, body: str, photos: list):
    return client.post("/api/logs", data={"log": body, "photos": photos},
                       content_type="multipart/form-data")


def stored_photos(db, client_id: str) -> list:
    return db.execute("""
        SELECT log_photos.*, (SELECT group_concat(length(data)) FROM log_photo_chunks
                              WHERE photo_id = log_photos.id) AS chunk_sizes
        FROM log_photos JOIN visit_logs ON visit_logs.id = log_photos.log_id
        WHERE visit_logs.client_id = ? ORDER BY position""", (client_id,)).fetchall()


def stored_bytes(db, photo_id: int) -> bytes:
    return b"".join(row[0] for row in db.execute(
        "SELECT data FROM log_photo_chunks WHERE photo_id = ? ORDER BY seq", (photo_id,)))


def test_a_log_with_three_photos_is_stored_once_with_all_three(operative, db, world):
    client_id = str(uuid.uuid4())
    body = log_json(world.visits["today"], client_id)
    sent = [phone_jpeg(shade) for shade in (10, 100, 200)]
    first = send(operative, body, files(*sent))
    again = send(operative, body, files(*sent))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    photos = stored_photos(db, client_id)
    assert [p["position"] for p in photos] == [1, 2, 3]
    # A phone's plain JPEG is kept exactly as sent, in chunks of at most 64 KB.
    assert [stored_bytes(db, p["id"]) for p in photos] == sent
    assert all(int(size) <= 64 * 1024 for p in photos for size in p["chunk_sizes"].split(","))
    assert db.execute("SELECT count(*) FROM visit_logs WHERE client_id = ?",
                      (client_id,)).fetchone()[0] == 1


def test_the_same_log_id_with_other_photos_is_refused_not_mixed(operative, db, world):
    client_id = str(uuid.uuid4())
    body = log_json(world.visits["today"], client_id)
    assert send(operative, body, files(phone_jpeg(10))).status_code == 201
    assert send(operative, body, files(phone_jpeg(200))).status_code == 422
    assert len(stored_photos(db, client_id)) == 1


def test_a_camera_photo_is_stored_small_with_no_location_or_camera(operative, db, world):
    client_id = str(uuid.uuid4())
    assert send(operative, log_json(world.visits["today"], client_id),
                files(camera_jpeg())).status_code == 201
    [photo] = stored_photos(db, client_id)
    kept = stored_bytes(db, photo["id"])
    image = Image.open(io.BytesIO(kept))
    assert image.format == "JPEG" and max(image.size) == 1600
    assert (photo["width"], photo["height"]) == image.size == (1600, 1200)
    assert dict(image.getexif()) == {} and b"Exif" not in kept and b"Phonecam" not in kept
    assert _is_plain_jpeg(io.BytesIO(kept))


def test_a_refused_photo_keeps_the_whole_log_off_the_server_with_the_reason(operative, db,
                                                                            world):
    client_id = str(uuid.uuid4())
    answer = send(operative, log_json(world.visits["today"], client_id),
                  [*files(phone_jpeg()), (io.BytesIO(b"not a picture at all"), "notes.jpg",
                                          "image/jpeg")])
    assert answer.status_code == 400
    assert answer.get_json()["errors"] == {
        "photos": "Photo 2 (notes.jpg) is not a photo: choose a JPG, PNG or WebP"}
    assert db.execute("SELECT count(*) FROM visit_logs WHERE client_id = ?",
                      (client_id,)).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM log_photos WHERE log_id NOT IN (?)",
                      (world.others["log"],)).fetchone()[0] == 0


def form_page(client, visit: int) -> tuple[str, dict]:
    page = client.get(f"/visits/{visit}/log").get_data(as_text=True)
    client_id = page.split('name="client_id" id="client_id" value="')[1].split('"')[0]
    return page, {"csrf_token": csrf_token_from(page), "client_id": client_id,
                  "outcome": "completed", "distress": "none"}


def test_with_javascript_off_the_form_takes_photos_and_strips_them(signed_in, db, world):
    client = signed_in("operative")
    page, answers = form_page(client, world.visits["today"])
    assert 'type="file"' in page and 'accept="image/*"' in page and "capture" in page
    assert 'enctype="multipart/form-data"' in page
    sent = client.post(f"/visits/{world.visits['today']}/log",
                       data={**answers, "photos": files(camera_jpeg(), phone_jpeg())},
                       content_type="multipart/form-data")
    assert sent.status_code == 303
    photos = stored_photos(db, answers["client_id"])
    assert len(photos) == 2
    for photo in photos:
        kept = stored_bytes(db, photo["id"])
        assert b"Exif" not in kept and dict(Image.open(io.BytesIO(kept)).getexif()) == {}
    done = client.get(sent.headers["Location"]).get_data(as_text=True)
    check_page(done)
    assert "2 photos sent with it." in done


@pytest.mark.parametrize(("photos", "message"), [
    (lambda: [(io.BytesIO(b"%PDF-1.4 a letter"), "letter.pdf", "application/pdf")],
     "Photo 1 (letter.pdf) is not a photo: choose a JPG, PNG or WebP"),
    (lambda: files(*[phone_jpeg(n) for n in range(6)]), "Choose 5 photos or fewer"),
    (lambda: [(io.BytesIO(b"\xff\xd8" + b"\0" * (10 * 1024 * 1024)), "huge.jpg", "image/jpeg")],
     "Photo 1 (huge.jpg) must be smaller than 10 MB"),
])
def test_with_javascript_off_a_photo_we_cannot_keep_is_explained_beside_the_field(
        signed_in, db, world, photos, message):
    client = signed_in("operative")
    _, answers = form_page(client, world.visits["today"])
    refused = client.post(f"/visits/{world.visits['today']}/log",
                          data={**answers, "note": "Kept", "photos": photos()},
                          content_type="multipart/form-data")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    check_page(html)
    assert "<title>Error: " in html
    assert f'<a href="#photos">{message}</a>' in html  # the summary links to the field
    assert f'<span class="field-error__text">{message}</span>' in html
    assert "Kept</textarea>" in html  # the answers are kept
    assert db.execute("SELECT count(*) FROM visit_logs WHERE client_id = ?",
                      (answers["client_id"],)).fetchone()[0] == 0


def test_photos_chosen_beside_another_problem_are_said_to_be_not_sent(signed_in, db, world):
    client = signed_in("operative")
    _, answers = form_page(client, world.visits["today"])
    del answers["outcome"]
    refused = client.post(f"/visits/{world.visits['today']}/log",
                          data={**answers, "photos": files(phone_jpeg(), phone_jpeg(5))},
                          content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "2 photos you chose were not sent, because of the problem above." in html


@pytest.fixture
def logged_with_photos(operative, db, world):
    client_id = str(uuid.uuid4())
    assert send(operative, log_json(world.visits["today"], client_id),
                files(phone_jpeg(10), phone_jpeg(200))).status_code == 201
    return [p["id"] for p in stored_photos(db, client_id)]


def audits(db, action: str) -> list:
    return [(r["record_id"], r["user_id"]) for r in db.execute(
        "SELECT record_id, user_id FROM audit_log WHERE action = ? ORDER BY id", (action,))]


def test_the_officer_sees_the_photos_privately_cached_and_audited(signed_in, db, world,
                                                                 logged_with_photos):
    officer = signed_in("officer")
    visit = world.visits["today"]
    page = officer.get(f"/schedule/{visit}").get_data(as_text=True)
    check_page(page)
    for photo_id in logged_with_photos:
        assert f'src="/schedule/{visit}/photos/{photo_id}"' in page
    answer = officer.get(f"/schedule/{visit}/photos/{logged_with_photos[0]}")
    assert answer.status_code == 200 and answer.mimetype == "image/jpeg"
    assert answer.headers["Cache-Control"] == "private, max-age=86400"
    assert answer.data == stored_bytes(db, logged_with_photos[0])
    assert audits(db, "log_photo_viewed") == [
        (str(logged_with_photos[0]), world.users["officer"])]


@pytest.mark.parametrize(("person", "path", "status"), [
    ("operative", "/visits/{visit}/photos/{photo}", 200),
    ("other_firm_operative", "/visits/{visit}/photos/{photo}", 404),
    ("colleague", "/visits/{visit}/photos/{photo}", 404),  # same firm, not on this visit
    ("other_landlord_officer", "/schedule/{visit}/photos/{photo}", 404),
    ("operative", "/schedule/{visit}/photos/{photo}", 403),
])
def test_only_the_visits_operatives_and_its_landlord_see_its_photos(
        app, db, world, logged_with_photos, person, path, status):
    client = sign_in_quickly(app, PEOPLE[person][0])
    url = path.format(visit=world.visits["today"], photo=logged_with_photos[0])
    assert client.get(url).status_code == status
    assert len(audits(db, "log_photo_viewed")) == (1 if status == 200 else 0)


def test_the_worker_deletes_photos_after_the_landlords_retention_period(signed_in, db,
                                                                        world, operative):
    db.execute("UPDATE organisations SET photo_retention_days = 30 WHERE id = ?",
               (world.orgs["riverside"],))
    client_id = str(uuid.uuid4())
    assert send(operative, log_json(world.visits["today"], client_id),
                files(phone_jpeg(), phone_jpeg(3))).status_code == 201
    photos = stored_photos(db, client_id)
    stored_at = datetime.fromisoformat(photos[0]["created_at"])
    assert datetime.fromisoformat(photos[0]["delete_after"]) == stored_at + timedelta(days=30)
    assert jobs.is_waiting(db, retention.KIND)  # queued with the photos

    while jobs.run_one(db, now=stored_at + timedelta(days=29)):
        pass
    assert len(stored_photos(db, client_id)) == 2
    assert all(p["deleted_at"] is None for p in stored_photos(db, client_id))

    ran = 0
    while jobs.run_one(db, now=stored_at + timedelta(days=31)) and ran < 5:
        ran += 1
    after = stored_photos(db, client_id)
    assert [p["deleted_at"] is not None for p in after] == [True, True]
    assert db.execute("SELECT count(*) FROM log_photo_chunks WHERE photo_id IN (?, ?)",
                      [p["id"] for p in after]).fetchone()[0] == 0
    assert sorted(r for r, _ in audits(db, "log_photo_deleted")) == sorted(
        str(p["id"]) for p in after)
    assert jobs.is_waiting(db, retention.KIND)  # and again tomorrow
    officer = signed_in("officer")
    page = officer.get(f"/schedule/{world.visits['today']}").get_data(as_text=True)
    assert "2 photos deleted" in page and "at the end of the time we keep photos" in page
    assert officer.get(f"/schedule/{world.visits['today']}/photos/{after[0]['id']}"
                       ).status_code == 404


def test_by_default_photos_are_kept_for_two_years(operative, db, world):
    client_id = str(uuid.uuid4())
    send(operative, log_json(world.visits["today"], client_id), files(phone_jpeg()))
    [photo] = stored_photos(db, client_id)
    kept_for = (datetime.fromisoformat(photo["delete_after"])
                - datetime.fromisoformat(photo["created_at"]))
    assert kept_for == timedelta(days=730)
    assert datetime.fromisoformat(photo["created_at"]) <= datetime.now(UTC)


@pytest.mark.parametrize(("extra", "kept_as_sent"), [
    ({}, True),
    ({"icc_profile": b"\0" * 128}, True),  # a browser's canvas writes its colour profile
    ({"comment": b"taken at 1 Test Street"}, False),
    ({"exif": Image.Exif()}, False),
])
def test_only_a_plain_jpeg_is_stored_as_sent(operative, db, world, extra, kept_as_sent):
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "teal").save(out, format="JPEG", **extra)
    client_id = str(uuid.uuid4())
    assert send(operative, log_json(world.visits["today"], client_id),
                files(out.getvalue())).status_code == 201
    [photo] = stored_photos(db, client_id)
    kept = stored_bytes(db, photo["id"])
    assert (kept == out.getvalue()) is kept_as_sent
    assert b"Test Street" not in kept and _is_plain_jpeg(io.BytesIO(kept))


RIVERSIDE = {"name": "Riverside Homes", "main_phone": "020 7946 0000",
             "duty_phone": "020 7946 0999", "safeguarding_phone": "020 7946 0555",
             "web_address": "https://www.riverside.example"}


def test_the_landlords_admin_sets_how_long_photos_are_kept(signed_in, db, world):
    admin = signed_in("admin")
    landlord, firm = world.orgs["riverside"], world.orgs["acme"]
    page = admin.get(f"/admin/organisations/{landlord}/edit").get_data(as_text=True)
    check_page(page)
    assert 'name="photo_retention_months"' in page and 'value="24"' in page
    assert "photo_retention_months" not in admin.get(
        f"/admin/organisations/{firm}/edit").get_data(as_text=True)
    token = csrf_token_from(page)
    refused = admin.post(f"/admin/organisations/{landlord}/edit",
                         data={**RIVERSIDE, "csrf_token": token, "photo_retention_months": "0"})
    assert refused.status_code == 422
    assert "Enter a number of months from 1 to 120" in refused.get_data(as_text=True)
    saved = admin.post(f"/admin/organisations/{landlord}/edit",
                       data={**RIVERSIDE, "csrf_token": token, "photo_retention_months": "36"})
    assert saved.status_code == 303
    assert db.execute("SELECT photo_retention_days FROM organisations WHERE id = ?",
                      (landlord,)).fetchone()[0] == 1095


def jpeg_with(before_end: bytes = b"", after_end: bytes = b"") -> bytes:
    """A real small plain JPEG with bytes put where the first look at it never went: a
    segment between the picture data and the end marker, or anything after the end."""
    plain = phone_jpeg(size=(320, 240))
    assert plain.endswith(b"\xff\xd9")
    return plain[:-2] + before_end + b"\xff\xd9" + after_end


def segment(marker: int, body: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(body) + 2).to_bytes(2, "big") + body


@pytest.mark.parametrize(("sent", "hidden"), [
    (jpeg_with(after_end=b"GPS 51.5N 0.1W"), b"GPS 51.5N"),
    (jpeg_with(after_end=b"<html><script>alert(1)</script></html>"), b"<script>"),
    (jpeg_with(before_end=segment(0xFE, b"taken at 1 Test Street")), b"Test Street"),
    (jpeg_with(before_end=segment(0xE1, b"Exif\0\0GPS 51.5N")), b"GPS 51.5N"),
])
def test_nothing_after_the_picture_data_is_stored(operative, db, world, sent, hidden):
    """A plain-looking JPEG is kept as sent only when it holds the picture and nothing else:
    a comment or metadata after the picture data, or bytes after its end, mean it is
    re-encoded, and the stored photo holds none of them."""
    client_id = str(uuid.uuid4())
    assert send(operative, log_json(world.visits["today"], client_id),
                files(sent)).status_code == 201
    [photo] = stored_photos(db, client_id)
    kept = stored_bytes(db, photo["id"])
    assert hidden not in kept and kept != sent
    assert kept.endswith(b"\xff\xd9") and _is_plain_jpeg(io.BytesIO(kept))
    assert Image.open(io.BytesIO(kept)).size == (320, 240)


class CountingBody(io.BytesIO):
    """A request body that counts how much of it the server read."""

    taken = 0

    def read(self, size=-1):
        data = super().read(size)
        self.taken += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        self.taken += len(data)
        return data


def multipart_of(size: int) -> tuple[bytes, str]:
    boundary = "photoboundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"photos\"; "
            f"filename=\"big.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode() \
        + b"\xff" * size + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("who", [None, "officer"])
@pytest.mark.parametrize("path", ["/api/logs", "/visits/{visit}/log"])
def test_a_large_body_from_anyone_but_an_operative_is_refused_unread(signed_in, app, world,
                                                                     who, path):
    """Only a signed-in operative may send a log's photos (up to 51 MB): from anyone else, a
    body over the usual 4 MB is refused before a byte of it is read."""
    client = signed_in(who) if who else app.test_client()
    body, content_type = multipart_of(5 * 1024 * 1024)
    stream = CountingBody(body)
    answer = client.post(path.format(visit=world.visits["today"]), input_stream=stream,
                         content_type=content_type, content_length=len(body))
    assert answer.status_code == 413
    assert stream.taken == 0


def test_an_operatives_log_with_photos_over_4_mb_is_taken(operative, db, world):
    body, content_type = multipart_of(5 * 1024 * 1024)
    answer = operative.post("/api/logs", input_stream=CountingBody(body),
                            content_type=content_type, content_length=len(body))
    assert answer.status_code == 400  # read, and answered: no log beside the "photo"
    photo = camera_jpeg()
    assert len(photo) > 4 * 1024 * 1024
    client_id = str(uuid.uuid4())
    assert send(operative, log_json(world.visits["today"], client_id),
                files(photo)).status_code == 201
    assert len(stored_photos(db, client_id)) == 1
