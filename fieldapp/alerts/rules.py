"""Alert rules, read from the database: a log fires rules; the rules decide the severity.

Repeated no access is a signal to understand, never an enforcement trigger: its words say so.
"""

from datetime import UTC, datetime, timedelta

from fieldapp.alerts import escalation
from fieldapp.core.db import query_all, query_one, utc_now
from fieldapp.push import sender

SEVERITY_ORDER = {"urgent": 0, "reach_out": 1}
REPEAT_WINDOW = timedelta(days=28)
REPEAT_COUNT = 2


def _concern_groups(db, concerns) -> set[str]:
    if not concerns:
        return set()
    marks = ",".join("?" * len(concerns))
    return {r["group_code"] for r in query_all(
        db, f"SELECT group_code FROM concern_categories WHERE code IN ({marks})", concerns)}


def fired_rules(db, log) -> list:
    facts = {
        "concern": set(log.concerns),
        "concern_group": _concern_groups(db, log.concerns),
        "distress": {log.distress},
        "outcome": {log.outcome},
        "no_access_reason": {log.no_access_reason} - {None},
    }
    return [rule for rule in query_all(db, "SELECT * FROM alert_rules WHERE active = 1 AND"
                                           " match_field != 'repeat_no_access' ORDER BY sort_order")
            if rule["match_value"] in facts.get(rule["match_field"], set())]


def raise_alerts(db, log_id: int, visit, log, earlier=None) -> None:
    """Called inside the log's transaction, so a log and its alerts are stored together.

    For an amended log (`earlier` is the version it corrects), only rules the earlier version
    did not fire raise an alert: the officer already has the others.
    """
    resident = query_one(db, "SELECT id, officer_id FROM residents WHERE id = ?",
                         (visit["resident_id"],))
    already = {r["code"] for r in fired_rules(db, earlier)} if earlier else set()
    rules = [rule for rule in fired_rules(db, log) if rule["code"] not in already]
    if rules:
        severity = min((r["severity"] for r in rules), key=SEVERITY_ORDER.get)
        alert_id = _insert_alert(db, resident, log_id, severity, [r["title"] for r in rules])
        if severity == "urgent":
            escalation.schedule(db, alert_id)
    if log.outcome == "no_access" and not (earlier and earlier.outcome == "no_access"):
        _repeated_no_access(db, resident, log_id)


def _repeated_no_access(db, resident, log_id: int) -> None:
    rule = query_one(db, "SELECT * FROM alert_rules WHERE match_field = 'repeat_no_access'"
                         " AND active = 1")
    if rule is None:
        return
    since = (datetime.now(UTC) - REPEAT_WINDOW).isoformat(timespec="seconds")
    count = query_one(db, """
        SELECT count(*) AS n FROM visit_logs JOIN visits ON visits.id = visit_logs.visit_id
        WHERE visits.resident_id = ? AND visit_logs.outcome = 'no_access'
          AND visit_logs.created_at > ?
          AND NOT EXISTS (SELECT 1 FROM visit_logs AS newer
                          WHERE newer.amends_log_id = visit_logs.id)""",
        (resident["id"], since))["n"]
    already_open = query_one(db, """
        SELECT 1 FROM alerts WHERE resident_id = ? AND reasons = ? AND status != 'closed'""",
        (resident["id"], rule["title"]))
    if count >= REPEAT_COUNT and not already_open:
        _insert_alert(db, resident, log_id, rule["severity"], [rule["title"]])


def raise_visit_alert(db, visit, severity: str, reason: str) -> int:
    """An alert about a visit with no log (a resident's rebook request). Inside a transaction."""
    resident = query_one(db, "SELECT id, officer_id FROM residents WHERE id = ?",
                         (visit["resident_id"],))
    alert_id = _insert_alert(db, resident, None, severity, [reason])
    db.execute("UPDATE alerts SET visit_id = ? WHERE id = ? OR escalated_from = ?",
               (visit["id"], alert_id, alert_id))
    return alert_id


def _insert_alert(db, resident, log_id: int | None, severity: str, reasons: list[str]) -> int:
    officer_id = _active_officer(db, resident)
    alert_id = db.execute(
        "INSERT INTO alerts (resident_id, officer_id, log_id, severity, reasons, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (resident["id"], officer_id, log_id, severity, "; ".join(reasons), utc_now())
    ).lastrowid
    if officer_id is None:
        # Nobody's inbox would show it: the landlord's duty officers get it at once.
        alert = query_one(db, "SELECT alerts.*, residents.landlord_id FROM alerts JOIN"
                              " residents ON residents.id = alerts.resident_id"
                              " WHERE alerts.id = ?", (alert_id,))
        escalation.send_to_duty(db, alert, "No officer is assigned to this resident: ")
        return alert_id
    # The inbox is the record; the push is the fast path, queued in the same transaction.
    sender.queue_for_alert(db, alert_id, officer_id, severity)
    return alert_id


def _active_officer(db, resident) -> int | None:
    """The resident's officer, unless there is none or their account is disabled."""
    if resident["officer_id"] is None:
        return None
    row = query_one(db, "SELECT id FROM users WHERE id = ? AND active = 1",
                    (resident["officer_id"],))
    return row["id"] if row else None


def urgent_triggers(db) -> dict[str, list[str]]:
    """The answers that make a log urgent, for the phone: with no signal it cannot ask us, yet
    should still ask the operative "How are you?" after a hard visit."""
    triggers: dict[str, list[str]] = {"outcome": [], "distress": [], "concern": []}
    for rule in query_all(db, "SELECT match_field, match_value FROM alert_rules"
                              " WHERE active = 1 AND severity = 'urgent'"):
        if rule["match_field"] == "concern_group":
            triggers["concern"] += [row["code"] for row in query_all(
                db, "SELECT code FROM concern_categories WHERE group_code = ?",
                (rule["match_value"],))]
        elif rule["match_field"] in triggers:
            triggers[rule["match_field"]].append(rule["match_value"])
    return triggers
