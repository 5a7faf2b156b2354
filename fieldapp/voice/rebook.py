"""Can't make this time? The resident says so, with the days and times that suit them and,
only if they wish, why. It flags the visit and asks their officer to reach out."""

from datetime import UTC, datetime

from flask import make_response, render_template

from fieldapp.alerts.rules import raise_visit_alert
from fieldapp.core import audit
from fieldapp.core.access import public
from fieldapp.core.clock import to_local
from fieldapp.core.db import get_db, transaction, utc_now
from fieldapp.core.forms import render_form
from fieldapp.core.i18n import resident_language
from fieldapp.core.limits import limiter
from fieldapp.core.public import public_page
from fieldapp.voice import bp, queries, tokens
from fieldapp.voice.feedback import closed_page, private
from fieldapp.voice.forms import REASON_LIMIT, RebookForm

ALERT_REASON = "The resident asked for another time"


def store(db, visit, form: RebookForm) -> bool:
    """Stores the request once, with the visit flagged and the officer's alert; False when one
    was already made for this visit."""
    now = utc_now()
    with transaction(db):
        if not queries.save_rebook_request(db, visit["id"], *form.chosen(),
                                           form.reason.data or "", now):
            return False
        queries.mark_rebook_requested(db, visit["id"], now)
        raise_visit_alert(db, visit, "reach_out", ALERT_REASON)
        audit.record("rebook_requested", "visit", visit["id"], db=db)
    return True


@bp.route("/r/<token>", methods=["GET", "POST"])
@public
@limiter.limit("60 per 10 minutes")
@limiter.limit("20 per hour", methods=["POST"])
def rebook(token: str):
    db = get_db()
    visit = tokens.visit_for(db, tokens.REBOOK_SALT, token)
    public_page(visit["landlord_name"] if visit else None)
    resident_language(db, visit["language"] if visit else None)
    if visit is None:
        return closed_page(None, "unknown")
    if visit["status"] != "booked":
        return closed_page(visit, "cancelled")
    if queries.rebook_request_for_visit(db, visit["id"]) is not None:
        return closed_page(visit, "rebook_used", choice_link=tokens.offer_url(visit["id"]))
    if to_local(visit["ends_at"]) < datetime.now(UTC):
        return closed_page(visit, "rebook_passed")
    form = RebookForm()
    if form.validate_on_submit():
        if not store(db, visit, form):
            return closed_page(visit, "rebook_used")
        return private(make_response(render_template("voice/rebook_done.html", visit=visit)))
    return private(make_response(*render_form("voice/rebook.html", form, visit=visit,
                                              limit=REASON_LIMIT)))
