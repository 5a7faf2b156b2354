"""The post-visit log: a form for the doorstep, and a JSON endpoint for the phone's outbox."""

import uuid

from flask import (
    Response,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from fieldapp.alerts.rules import urgent_triggers
from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, OPERATIVE_ROLES, found_or_404, roles
from fieldapp.core.catalogues import catalogue
from fieldapp.core.clock import to_local, today_local, when_in_words
from fieldapp.core.db import get_db
from fieldapp.core.forms import render_form
from fieldapp.core.qr import qr_svg
from fieldapp.core.security import JsonRefused, json_body, json_from
from fieldapp.logs import bp
from fieldapp.logs.forms import LIMITS, MESSAGES, LogForm, json_formdata
from fieldapp.logs.photos import LONGEST_SIDE, MAX_PHOTO_BYTES, MAX_PHOTOS, prepare_all
from fieldapp.logs.queries import (
    current_log,
    log_by_client_id,
    log_for_author,
    log_summary,
    photo_chunks,
    photo_for_landlord,
    photo_for_operative,
    photos_of_logs,
)
from fieldapp.logs.store import store_log, stored_input
from fieldapp.operative.queries import log_of_visit, visit_to_log
from fieldapp.voice import tokens

STATUS_FOR = {"created": 201, "replayed": 200}
NO_LONGER_CHANGEABLE = ("A log can be changed only on the day of the visit. To add something, "
                        "call the resident's housing officer")
CONFLICT_MESSAGE = ("A different log was already sent with this id. Nothing was changed: "
                    "check the log and send it as a new one.")


def taken_message(db, visit) -> str:
    """What a colleague reads when the visit is logged already: who, when, what; and who to
    tell if they saw something more."""
    first = log_of_visit(db, visit["id"])
    return (f"{first['author_name']} logged this visit {when_in_words(first['created_at'])}: "
            f"{catalogue(db).outcome_label(first['outcome'])}. A visit has one log, the first "
            "sent, so this one was not stored. To add something, tell "
            f"{first['author_name']} or call the resident's housing officer")


def _form_page(db, visit, form: LogForm, logged_at: str | None = None, photos_not_kept=0):
    # The phone's outbox checks a log with the same messages, and knows which answers make it
    # urgent, so it can still ask "How are you?" when there is no signal.
    phone = {"messages": MESSAGES, "limits": LIMITS, "urgent": urgent_triggers(db),
             "no_access_outcomes": catalogue(db).codes_where("is_no_access"),
             "photos": {"most": MAX_PHOTOS, "side": LONGEST_SIDE, "bytes": MAX_PHOTO_BYTES}}
    return render_form("logs/form.html", form, visit=visit, logged_at=logged_at, phone=phone,
                       photos_not_kept=photos_not_kept)


def _visit_to_log(db, visit_id: int):
    return found_or_404(visit_to_log(db, visit_id, current_user.id))


def _is_visit_day(visit) -> bool:
    return to_local(visit["starts_at"]).date() == today_local()


def _amendment_problem(db, visit, amends) -> str | None:
    """Only the author's latest log of this visit, and only on the visit day, can be changed."""
    if amends is None:
        return None
    current = current_log(db, visit["id"], current_user.id)
    if current is None or current["id"] != amends:
        return "This log was changed already or is not yours: open the log again"
    if not _is_visit_day(visit):
        return NO_LONGER_CHANGEABLE
    return None


@bp.get("/visits/<int:visit_id>/log")
@roles(*OPERATIVE_ROLES)
def log_form(visit_id: int):
    db = get_db()
    visit = _visit_to_log(db, visit_id)
    # The id travels with the form, so a double tap or a resend stores one log.
    answers = {"client_id": str(uuid.uuid4()), "distress": "none"}
    current = current_log(db, visit_id, current_user.id)
    first = log_of_visit(db, visit_id)
    if current is None and first is not None and first["author_id"] != current_user.id:
        return render_template("logs/taken.html", visit=visit, log=first,
                               outcome=catalogue(db).outcome_label(first["outcome"]))
    if current is None:
        return _form_page(db, visit, LogForm(catalogue(db), data=answers))
    if not _is_visit_day(visit):
        return redirect(url_for("logs.logged", visit_id=visit_id, log=current["id"]))
    earlier = stored_input(db, current["id"])
    form = LogForm(catalogue(db), data={
        **answers, "outcome": earlier.outcome, "no_access_reason": earlier.no_access_reason,
        "distress": earlier.distress, "note": earlier.note,
        # A retired concern is ticked as the one that replaced it, not lost from the change.
        "concerns": [catalogue(db).current_concern(code) for code in earlier.concerns],
        "follow_up": earlier.follow_up, "amends": current["id"]})
    return _form_page(db, visit, form, logged_at=current["created_at"])


@bp.post("/visits/<int:visit_id>/log")
@roles(*OPERATIVE_ROLES)
def submit_log(visit_id: int):
    db = get_db()
    visit = _visit_to_log(db, visit_id)
    form = LogForm(catalogue(db))
    amends = request.form.get("amends", type=int)
    valid = form.validate()
    photos, photo_problems = prepare_all(request.files.getlist("photos"))
    if photo_problems:
        form.photos.errors = [". ".join(photo_problems)]
    problem = _amendment_problem(db, visit, amends)
    if problem:
        form.client_id.errors = [problem]
    if not valid or problem or photo_problems:
        # A page cannot give back the files chosen: say so, rather than lose them unseen.
        return _form_page(db, visit, form, photos_not_kept=len(photos))
    log = form.log_input(tuple(photo.sent_sha256 for photo in photos))
    status, log_id = store_log(db, visit, current_user.id, log, amends, photos)
    if status == "taken":
        # Their answers stay on the page, so they can tell the officer what they saw.
        form.client_id.errors = [taken_message(db, visit)]
        return _form_page(db, visit, form, photos_not_kept=len(photos))[0], 409
    if status == "conflict":
        form.client_id.data = str(uuid.uuid4())
        form.client_id.errors = [CONFLICT_MESSAGE]
        return _form_page(db, visit, form, photos_not_kept=len(photos))
    return redirect(url_for("logs.logged", visit_id=visit_id, log=log_id), code=303)


@bp.get("/visits/<int:visit_id>/logged")
@roles(*OPERATIVE_ROLES)
def logged(visit_id: int):
    db = get_db()
    visit = _visit_to_log(db, visit_id)
    log = log_for_author(db, request.args.get("log", type=int), visit_id, current_user.id)
    if log is None:
        return redirect(url_for("logs.log_form", visit_id=visit_id))
    summary = log_summary(db, log["id"])
    # After an urgent log (distress, safeguarding, danger) we ask how the operative is.
    linked = tokens.visit_for(db, tokens.FEEDBACK_SALT, tokens.make(tokens.FEEDBACK_SALT,
                                                                      visit["id"]))
    return render_template("logs/logged.html", visit=visit, log=log, summary=summary,
                           # A visit stopped for distress or risk is hard too (the supervisor's
                           # support list counts both).
                           hard_visit="urgent" in summary["alerts"] or log["outcome"] in
                           catalogue(db).codes_where("stops_visit"),
                           feedback=_feedback_to_show(linked),
                           feedback_held=bool(linked and linked["feedback_held"]),
                           photos=photos_of_logs(db, [log["id"]]).get(log["id"], []))


def _feedback_to_show(visit) -> dict | None:
    """The short link (and its QR code) the operative can show the resident, once the visit
    has started, and not straight after a visit stopped for distress or risk: the answers go
    to the officer, never to the operative."""
    if visit is None or not tokens.feedback_open(visit):
        return None
    url = tokens.feedback_url(visit["id"])
    return {"url": url, "qr": qr_svg(url, "QR code that opens the feedback page")}


def _outbox_body():
    """The log sent by the outbox as a dict, or the answer refusing it. With photos, the log
    comes as JSON in the "log" field beside them."""
    try:
        body = (json_from(request.form.get("log", ""))
                if request.mimetype == "multipart/form-data" else json_body())
    except JsonRefused as refused:
        if not refused.unreadable:
            return jsonify(errors={"body": str(refused)}), refused.status
        body = None
    if not isinstance(body, dict):
        return jsonify(errors={"body": "Send the log as a JSON object"}), 400
    return body


@bp.post("/api/logs")
@roles(*OPERATIVE_ROLES)
def api_logs():
    """For the offline outbox: 201 first time, 200 with the same body on a resend, 422 when the
    id was used for a different log, 409 when a colleague logged the visit first, 400 with a
    message per field when the log is not valid."""
    db = get_db()
    body = _outbox_body()
    if not isinstance(body, dict):
        return body
    visit_id = body.get("visit_id")
    if not isinstance(visit_id, int) or isinstance(visit_id, bool):
        return jsonify(errors={"visit_id": "Say which visit this log is for"}), 400
    visit = _visit_to_log(db, visit_id)
    form = LogForm(catalogue(db), formdata=json_formdata(body))
    form.validate()
    errors = form.messages()
    amends = body.get("amends")
    if amends is not None and (not isinstance(amends, int) or isinstance(amends, bool)):
        errors = {**errors, "amends": "Say which log this one changes, by its id"}
    photos, photo_problems = prepare_all(request.files.getlist("photos"))
    if photo_problems:
        errors = {**errors, "photos": ". ".join(photo_problems)}
    if errors:
        return jsonify(errors=errors), 400
    log = form.log_input(tuple(photo.sent_sha256 for photo in photos))
    existing = log_by_client_id(db, log.client_id)
    problem = None if existing else _amendment_problem(db, visit, amends)
    if problem:
        return jsonify(errors={"amends": problem}), 422
    status, log_id = store_log(db, visit, current_user.id, log, amends, photos)
    if status == "taken":
        # The outbox keeps it, marked for the operative, with these words.
        return jsonify(errors={"client_id": taken_message(db, visit)}), 409
    if status == "conflict":
        return jsonify(errors={"client_id": CONFLICT_MESSAGE}), 422
    return jsonify(log_summary(db, log_id)), STATUS_FOR[status]


# ---- Photos of the work: to the operatives of the visit and the landlord's office ----

@bp.get("/visits/<int:visit_id>/photos/<int:photo_id>")
@roles(*OPERATIVE_ROLES)
def operative_photo(visit_id: int, photo_id: int):
    db = get_db()
    return _send_photo(db, found_or_404(photo_for_operative(db, visit_id, photo_id,
                                                            current_user.id)))


@bp.get("/schedule/<int:visit_id>/photos/<int:photo_id>")
@roles(*OFFICE_ROLES)
def office_photo(visit_id: int, photo_id: int):
    db = get_db()
    return _send_photo(db, found_or_404(photo_for_landlord(db, visit_id, photo_id,
                                                           current_user.landlord_id)))


def _send_photo(db, photo):
    """Every look at a photo is audited; the browser may keep it, a shared cache may not.
    Its bytes are read from the database a chunk at a time as they are sent."""
    audit.record("log_photo_viewed", "log_photo", photo["id"], db=db)
    response = Response(stream_with_context(photo_chunks(db, photo["id"])),
                        mimetype=photo["content_type"])
    response.headers["Content-Length"] = str(photo["size"])
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.set_etag(photo["sha256"])
    return response
