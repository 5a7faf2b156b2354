"""The officer's inbox: alerts about their residents' visits; acknowledge, then close."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.alerts import bp
from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, roles
from fieldapp.core.db import get_db, query_all, query_one, transaction, utc_now
from fieldapp.core.extensions import htmx

ACTION_LIMIT = 500


INBOX_COLUMNS = """
        SELECT alerts.*, residents.name AS resident_name, residents.preferred_name,
               visits.trade, visits.starts_at
        FROM alerts JOIN residents ON residents.id = alerts.resident_id
        LEFT JOIN visit_logs ON visit_logs.id = alerts.log_id
        LEFT JOIN visits ON visits.id = COALESCE(alerts.visit_id, visit_logs.visit_id)"""
RECENTLY_CLOSED = 20


def inbox_alerts(db, officer_id: int) -> list:
    """Every open alert, urgent and newest first, then the most recently closed: a year's
    closed alerts would bury the page (they stay on each resident's record)."""
    open_alerts = query_all(db, INBOX_COLUMNS + """
        WHERE alerts.officer_id = ? AND alerts.status IN ('new', 'acknowledged')
        ORDER BY alerts.severity != 'urgent', alerts.created_at DESC LIMIT 200""",
                            (officer_id,))
    closed = query_all(db, INBOX_COLUMNS + """
        WHERE alerts.officer_id = ? AND alerts.status = 'closed'
        ORDER BY alerts.created_at DESC LIMIT ?""", (officer_id, RECENTLY_CLOSED))
    return open_alerts + closed


def open_counts(db, officer_id: int) -> dict:
    row = query_one(db, """
        SELECT sum(status = 'new') AS new, sum(status = 'new' AND severity = 'urgent') AS urgent,
               sum(status = 'acknowledged') AS acknowledged
        FROM alerts WHERE officer_id = ? AND status != 'closed'""", (officer_id,))
    return {key: row[key] or 0 for key in ("new", "urgent", "acknowledged")}


@bp.app_context_processor
def inbox_counts() -> dict:
    """New alerts for the signed-in officer, shown in the navigation on every page."""
    if not current_user.is_authenticated or current_user.role not in OFFICE_ROLES:
        return {}
    return {"inbox_counts": open_counts(get_db(), current_user.id)}


def get_alert_or_404(db, alert_id: int, officer_id: int):
    """Only the officer the alert was sent to opens it: another officer's alert is a 404."""
    row = query_one(db, """
        SELECT alerts.*, residents.name AS resident_name, residents.preferred_name,
               residents.id AS resident_id, visit_logs.outcome, visit_logs.no_access_reason,
               visit_logs.distress, visit_logs.note, visit_logs.follow_up,
               visit_logs.created_at AS logged_at, visits.id AS visit_id, visits.trade,
               visits.starts_at, visits.ends_at, author.name AS author_name,
               firm.name AS firm_name
        FROM alerts JOIN residents ON residents.id = alerts.resident_id
        LEFT JOIN visit_logs ON visit_logs.id = alerts.log_id
        LEFT JOIN visits ON visits.id = COALESCE(alerts.visit_id, visit_logs.visit_id)
        LEFT JOIN users AS author ON author.id = visit_logs.author_id
        LEFT JOIN organisations AS firm ON firm.id = visits.firm_id
        WHERE alerts.id = ? AND alerts.officer_id = ?""", (alert_id, officer_id))
    if row is None:
        abort(404)
    return row


@bp.get("/inbox")
@roles(*OFFICE_ROLES)
def inbox():
    db = get_db()
    counts = open_counts(db, current_user.id)
    if htmx:  # the home page refreshing its counts needs nothing else
        response = make_response(render_template("alerts/_counts.html", counts=counts))
    else:
        response = make_response(render_template(
            "alerts/inbox.html", alerts=inbox_alerts(db, current_user.id), counts=counts,
            recently_closed=RECENTLY_CLOSED))
    response.vary.add("HX-Request")
    return response


@bp.get("/alerts/<int:alert_id>")
@roles(*OFFICE_ROLES)
def alert(alert_id: int):
    db = get_db()
    row = get_alert_or_404(db, alert_id, current_user.id)
    audit.record("alert_viewed", "alert", alert_id, db=db)
    return _alert_page(db, row)


def _alert_page(db, row, error: str | None = None, typed: str = ""):
    concerns = query_all(db, """
        SELECT concern_categories.label FROM log_concerns
        JOIN concern_categories ON concern_categories.code = log_concerns.concern
        WHERE log_concerns.log_id = ? ORDER BY concern_categories.sort_order""",
        (row["log_id"],))
    labels = {table: {r["code"]: r["label"] for r in query_all(
        db, f"SELECT code, label FROM {table}")} for table in
        ("visit_outcomes", "no_access_reasons", "distress_levels")}
    from fieldapp.voice import officer as resident_voice  # here: the voice package raises alerts

    voice = resident_voice.for_visit(db, row["visit_id"]) if row["visit_id"] else None
    return render_template("alerts/alert.html", alert=row, concerns=concerns, labels=labels,
                           error=error, typed=typed, rebook=voice and voice["request"])


@bp.post("/alerts/<int:alert_id>/acknowledge")
@roles(*OFFICE_ROLES)
def acknowledge(alert_id: int):
    db = get_db()
    get_alert_or_404(db, alert_id, current_user.id)
    with transaction(db):
        db.execute("UPDATE alerts SET status = 'acknowledged', acknowledged_at = ?,"
                   " acknowledged_by = ? WHERE id = ? AND status = 'new'",
                   (utc_now(), current_user.id, alert_id))
    audit.record("alert_acknowledged", "alert", alert_id, db=db)
    if htmx:
        row = get_alert_or_404(db, alert_id, current_user.id)
        return render_template("alerts/_status.html", alert=row)
    return redirect(url_for("alerts.alert", alert_id=alert_id), code=303)


@bp.post("/alerts/<int:alert_id>/close")
@roles(*OFFICE_ROLES)
def close(alert_id: int):
    db = get_db()
    row = get_alert_or_404(db, alert_id, current_user.id)
    action = " ".join((request.form.get("action_taken") or "").split())
    error = None
    if not action:
        error = "Enter the action you took"
    elif len(action) > ACTION_LIMIT:
        error = f"Action taken must be {ACTION_LIMIT} characters or fewer"
    if error or row["status"] == "closed":
        return _alert_page(db, row, error or "This alert is already closed", action), 422
    now = utc_now()
    with transaction(db):
        db.execute("UPDATE alerts SET status = 'closed', closed_at = ?, closed_by = ?,"
                   " action_taken = ?, acknowledged_at = coalesce(acknowledged_at, ?),"
                   " acknowledged_by = coalesce(acknowledged_by, ?) WHERE id = ?",
                   (now, current_user.id, action, now, current_user.id, alert_id))
    audit.record("alert_closed", "alert", alert_id, db=db)
    flash("The alert is closed. Thank you for following it up.", "success")
    return redirect(url_for("alerts.inbox"), code=303)
