"""Every query of the alerts area: the officer's inbox and alert page, and what the rules and
the escalation read and write. Reads return rows or None; the routes decide 404."""

from fieldapp.core.db import query_all, query_one

INBOX_COLUMNS = """
        SELECT alerts.*, residents.name AS resident_name, residents.preferred_name,
               visits.trade, visits.starts_at
        FROM alerts JOIN residents ON residents.id = alerts.resident_id
        LEFT JOIN visit_logs ON visit_logs.id = alerts.log_id
        LEFT JOIN visits ON visits.id = COALESCE(alerts.visit_id, visit_logs.visit_id)"""


INBOX_VIEWS = ("mine", "urgent", "all")


def inbox_alerts(db, officer_id: int, recently_closed: int, view: str = "all") -> list:
    """Every open alert, urgent and newest first, then the most recently closed: a year's
    closed alerts would bury the page (they stay on each resident's record).

    `view`: "all" is everything in this inbox; "mine" leaves out the copies sent to this person
    on the duty rota (alerts about other officers' residents); "urgent" is the open urgent ones.
    """
    scope = {"all": "", "mine": " AND alerts.escalated_from IS NULL",
             "urgent": " AND alerts.severity = 'urgent'"}[view]
    open_alerts = query_all(db, INBOX_COLUMNS + """
        WHERE alerts.officer_id = ? AND alerts.status IN ('new', 'acknowledged')""" + scope + """
        ORDER BY alerts.severity != 'urgent', alerts.created_at DESC LIMIT 200""",
                            (officer_id,))
    if view == "urgent":
        return open_alerts
    closed = query_all(db, INBOX_COLUMNS + """
        WHERE alerts.officer_id = ? AND alerts.status = 'closed'""" + scope + """
        ORDER BY alerts.created_at DESC LIMIT ?""", (officer_id, recently_closed))
    return open_alerts + closed


def open_counts(db, officer_id: int) -> dict:
    row = query_one(db, """
        SELECT sum(status = 'new') AS new, sum(status = 'new' AND severity = 'urgent') AS urgent,
               sum(status = 'acknowledged') AS acknowledged
        FROM alerts WHERE officer_id = ? AND status != 'closed'""", (officer_id,))
    return {key: row[key] or 0 for key in ("new", "urgent", "acknowledged")}


def alert_for_officer(db, alert_id: int, officer_id: int):
    """The alert with its log and visit, only for the officer it was sent to; else None."""
    return query_one(db, """
        SELECT alerts.*, residents.name AS resident_name, residents.preferred_name,
               residents.id AS resident_id, residents.officer_id AS resident_officer_id,
               visit_logs.outcome, visit_logs.no_access_reason,
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


def concern_codes_for_log(db, log_id: int | None) -> set[str]:
    if log_id is None:
        return set()
    return {row["concern"] for row in query_all(
        db, "SELECT concern FROM log_concerns WHERE log_id = ?", (log_id,))}


def rebook_request_for_visit(db, visit_id: int | None):
    """The resident's request for another time that raised the alert, or None."""
    if visit_id is None:
        return None
    return query_one(db, "SELECT * FROM rebook_requests WHERE visit_id = ?", (visit_id,))


def acknowledge_alert(db, alert_id: int, officer_id: int, now: str) -> None:
    db.execute("UPDATE alerts SET status = 'acknowledged', acknowledged_at = ?,"
               " acknowledged_by = ? WHERE id = ? AND officer_id = ? AND status = 'new'",
               (now, officer_id, alert_id, officer_id))


def close_alert(db, alert_id: int, officer_id: int, action_taken: str, now: str) -> None:
    """Closing an alert nobody acknowledged acknowledges it too, by the same officer."""
    db.execute("UPDATE alerts SET status = 'closed', closed_at = ?, closed_by = ?,"
               " action_taken = ?, acknowledged_at = coalesce(acknowledged_at, ?),"
               " acknowledged_by = coalesce(acknowledged_by, ?)"
               " WHERE id = ? AND officer_id = ?",
               (now, officer_id, action_taken, now, officer_id, alert_id, officer_id))


def close_with_copies(db, alert_id: int, officer_id: int, action_taken: str,
                      now: str) -> list[int]:
    """Closes the alert with its original and every copy of that original still open, as one
    answer (a feedback alert's "you said, we did" is told once); the ids closed, this one
    first. Closing acknowledges too, by the same officer."""
    ids = [row["id"] for row in query_all(db, """
        SELECT family.id FROM alerts AS this JOIN alerts AS family
          ON family.id = coalesce(this.escalated_from, this.id)
          OR family.escalated_from = coalesce(this.escalated_from, this.id)
        WHERE this.id = ? AND family.status != 'closed'
        ORDER BY family.id != this.id, family.id""", (alert_id,))]
    db.conn.executemany(
        "UPDATE alerts SET status = 'closed', closed_at = ?, closed_by = ?, action_taken = ?,"
        " acknowledged_at = coalesce(acknowledged_at, ?),"
        " acknowledged_by = coalesce(acknowledged_by, ?) WHERE id = ?",
        [(now, officer_id, action_taken, now, officer_id, closing) for closing in ids])
    return ids


def original_of(db, alert_id: int) -> int:
    """The alert a duty copy was made from; an original is its own."""
    row = query_one(db, "SELECT coalesce(escalated_from, id) AS id FROM alerts WHERE id = ?",
                    (alert_id,))
    return row["id"]


def record_action(db, alert_id: int, officer_id: int, action: str, now: str) -> None:
    """An action taken before closing (a referral): added to what the alert says was done,
    acknowledging the alert if nobody had."""
    db.execute("UPDATE alerts SET action_taken = CASE WHEN action_taken = '' THEN ?"
               " ELSE action_taken || '; ' || ? END,"
               " status = CASE WHEN status = 'new' THEN 'acknowledged' ELSE status END,"
               " acknowledged_at = coalesce(acknowledged_at, ?),"
               " acknowledged_by = coalesce(acknowledged_by, ?)"
               " WHERE id = ? AND officer_id = ?",
               (action, action, now, officer_id, alert_id, officer_id))


def record_feedback_outcome(db, alert_id: int, outcome: str, what_changed: str,
                            note: str) -> None:
    """Whether anything changed because of the resident's feedback ('changed' or
    'no_change'), what changed in words for the resident (only when it did), and the
    officer's note for the record."""
    db.execute("UPDATE alerts SET feedback_outcome = ?, what_changed = ?, outcome_note = ?"
               " WHERE id = ?", (outcome, what_changed if outcome == "changed" else "", note,
                                 alert_id))


# What the rules and the escalation read and write, inside the transaction of what raised them.

def active_rules(db) -> list:
    """The rules a single log can fire (repeated no access counts logs, so it is apart)."""
    return query_all(db, "SELECT * FROM alert_rules WHERE active = 1 AND"
                         " match_field != 'repeat_no_access' ORDER BY sort_order")


def urgent_rules(db) -> list:
    return query_all(db, "SELECT match_field, match_value FROM alert_rules"
                         " WHERE active = 1 AND severity = 'urgent'")


def repeated_no_access_rule(db):
    return query_one(db, "SELECT * FROM alert_rules WHERE match_field = 'repeat_no_access'"
                         " AND active = 1")


def no_access_count_since(db, resident_id: int, outcomes: tuple[str, ...], since: str) -> int:
    """The resident's logs with a no-access outcome since then, an amended log counted once.
    A visit in a pause (the resident was away) never counts: a pause, not a penalty."""
    marks = ",".join("?" * len(outcomes))
    return query_one(db, f"""
        SELECT count(*) AS n FROM visit_logs JOIN visits ON visits.id = visit_logs.visit_id
        WHERE visits.resident_id = ? AND visit_logs.outcome IN ({marks})
          AND visit_logs.created_at > ?
          AND NOT EXISTS (SELECT 1 FROM visit_logs AS newer
                          WHERE newer.amends_log_id = visit_logs.id)
          AND NOT EXISTS (SELECT 1 FROM resident_pauses AS pause
                          WHERE pause.resident_id = visits.resident_id
                            AND visits.starts_at >= pause.starts_at
                            AND (pause.ends_at IS NULL OR visits.starts_at < pause.ends_at))""",
        (resident_id, *outcomes, since))["n"]


def open_alert_for_reasons(db, resident_id: int, reasons: str):
    return query_one(db, "SELECT 1 FROM alerts WHERE resident_id = ? AND reasons = ?"
                         " AND status != 'closed'", (resident_id, reasons))


def open_alert_for_visit(db, visit_id: int, reasons: str):
    return query_one(db, "SELECT id FROM alerts WHERE visit_id = ? AND reasons = ?"
                         " AND status != 'closed'", (visit_id, reasons))


def resident_for_alert(db, resident_id: int):
    return query_one(db, "SELECT id, officer_id, landlord_id FROM residents WHERE id = ?",
                     (resident_id,))


def active_user_id(db, user_id: int) -> int | None:
    row = query_one(db, "SELECT id FROM users WHERE id = ? AND active = 1", (user_id,))
    return row["id"] if row else None


def insert_alert(db, resident_id: int, officer_id: int | None, log_id: int | None,
                 severity: str, reasons: str, now: str, escalated_from: int | None = None,
                 visit_id: int | None = None, feedback_theme: str = "") -> int:
    return db.execute(
        "INSERT INTO alerts (resident_id, officer_id, log_id, severity, reasons, created_at,"
        " escalated_from, visit_id, feedback_theme) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (resident_id, officer_id, log_id, severity, reasons, now, escalated_from, visit_id,
         feedback_theme)).lastrowid


def set_alert_visit(db, alert_id: int, visit_id: int, feedback_theme: str = "") -> None:
    """The visit of an alert with no log, on the alert and on each copy sent to the duty team."""
    db.execute("UPDATE alerts SET visit_id = ?, feedback_theme = ? WHERE id = ? OR"
               " escalated_from = ?", (visit_id, feedback_theme, alert_id, alert_id))


def alert_with_landlord(db, alert_id: int):
    return query_one(db, "SELECT alerts.*, residents.landlord_id FROM alerts JOIN residents"
                         " ON residents.id = alerts.resident_id WHERE alerts.id = ?", (alert_id,))


def duty_user_ids(db, landlord_id: int) -> list[int]:
    """The landlord's active officers and admins on the duty rota."""
    return [row["id"] for row in query_all(db, """
        SELECT users.id FROM users JOIN organisations
        ON organisations.id = users.organisation_id
        WHERE organisations.landlord_id = ? AND users.on_duty = 1 AND users.active = 1
          AND users.role IN ('officer', 'admin')""", (landlord_id,))]


def mark_escalated(db, alert_id: int, now: str) -> None:
    db.execute("UPDATE alerts SET escalated_at = ? WHERE id = ?", (now, alert_id))
