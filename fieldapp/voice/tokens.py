"""Signed links to a visit for residents: one purpose each (the salt), unguessable, and checked
against the database when opened, so a cancelled visit or an old link says so calmly."""

from datetime import UTC, datetime, timedelta

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from fieldapp.core.clock import to_local
from fieldapp.voice import queries

FEEDBACK_SALT = "fieldapp.visit-feedback.v1"
REBOOK_SALT = "fieldapp.visit-rebook.v1"
OFFER_SALT = "fieldapp.visit-times.v1"  # the resident's own choice of time (fieldapp.choice)
# Feedback is welcome from the start of the visit until two weeks after it.
FEEDBACK_DAYS_AFTER = 14


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make(salt: str, visit_id: int) -> str:
    return _serializer(salt).dumps(visit_id)


def visit_for(db, salt: str, token: str):
    """The visit a link names, or None for a link that is not ours."""
    try:
        visit_id = _serializer(salt).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(visit_id, int):
        return None
    return queries.visit_for_link(db, visit_id)


def feedback_closes(visit) -> datetime:
    """When the feedback link stops taking answers: two weeks after the visit ends."""
    return to_local(visit["ends_at"]) + timedelta(days=FEEDBACK_DAYS_AFTER)


def feedback_window_open(visit, now: datetime | None = None) -> bool:
    """The feedback page takes answers: a resident who has the link is always heard."""
    now = now or datetime.now(UTC)
    return (visit["status"] == "booked"
            and to_local(visit["starts_at"]) <= now <= feedback_closes(visit))


def feedback_open(visit, now: datetime | None = None) -> bool:
    """We may ask the resident how the visit felt (the operative's QR code, the check page):
    not straight after a visit stopped for distress or risk, until their officer chooses to."""
    return feedback_window_open(visit, now) and not visit["feedback_held"]


def why_offer_closed(db, visit, now: datetime | None = None) -> str | None:
    """Why the visit's offer of times (its link to choose a time) can no longer be answered
    though no new offer replaced it: "cancelled", or "happened" (its booked time has begun, or
    someone has logged it); None while the visit is still to come. An offer is closed by this
    alone, never by a change to the offer: the log and the cancelling live in areas the choice
    area is built on. Here, so the officer's visit page and the choice area say the same."""
    if visit["status"] != "booked":
        return "cancelled"
    if to_local(visit["starts_at"]) <= (now or datetime.now(UTC)) \
            or queries.first_log(db, visit["id"]) is not None:
        return "happened"
    return None


def feedback_url(visit_id: int) -> str:
    base = current_app.config["FIELDAPP_BASE_URL"].rstrip("/")
    return base + url_for("voice.feedback", token=make(FEEDBACK_SALT, visit_id))


def rebook_url(visit_id: int) -> str:
    base = current_app.config["FIELDAPP_BASE_URL"].rstrip("/")
    return base + url_for("voice.rebook", token=make(REBOOK_SALT, visit_id))


def offer_url(visit_id: int) -> str:
    base = current_app.config["FIELDAPP_BASE_URL"].rstrip("/")
    return base + url_for("choice.times", token=make(OFFER_SALT, visit_id))
