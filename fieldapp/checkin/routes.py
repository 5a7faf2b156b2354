"""Check in, extend, check out and "I need help" from the briefing: plain forms that work with
JavaScript off, and a JSON endpoint for the phone's outbox."""

from datetime import UTC, datetime, timedelta

from flask import Blueprint, flash, jsonify, redirect, url_for
from flask_login import current_user

from fieldapp.checkin import lone_worker, queries
from fieldapp.checkin.forms import CheckinForm, json_formdata
from fieldapp.core import audit
from fieldapp.core.access import OPERATIVE_ROLES, found_or_404, roles
from fieldapp.core.clock import day_bounds_utc, today_local
from fieldapp.core.db import get_db, transaction, utc_now
from fieldapp.core.security import JsonRefused, json_body

bp = Blueprint("checkin", __name__)
STATUS_FOR = {"created": 201, "replayed": 200}
CONFLICT_MESSAGE = ("A different message was already sent with this id. Nothing was changed: "
                    "send it again as a new one.")


def visit_or_404(db, visit_id: int):
    """The operative's own visit, from yesterday to tomorrow: a check-out sent after midnight
    from a phone that had no signal still finds its visit."""
    start, end = day_bounds_utc(today_local() - timedelta(days=1), days=3)
    return found_or_404(queries.visit_for_checkin(db, visit_id, current_user.id, start, end))


def _back(visit_id: int, anchor: str = "check-in"):
    return redirect(url_for("briefing.briefing", visit_id=visit_id) + "#" + anchor, code=303)


def _from_form(visit_id: int, kind: str):
    db = get_db()
    visit = visit_or_404(db, visit_id)
    form = CheckinForm()
    form.kind.data = kind
    form.at.data = ""  # a form is sent as it is tapped: the time is ours
    if not form.validate():
        flash(next(iter(form.messages().values())), "error")
        return _back(visit_id)
    # "I need help" comes back to the same button, so the screen stays where it was.
    status, _body = lone_worker.record(db, visit, current_user.id, form.checkin_input(),
                                       datetime.now(UTC))
    if status == "unknown_checkin" and kind != "help":
        flash("Check in first: this check-in is not known", "error")
    return _back(visit_id, "help-form" if kind == "help" else "check-in")


@bp.post("/visits/<int:visit_id>/check-in")
@roles(*OPERATIVE_ROLES)
def check_in(visit_id: int):
    return _from_form(visit_id, "in")


@bp.post("/visits/<int:visit_id>/extend")
@roles(*OPERATIVE_ROLES)
def extend(visit_id: int):
    return _from_form(visit_id, "extend")


@bp.post("/visits/<int:visit_id>/check-out")
@roles(*OPERATIVE_ROLES)
def check_out(visit_id: int):
    return _from_form(visit_id, "out")


@bp.post("/visits/<int:visit_id>/help")
@roles(*OPERATIVE_ROLES)
def need_help(visit_id: int):
    """Answers exactly as a reload of the briefing would: nothing on the screen changes."""
    return _from_form(visit_id, "help")


@bp.post("/visits/<int:visit_id>/call-me-back")
@roles(*OPERATIVE_ROLES)
def call_me_back(visit_id: int):
    """After a hard visit: the operative asks their supervisor to call them."""
    db = get_db()
    visit = visit_or_404(db, visit_id)
    with transaction(db):
        queries.create_call_back_request(db, current_user.id, visit["id"], utc_now())
        audit.record("call_back_requested", "visit", visit["id"], db=db)
    flash("Your supervisor will see that you asked for a call back.", "success")
    return redirect(url_for("operative.today"), code=303)


@bp.post("/api/checkins")
@roles(*OPERATIVE_ROLES)
def api_checkins():
    """For the outbox: 201 the first time, 200 with the same body on a resend, 422 when the id
    was used for a different message or names no check-in of theirs, 400 when not valid."""
    db = get_db()
    try:
        body = json_body()
    except JsonRefused as refused:
        if not refused.unreadable:
            return jsonify(errors={"body": str(refused)}), refused.status
        body = None
    if not isinstance(body, dict):
        return jsonify(errors={"body": "Send the message as a JSON object"}), 400
    visit_id = body.get("visit_id")
    if not isinstance(visit_id, int) or isinstance(visit_id, bool):
        return jsonify(errors={"visit_id": "Say which visit this message is for"}), 400
    visit = visit_or_404(db, visit_id)
    form = CheckinForm(formdata=json_formdata(body))
    if not form.validate():
        return jsonify(errors=form.messages()), 400
    status, answer = lone_worker.record(db, visit, current_user.id, form.checkin_input(),
                                        datetime.now(UTC))
    if status == "conflict":
        return jsonify(errors={"client_id": CONFLICT_MESSAGE}), 422
    if status == "unknown_checkin":
        return jsonify(errors={"checkin": "Check in first: this check-in is not known"}), 422
    return jsonify(answer), STATUS_FOR[status]
