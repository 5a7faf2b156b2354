"""Escalation: an urgent alert nobody acknowledged in time goes to the landlord's duty users.

Queued with the alert (same transaction), run by the worker when the window has passed.
"""

from datetime import UTC, datetime, timedelta

from flask import current_app, has_app_context

from fieldapp.core import jobs
from fieldapp.core.db import query_all, query_one, transaction, utc_now
from fieldapp.push import sender

DEFAULT_WINDOW_MINUTES = 30


def window() -> timedelta:
    minutes = DEFAULT_WINDOW_MINUTES
    if has_app_context():
        minutes = current_app.config.get("FIELDAPP_ESCALATE_MINUTES", minutes)
    return timedelta(minutes=minutes)


def schedule(db, alert_id: int) -> None:
    jobs.enqueue(db, "escalate_alert", {"alert_id": alert_id},
                 run_after=datetime.now(UTC) + window())


@jobs.handler("escalate_alert")
def escalate(db, payload: dict, _now) -> None:
    """Safe to run twice: an alert already escalated or acknowledged is left alone."""
    with transaction(db):
        alert = query_one(db, "SELECT alerts.*, residents.landlord_id FROM alerts JOIN residents"
                              " ON residents.id = alerts.resident_id WHERE alerts.id = ?",
                          (payload["alert_id"],))
        if alert is None or alert["status"] != "new" or alert["escalated_at"]:
            return
        send_to_duty(db, alert, "Escalated, not yet acknowledged: ")


def send_to_duty(db, alert, why: str) -> None:
    """Gives each on-duty officer or admin of the landlord a copy of the alert, in their inbox
    and by push, and records on the alert when it went to them. Call inside a transaction."""
    now = utc_now()
    db.execute("UPDATE alerts SET escalated_at = ? WHERE id = ?", (now, alert["id"]))
    for duty in query_all(db, """
            SELECT users.id FROM users JOIN organisations
            ON organisations.id = users.organisation_id
            WHERE organisations.landlord_id = ? AND users.on_duty = 1 AND users.active = 1
              AND users.role IN ('officer', 'admin')""", (alert["landlord_id"],)):
        duty_alert = db.execute(
            "INSERT INTO alerts (resident_id, officer_id, log_id, severity, reasons,"
            " created_at, escalated_from) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (alert["resident_id"], duty["id"], alert["log_id"], alert["severity"],
             why + alert["reasons"], now, alert["id"])).lastrowid
        sender.queue_for_alert(db, duty_alert, duty["id"], alert["severity"])
