"""Photos of the work, sent with a post-visit log: checked to be real images, stored without
the metadata a camera writes (where the photo was taken, which phone), read back in chunks.

The phone sends each photo already made small (at most 1600 px, about 300 KB) by drawing it on
a canvas, which leaves every piece of metadata behind. Such a photo, a plain JPEG with no
metadata anywhere and nothing after its end, is stored as sent. Anything else (a photo from a
form with JavaScript off, straight from the camera) is turned upright, made small and
re-encoded here, which strips it the same way. Either way the bytes are read and written in
chunks, so memory does not grow with the size or the number of photos.
"""

import contextlib
import hashlib
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
LONGEST_SIDE = 1600
CHUNK = 64 * 1024
JPEG_QUALITY = 80
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
# The routes that take photos, and the largest body they take: every photo at its limit, and
# room for the log beside them.
PHOTO_ENDPOINTS = ("logs.submit_log", "logs.api_logs")
MAX_LOG_BODY = MAX_PHOTOS * MAX_PHOTO_BYTES + 1024 * 1024
# JPEG segments a photo kept as sent may hold: the JFIF header (with no thumbnail), tables,
# frame, scan, restart interval, and a colour profile. Anything else, anywhere in the file
# (EXIF, XMP, comments, maker notes), or any byte after the end, means it is re-encoded.
PLAIN_MARKERS = {0xDB, 0xC4, 0xC0, 0xC1, 0xC2, 0xDD, 0xDA}
ICC = b"ICC_PROFILE\0"
JFIF_LENGTH = 14  # "JFIF\0", version, units, densities, and a 0 x 0 thumbnail

TOO_MANY = f"Choose {MAX_PHOTOS} photos or fewer"
NOT_A_PHOTO = "is not a photo: choose a JPG, PNG or WebP"
TOO_BIG = f"must be smaller than {MAX_PHOTO_BYTES // (1024 * 1024)} MB"
TOO_LARGE = "is too large: choose one under 40 megapixels"
EMPTY = "is empty"


class PhotoRefused(ValueError):
    """A photo we cannot keep; the message names the photo and says why, in plain English."""


@dataclass
class ReadyPhoto:
    """A checked photo ready to store: its bytes in a file, read back in chunks."""
    file: IO[bytes]
    size: int
    width: int
    height: int
    sha256: str
    sent_sha256: str  # of the bytes as sent: a resend of the same log carries the same ones

    def chunks(self):
        self.file.seek(0)
        while chunk := self.file.read(CHUNK):
            yield chunk


def photo_name(position: int, filename: str | None) -> str:
    return f"Photo {position}" + (f" ({filename})" if filename else "")


def prepare(stream: IO[bytes], position: int, filename: str | None = None) -> ReadyPhoto:
    """The photo as it will be stored, or PhotoRefused. `stream` is a seekable upload."""
    name = photo_name(position, filename)
    sent_hash, size = _hash_and_size(stream)
    if size == 0:
        raise PhotoRefused(f"{name} {EMPTY}")
    if size > MAX_PHOTO_BYTES:
        raise PhotoRefused(f"{name} {TOO_BIG}")
    stream.seek(0)
    image = _open_checked(stream, name)
    if image.format == "JPEG" and max(image.size) <= LONGEST_SIDE and _is_plain_jpeg(stream):
        stream.seek(0)
        out = tempfile.SpooledTemporaryFile(max_size=CHUNK)  # noqa: SIM115  (returned open)
        shutil.copyfileobj(stream, out, CHUNK)
        width, height = image.size
        return ReadyPhoto(out, size, width, height, sent_hash, sent_hash)
    out, width, height = _made_small(image, name)
    stored_hash, stored_size = _hash_and_size(out)
    return ReadyPhoto(out, stored_size, width, height, stored_hash, sent_hash)


def prepare_all(uploads) -> tuple[list[ReadyPhoto], list[str]]:
    """Each upload (werkzeug FileStorage, in order) checked and ready, and what is wrong with
    any that cannot be kept. A file input left empty sends a part with no name: not a photo."""
    chosen = [upload for upload in uploads if upload.filename or upload.content_length]
    if len(chosen) > MAX_PHOTOS:
        return [], [TOO_MANY]
    ready, problems = [], []
    for position, upload in enumerate(chosen, 1):
        try:
            ready.append(prepare(upload.stream, position, upload.filename))
        except PhotoRefused as refused:
            problems.append(str(refused))
    return ready, problems


def _hash_and_size(stream: IO[bytes]) -> tuple[str, int]:
    stream.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _open_checked(stream: IO[bytes], name: str) -> Image.Image:
    """Opened, with only its header read: a real JPG, PNG or WebP of a sane size. Its pixels
    are decoded later (and made small as they are, for a JPEG)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(stream)
            if image.format not in ALLOWED_FORMATS:
                raise PhotoRefused(f"{name} {NOT_A_PHOTO}")
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRefused(f"{name} {TOO_LARGE}")
            if image.format == "JPEG":
                # A thumbnail's worth of decoding proves the pixels are really there.
                with Image.open(stream) as probe:
                    probe.draft("RGB", (64, 64))
                    probe.load()
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoRefused(f"{name} {TOO_LARGE}") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PhotoRefused(f"{name} {NOT_A_PHOTO}") from error
    return image


def _is_plain_jpeg(stream: IO[bytes]) -> bool:
    """True when the JPEG holds the picture and nothing else: every segment, before, between
    and after its scans, one a plain JPEG needs (a JFIF header with no thumbnail, tables,
    frame, scans, a colour profile), and nothing after its end marker. No EXIF, XMP, comment
    or trailing bytes anywhere. Reads the file once, in chunks."""
    stream.seek(0)
    reader = _JpegReader(stream)
    if reader.read(2) != b"\xff\xd8":
        return False
    while True:
        marker = reader.marker()
        if marker == 0xD9:  # the end: a plain JPEG stops here
            return reader.at_end()
        if marker is None:
            return False
        length = int.from_bytes(reader.read(2), "big")
        body = reader.read(length - 2) if length >= 2 else b""
        if length < 2 or len(body) != length - 2 or not _plain_segment(marker, body):
            return False
        if marker == 0xDA and not reader.skip_scan():  # the picture data of one scan
            return False


def _plain_segment(marker: int, body: bytes) -> bool:
    if marker == 0xE0:  # JFIF's header alone: a JFXX or a thumbnail is a second picture
        return body.startswith(b"JFIF\0") and len(body) == JFIF_LENGTH
    # A colour profile (a browser's canvas writes sRGB) says nothing about anyone.
    return marker in PLAIN_MARKERS or (marker == 0xE2 and body.startswith(ICC))


class _JpegReader:
    """A JPEG's bytes, read forward in chunks: segment by segment, and over picture data."""

    def __init__(self, stream: IO[bytes]):
        self.stream, self.buffer, self.pos = stream, b"", 0

    def _have(self, count: int) -> bool:
        while len(self.buffer) - self.pos < count:
            more = self.stream.read(CHUNK)
            if not more:
                return False
            self.buffer, self.pos = self.buffer[self.pos:] + more, 0
        return True

    def read(self, count: int) -> bytes:
        self._have(count)
        data = self.buffer[self.pos:self.pos + count]
        self.pos += len(data)
        return data

    def at_end(self) -> bool:
        return not self._have(1)

    def marker(self) -> int | None:
        """The next marker's code, past any fill bytes; None when no marker is next."""
        if self.read(1) != b"\xff":
            return None
        while (code := self.read(1)) == b"\xff":
            pass
        return code[0] if code else None

    def skip_scan(self) -> bool:
        """Past the picture data, to the 0xFF of the marker after it; False at the file's end.
        In the data, 0xFF is followed by 0 (a stuffed byte), a restart marker or more 0xFF."""
        while True:
            found = self.buffer.find(b"\xff", self.pos)
            if found < 0:
                self.pos = len(self.buffer)
                if not self._have(1):
                    return False
                continue
            self.pos = found
            if not self._have(2):
                return False
            code = self.buffer[self.pos + 1]
            if code == 0 or 0xD0 <= code <= 0xD7:
                self.pos += 2
            elif code == 0xFF:
                self.pos += 1
            else:
                return True


def _made_small(image: Image.Image, name: str) -> tuple[IO[bytes], int, int]:
    """Upright, at most LONGEST_SIDE pixels, re-encoded as a JPEG with no metadata."""
    try:
        if image.format == "JPEG":
            # Decode at 1/2, 1/4 or 1/8 scale: a 40 MP photo never takes 120 MB to read.
            image.draft("RGB", (LONGEST_SIDE, LONGEST_SIDE))
        image.load()
        with contextlib.suppress(OSError, SyntaxError, ValueError):
            image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")
        image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    except (OSError, SyntaxError, ValueError) as error:
        raise PhotoRefused(f"{name} {NOT_A_PHOTO}") from error
    # Pillow writes back what it read (a comment, a profile) unless told otherwise: nothing.
    image.info = {}
    out = tempfile.SpooledTemporaryFile(max_size=CHUNK)  # noqa: SIM115  (returned open)
    image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return out, image.width, image.height
