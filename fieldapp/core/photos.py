"""ID photos: checked to be real images, then re-encoded small, which also strips their metadata."""

import contextlib
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# A few phone-camera frames' worth; past this a small file is a decompression bomb.
MAX_PIXELS = 40_000_000
STORED_SIZE = (600, 600)
TOO_LARGE = "The photo is too large; choose one under 40 megapixels"


class PhotoError(ValueError):
    """The upload is not a photo we can use; the message is shown next to the field."""


def prepare_photo(upload: bytes) -> bytes:
    """A JPEG of at most 600x600 pixels, or PhotoError saying in plain English what is wrong."""
    if not upload:
        raise PhotoError("The selected file is empty")
    if len(upload) > MAX_UPLOAD_BYTES:
        raise PhotoError("The photo must be smaller than 2 MB")
    image = _open_checked(upload)
    with contextlib.suppress(OSError, SyntaxError, ValueError):
        # Unreadable metadata: keep the picture as it was stored (its metadata is dropped anyway).
        image = ImageOps.exif_transpose(image)
    image = image.convert("RGB")
    image.thumbnail(STORED_SIZE)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _open_checked(upload: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(upload))
            if image.format not in ALLOWED_FORMATS:
                raise PhotoError("The photo must be a JPG, PNG or WebP")
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError(TOO_LARGE)
            image.load()
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own limit, met before ours when a small file claims a vast size.
        raise PhotoError(TOO_LARGE) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise PhotoError("The selected file is not a photo: choose a JPG, PNG or WebP") from error
    return image
