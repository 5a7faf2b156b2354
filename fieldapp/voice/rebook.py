"""Can't make this time? The resident says so, with the days and times that suit them and,
only if they wish, why. It flags the visit and asks their officer to reach out."""

import json
from datetime import UTC, datetime

from flask import make_response, render_template, request

from fieldapp.alerts.rules import raise_visit_alert
from fieldapp.core import audit
from fieldapp.core.access import public
from fieldapp.core.clock import to_local
from fieldapp.core.db import get_db, query_one, transaction, utc_now
from fieldapp.core.limits import limiter
from fieldapp.voice import bp, tokens
from fieldapp.voice.feedback import closed_page, private, summary_of

DAYS = [("monday", "Monday"), ("tuesday", "Tuesday"), ("wednesday", "Wednesday"),
        ("thursday", "Thursday"), ("friday", "Friday"), ("saturday", "Saturday")]
TIMES = [("morning", "Morning (8am to 12 noon)"), ("afternoon", "Afternoon (12 noon to 5pm)"),
         ("evening", "Early evening (5pm to 7pm)")]
REASON_LIMIT = 500
ALERT_REASON = "The resident asked for another time"


def check(form) -> tuple[dict, dict]:
    values = {"days": form.getlist("days"), "times": form.getlist("times"),
              "reason": form.get("reason", "").strip()}
    errors = {}
    if not set(values["days"]) <= {code for code, _ in DAYS}:
        errors["days"] = "Choose days from the list"
    if not set(values["times"]) <= {code for code, _ in TIMES}:
        errors["times"] = "Choose times from the list"
    if len(values["reason"]) > REASON_LIMIT:
        errors["reason"] = f"This must be {REASON_LIMIT} characters or fewer"
    return values, errors


def store(db, visit, values: dict) -> bool:
    """Stores the request once; False when one was already made for this visit."""
    with transaction(db):
        stored = db.execute(
            "INSERT INTO rebook_requests (visit_id, preferred_days, preferred_times, reason,"
            " created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (visit_id) DO NOTHING",
            (visit["id"], json.dumps(values["days"]), json.dumps(values["times"]),
             values["reason"], utc_now())).rowcount
        if not stored:
            return False
        db.execute("UPDATE visits SET rebook_requested = 1, updated_at = ? WHERE id = ?",
                   (utc_now(), visit["id"]))
        raise_visit_alert(db, visit, "reach_out", ALERT_REASON)
        audit.record("rebook_requested", "visit", visit["id"], db=db)
    return True


def already_asked(db, visit_id: int) -> bool:
    return query_one(db, "SELECT 1 FROM rebook_requests WHERE visit_id = ?",
                     (visit_id,)) is not None


@bp.route("/r/<token>", methods=["GET", "POST"])
@public
@limiter.limit("60 per 10 minutes")
@limiter.limit("20 per hour", methods=["POST"])
def rebook(token: str):
    db = get_db()
    visit = tokens.visit_for(db, tokens.REBOOK_SALT, token)
    if visit is None:
        return closed_page(None, "unknown")
    if visit["status"] != "booked":
        return closed_page(visit, "cancelled")
    if already_asked(db, visit["id"]):
        return closed_page(visit, "rebook_used")
    if to_local(visit["ends_at"]) < datetime.now(UTC):
        return closed_page(visit, "rebook_passed")
    values, errors = ({"days": [], "times": [], "reason": ""}, {}) \
        if request.method == "GET" else check(request.form)
    if request.method == "POST" and not errors:
        if not store(db, visit, values):
            return closed_page(visit, "rebook_used")
        return private(make_response(render_template("voice/rebook_done.html", visit=visit)))
    page = render_template("voice/rebook.html", visit=visit, values=values, errors=errors,
                           summary=summary_of(errors, text_fields={"reason"}),
                           days=DAYS, times=TIMES, limit=REASON_LIMIT)
    return private(make_response(page, 422 if errors else 200))
