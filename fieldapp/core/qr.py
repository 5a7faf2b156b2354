"""QR codes as inline SVG: the ID card's check link and the resident's feedback link."""

import functools
import re

import qrcode
import qrcode.image.svg
from markupsafe import Markup, escape


# Drawing a QR code takes about 20 ms; a card's link is the same all day, and the card is
# opened again and again on the doorstep.
@functools.lru_cache(maxsize=1024)
def qr_svg(url: str, label: str = "QR code that opens the check page") -> Markup:
    """The link as an inline SVG QR code, sized by CSS, described for screen readers."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r'^<svg width="[^"]+" height="[^"]+"',
                 f'<svg class="qr" role="img" aria-label="{escape(label)}"', svg)
    return Markup(svg.replace(' id="qr-path"', ""))  # noqa: S704  (SVG made by qrcode, no input HTML)
