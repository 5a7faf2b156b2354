"""The officer's side of the resident's voice: after a visit stopped for distress or risk, the
officer chooses when to ask the resident how it felt (nobody asks straight away)."""

from flask import redirect, url_for
from flask_login import current_user

from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, found_or_404, roles
from fieldapp.core.db import get_db, transaction, utc_now
from fieldapp.voice import bp, queries


@bp.post("/schedule/<int:visit_id>/feedback-link")
@roles(*OFFICE_ROLES)
def send_feedback_link(visit_id: int):
    """A deliberate step, audited: the visit page then shows the link to send by text or
    letter, and the operative's and the check page's prompts come back."""
    db = get_db()
    visit = queries.visit_for_link(db, visit_id)
    found_or_404(visit if visit and visit["landlord_id"] == current_user.landlord_id else None)
    with transaction(db):
        if queries.mark_feedback_sent(db, visit_id, current_user.id, utc_now()):
            audit.record("feedback_link_sent", "visit", visit_id, db=db)
    return redirect(url_for("schedule.visit", visit_id=visit_id, _anchor="resident-voice"),
                    code=303)
