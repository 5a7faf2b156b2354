"""Alert rules, read from the database: a log fires rules; the rules decide the severity.

Repeated no access is a signal to understand, never an enforcement trigger: its words say so.
"""

from datetime import UTC, datetime, timedelta

from fieldapp.alerts import escalation, queries
from fieldapp.core.catalogues import catalogue
from fieldapp.core.db import utc_now
from fieldapp.pathways.queries import active_team_inbox_id
from fieldapp.push import sender

SEVERITY_ORDER = {"urgent": 0, "reach_out": 1}
REASON_SEPARATOR = "; "  # an alert stores each rule's catalogue title, joined with this
REPEAT_WINDOW = timedelta(days=28)
REPEAT_COUNT = 2


def fired_rules(db, log) -> list:
    concerns = catalogue(db).concerns
    facts = {
        "concern": set(log.concerns),
        "concern_group": {concerns[code].group_code for code in log.concerns if code in concerns},
        "distress": {log.distress},
        "outcome": {log.outcome},
        "no_access_reason": {log.no_access_reason} - {None},
    }
    return [rule for rule in queries.active_rules(db)
            if rule["match_value"] in facts.get(rule["match_field"], set())]


def raise_alerts(db, log_id: int, visit, log, earlier=None) -> None:
    """Called inside the log's transaction, so a log and its alerts are stored together.

    For an amended log (`earlier` is the version it corrects), only rules the earlier version
    did not fire raise an alert: the officer already has the others.
    """
    resident = queries.resident_for_alert(db, visit["resident_id"])
    already = {r["code"] for r in fired_rules(db, earlier)} if earlier else set()
    rules = [rule for rule in fired_rules(db, log) if rule["code"] not in already]
    if rules:
        severity = min((r["severity"] for r in rules), key=SEVERITY_ORDER.get)
        alert_id = _insert_alert(db, resident, log_id, severity, [r["title"] for r in rules])
        if severity == "urgent":
            escalation.schedule(db, alert_id)
    no_access = catalogue(db).codes_where("is_no_access")
    if log.outcome in no_access and not (earlier and earlier.outcome in no_access):
        _repeated_no_access(db, resident, log_id, no_access)


def _repeated_no_access(db, resident, log_id: int, no_access: tuple[str, ...]) -> None:
    rule = queries.repeated_no_access_rule(db)
    if rule is None:
        return
    since = (datetime.now(UTC) - REPEAT_WINDOW).isoformat(timespec="seconds")
    count = queries.no_access_count_since(db, resident["id"], no_access, since)
    if count >= REPEAT_COUNT and not queries.open_alert_for_reasons(db, resident["id"],
                                                                    rule["title"]):
        _insert_alert(db, resident, log_id, rule["severity"], [rule["title"]])


def raise_visit_alert(db, visit, severity: str, reason: str, feedback_theme: str = "") -> int:
    """An alert about a visit with no log (a resident's rebook request). Inside a transaction.
    `feedback_theme` marks an alert raised by the resident's feedback (what it was about):
    closing it records what changed, and the resident is told ("you said, we did")."""
    resident = queries.resident_for_alert(db, visit["resident_id"])
    alert_id = _insert_alert(db, resident, None, severity, [reason])
    queries.set_alert_visit(db, alert_id, visit["id"], feedback_theme)
    return alert_id


def raise_resident_alert(db, resident_id: int, severity: str, reason: str) -> int:
    """An alert about a resident, not a visit (a pause's return or review). Inside a
    transaction. The reason is the officer's prompt and never names why they were away."""
    return _insert_alert(db, queries.resident_for_alert(db, resident_id), None, severity,
                         [reason])


def raise_visit_alert_once(db, visit, severity: str, reason: str,
                           feedback_theme: str = "") -> int:
    """The same, unless this visit already has an open alert for this reason: a resident who
    sends the same answer twice gets one follow-up, not two. Inside a transaction."""
    existing = queries.open_alert_for_visit(db, visit["id"], reason)
    return existing["id"] if existing else raise_visit_alert(db, visit, severity, reason,
                                                             feedback_theme)


def _insert_alert(db, resident, log_id: int | None, severity: str, reasons: list[str]) -> int:
    # No single point of contact: the team inbox the admin named (docs/decisions.md).
    officer_id = _active_officer(db, resident) or active_team_inbox_id(db,
                                                                       resident["landlord_id"])
    alert_id = queries.insert_alert(db, resident["id"], officer_id, log_id, severity,
                                    REASON_SEPARATOR.join(reasons), utc_now())
    if officer_id is None:
        # Nobody's inbox would show it: the landlord's duty officers get it at once.
        escalation.send_to_duty(db, queries.alert_with_landlord(db, alert_id),
                                "No officer is assigned to this resident: ")
        return alert_id
    # The inbox is the record; the push is the fast path, queued in the same transaction.
    sender.queue_for_alert(db, alert_id, officer_id, severity)
    return alert_id


def reasons_of(alert) -> tuple[str, list[str]]:
    """Why a copy came to this inbox ("Escalated, not yet acknowledged", "" for the resident's
    own officer) and each reason in the catalogue's words, one per rule the log fired."""
    reasons, why = alert["reasons"], ""
    if alert["escalated_from"] is not None:
        # A duty copy's text is the escalation's "why: " then the original reasons; no "why"
        # holds ": ", while a reason may ("Visit stopped: the resident was distressed").
        why, _colon, reasons = reasons.partition(": ")
    return why, [reason for reason in reasons.split(REASON_SEPARATOR) if reason]


def _active_officer(db, resident) -> int | None:
    """The resident's officer, unless there is none or their account is disabled."""
    if resident["officer_id"] is None:
        return None
    return queries.active_user_id(db, resident["officer_id"])


def urgent_triggers(db) -> dict[str, list[str]]:
    """The answers that make a log urgent, for the phone: with no signal it cannot ask us, yet
    should still ask the operative "How are you?" after a hard visit."""
    concerns = catalogue(db).concerns.values()
    triggers: dict[str, list[str]] = {"outcome": [], "distress": [], "concern": []}
    for rule in queries.urgent_rules(db):
        if rule["match_field"] == "concern_group":
            triggers["concern"] += [c.code for c in concerns
                                    if c.group_code == rule["match_value"]]
        elif rule["match_field"] in triggers:
            triggers[rule["match_field"]].append(rule["match_value"])
    return triggers
