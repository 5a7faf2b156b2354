"""Escalation: an urgent alert nobody acknowledged in time goes to the landlord's duty users.

Queued with the alert (same transaction), run by the worker when the window has passed.
"""

from datetime import UTC, datetime, timedelta

from flask import current_app, has_app_context

from fieldapp.alerts import queries
from fieldapp.core import jobs
from fieldapp.core.db import transaction, utc_now
from fieldapp.push import sender

DEFAULT_WINDOW_MINUTES = 30


def window() -> timedelta:
    minutes = DEFAULT_WINDOW_MINUTES
    if has_app_context():
        minutes = current_app.config.get("FIELDAPP_ESCALATE_MINUTES", minutes)
    return timedelta(minutes=minutes)


def schedule(db, alert_id: int) -> None:
    """A safety job (a resident at risk): once due, the worker runs it before every due job
    that is not a safety job."""
    jobs.enqueue(db, "escalate_alert", {"alert_id": alert_id},
                 run_after=datetime.now(UTC) + window(), safety=True)


@jobs.handler("escalate_alert")
def escalate(db, payload: dict, _now) -> None:
    """Safe to run twice: an alert already escalated or acknowledged is left alone."""
    with transaction(db):
        alert = queries.alert_with_landlord(db, payload["alert_id"])
        if alert is None or alert["status"] != "new" or alert["escalated_at"]:
            return
        send_to_duty(db, alert, "Escalated, not yet acknowledged: ")


def send_to_duty(db, alert, why: str) -> None:
    """Gives each on-duty officer or admin of the landlord a copy of the alert (its visit and
    feedback theme too, so a copy of a feedback alert asks what changed), in their inbox and by
    push, and records on the alert when it went to them. Call inside a transaction."""
    now = utc_now()
    queries.mark_escalated(db, alert["id"], now)
    for duty_id in queries.duty_user_ids(db, alert["landlord_id"]):
        duty_alert = queries.insert_alert(
            db, alert["resident_id"], duty_id, alert["log_id"], alert["severity"],
            why + alert["reasons"], now, escalated_from=alert["id"],
            visit_id=alert["visit_id"], feedback_theme=alert["feedback_theme"])
        sender.queue_for_alert(db, duty_alert, duty_id, alert["severity"])
