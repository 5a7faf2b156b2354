"""The operative's ID card for a visit: photo, name, firm, badge, and a QR code to check them."""

import functools
import re

import qrcode
import qrcode.image.svg
from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user
from markupsafe import Markup, escape

from . import audit
from .access import roles, signed_in
from .accounts import get_photo
from .clock import to_local
from .db import get_db
from .verification import make_token, margin, spoken_code
from .visits import get_visit_for_operative_or_404

bp = Blueprint("idcard", __name__)


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


def verify_url(token: str) -> str:
    return f"{current_app.config['FIELDAPP_BASE_URL']}/verify/{token}"


@bp.get("/visits/<int:visit_id>/id-card")
@roles("operative")
def id_card(visit_id: int):
    db = get_db()
    visit = get_visit_for_operative_or_404(db, visit_id, current_user.id)
    day = to_local(visit["starts_at"]).date().isoformat()
    url = verify_url(make_token(visit_id, current_user.id, day))
    valid_until = to_local(visit["ends_at"]) + margin()
    audit.record("id_card_viewed", "visit", visit_id, db=db)
    return render_template(
        "operative/id_card.html", visit=visit, verify_url=url, qr=qr_svg(url),
        code=spoken_code(visit_id, current_user.id, day), valid_until=valid_until,
        visit_date=to_local(visit["starts_at"]).date(),
        has_photo=get_photo(db, current_user.id) is not None)


@bp.get("/me/photo")
@signed_in
def my_photo():
    photo = get_photo(get_db(), current_user.id)
    if photo is None:
        abort(404)
    return photo["image"], 200, {"Content-Type": photo["content_type"],
                                 "Cache-Control": "private, max-age=3600"}
