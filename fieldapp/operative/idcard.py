"""The operative's ID card for a visit: photo, name, firm, badge, and a QR code to check them."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from fieldapp.accounts.queries import get_photo
from fieldapp.core import audit
from fieldapp.core.access import OPERATIVE_ROLES, found_or_404, roles, signed_in
from fieldapp.core.clock import to_local, today_local
from fieldapp.core.db import get_db
from fieldapp.core.qr import qr_svg
from fieldapp.core.signing import make_token, margin, spoken_code
from fieldapp.operative.queries import visit_for_operative

bp = Blueprint("idcard", __name__)


def verify_url(token: str) -> str:
    return f"{current_app.config['FIELDAPP_BASE_URL']}/verify/{token}"


@bp.get("/visits/<int:visit_id>/id-card")
@roles(*OPERATIVE_ROLES)
def id_card(visit_id: int):
    db = get_db()
    visit = found_or_404(visit_for_operative(db, visit_id, current_user.id))
    day = to_local(visit["starts_at"]).date().isoformat()
    url = verify_url(make_token(visit_id, current_user.id, day))
    check_opens = to_local(visit["starts_at"]) - margin()
    valid_until = to_local(visit["ends_at"]) + margin()
    audit.record("id_card_viewed", "visit", visit_id, db=db)
    return render_template(
        "operative/id_card.html", visit=visit, verify_url=url, qr=qr_svg(url),
        code=spoken_code(visit_id, current_user.id, day), check_opens=check_opens,
        valid_until=valid_until, today_date=today_local(),
        has_photo=get_photo(db, current_user.id) is not None)


@bp.get("/me/photo")
@signed_in
def my_photo():
    photo = found_or_404(get_photo(get_db(), current_user.id))
    # no-store like every signed-in answer: the phone keeps it for offline use in the service
    # worker's cache, which does not read Cache-Control.
    return photo["image"], 200, {"Content-Type": photo["content_type"]}
