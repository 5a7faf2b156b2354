"""Every query of check-in and check-out: the operative's visit and check-ins, each phone
message stored once, the escalation steps, and what a supervisor sees of their firm. Reads
return rows or None; the routes decide 404."""

from fieldapp.core.db import query_all, query_one

CHECKIN_VISIT = """
    SELECT visits.id, visits.trade, visits.starts_at, visits.ends_at, visits.firm_id,
           visits.lone_working, visits.resident_id,
           residents.address_line1, residents.address_line2, residents.town,
           residents.postcode, landlord.id AS landlord_id, landlord.late_from,
           (SELECT coalesce(sum(expected_minutes), 0) FROM work_steps
            WHERE work_steps.visit_id = visits.id) AS steps_minutes
    FROM visits
    JOIN visit_operatives ON visit_operatives.visit_id = visits.id AND visit_operatives.user_id = ?
    JOIN residents ON residents.id = visits.resident_id
    JOIN organisations AS landlord ON landlord.id = residents.landlord_id
    WHERE visits.id = ? AND visits.status = 'booked'
      AND visits.starts_at >= ? AND visits.starts_at < ?"""


def visit_for_checkin(db, visit_id: int, operative_id: int, start: str, end: str):
    """The visit, if this operative attends it and it starts between `start` and `end`."""
    return query_one(db, CHECKIN_VISIT, (operative_id, visit_id, start, end))


def visit_with_address(db, visit_id: int):
    """What an escalation needs of a visit: its firm, landlord, resident's address."""
    return query_one(db, """
        SELECT visits.id, visits.firm_id, visits.resident_id, visits.trade,
               residents.address_line1, residents.address_line2, residents.town,
               residents.postcode, residents.landlord_id
        FROM visits JOIN residents ON residents.id = visits.resident_id
        WHERE visits.id = ?""", (visit_id,))


# ---- messages from the phone, each stored once ----

def create_event(db, *, client_id: str, kind: str, visit_id: int, operative_id: int,
                 checkin_id: int | None, phone_at: str, minutes: int | None,
                 payload_hash: str, received_at: str) -> bool:
    """True when stored; False when this client id was stored before."""
    return db.execute(
        "INSERT INTO checkin_events (client_id, kind, visit_id, operative_id, checkin_id,"
        " phone_at, minutes, payload_hash, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (client_id) DO NOTHING",
        (client_id, kind, visit_id, operative_id, checkin_id, phone_at, minutes, payload_hash,
         received_at)).rowcount == 1


def event_by_client_id(db, client_id: str):
    return query_one(db, "SELECT * FROM checkin_events WHERE client_id = ?", (client_id,))


def set_event_checkin(db, client_id: str, checkin_id: int) -> None:
    db.execute("UPDATE checkin_events SET checkin_id = ? WHERE client_id = ?",
               (checkin_id, client_id))


# ---- check-ins ----

def create_checkin(db, *, client_id: str, visit_id: int, operative_id: int, started_at: str,
                   received_at: str, expected_minutes: int, due_at: str) -> int:
    return db.execute(
        "INSERT INTO checkins (client_id, visit_id, operative_id, started_at, received_at,"
        " expected_minutes, due_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (client_id, visit_id, operative_id, started_at, received_at, expected_minutes,
         due_at)).lastrowid


def checkin(db, checkin_id: int):
    return query_one(db, "SELECT * FROM checkins WHERE id = ?", (checkin_id,))


def checkin_by_client_id(db, client_id: str, operative_id: int):
    return query_one(db, "SELECT * FROM checkins WHERE client_id = ? AND operative_id = ?",
                     (client_id, operative_id))


def open_checkin(db, visit_id: int, operative_id: int):
    """The operative's check-in at this visit that has no "out safe" yet, or None."""
    return query_one(db, "SELECT * FROM checkins WHERE visit_id = ? AND operative_id = ?"
                         " AND out_at IS NULL ORDER BY id DESC LIMIT 1",
                     (visit_id, operative_id))


def last_checkin(db, visit_id: int, operative_id: int):
    return query_one(db, "SELECT * FROM checkins WHERE visit_id = ? AND operative_id = ?"
                         " ORDER BY id DESC LIMIT 1", (visit_id, operative_id))


def extend_checkin(db, checkin_id: int, due_at: str, note: str) -> None:
    db.execute("UPDATE checkins SET due_at = ?, note = CASE WHEN ? = '' THEN note ELSE ? END"
               " WHERE id = ?", (due_at, note, note, checkin_id))


def check_out(db, checkin_id: int, out_at: str, received_at: str, note: str) -> None:
    db.execute("UPDATE checkins SET out_at = ?, out_received_at = ?,"
               " note = CASE WHEN ? = '' THEN note ELSE ? END WHERE id = ? AND out_at IS NULL",
               (out_at, received_at, note, note, checkin_id))


def mark_checkin_escalated(db, checkin_id: int, now: str) -> None:
    db.execute("UPDATE checkins SET escalated_at = ? WHERE id = ?", (now, checkin_id))


def acknowledge_checkin(db, checkin_id: int, user_id: int, now: str) -> None:
    db.execute("UPDATE checkins SET acknowledged_at = coalesce(acknowledged_at, ?),"
               " acknowledged_by = coalesce(acknowledged_by, ?) WHERE id = ?",
               (now, user_id, checkin_id))


# ---- escalation steps ----

def create_escalation(db, *, source: str, checkin_id: int | None, visit_id: int,
                      operative_id: int, reason: str, step: str, user_id: int,
                      alert_id: int | None, sent_at: str) -> int:
    return db.execute(
        "INSERT INTO checkin_escalations (source, checkin_id, visit_id, operative_id, reason,"
        " step, user_id, alert_id, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (source, checkin_id, visit_id, operative_id, reason, step, user_id, alert_id,
         sent_at)).lastrowid


def escalation_steps(db, source: str) -> list:
    """Each step sent for this escalation, with who it went to and whether they acknowledged
    (a duty contact acknowledges the alert in their inbox)."""
    return query_all(db, """
        SELECT checkin_escalations.*, users.name AS user_name, alerts.status AS alert_status,
               alerts.acknowledged_at AS alert_acknowledged_at
        FROM checkin_escalations JOIN users ON users.id = checkin_escalations.user_id
        LEFT JOIN alerts ON alerts.id = checkin_escalations.alert_id
        WHERE checkin_escalations.source = ? ORDER BY checkin_escalations.id""", (source,))


def is_acknowledged(db, source: str) -> bool:
    return query_one(db, """
        SELECT 1 FROM checkin_escalations
        LEFT JOIN alerts ON alerts.id = checkin_escalations.alert_id
        WHERE checkin_escalations.source = ?
          AND (checkin_escalations.acknowledged_at IS NOT NULL
               OR coalesce(alerts.status, 'new') != 'new')""", (source,)) is not None


def acknowledge_escalation(db, source: str, user_id: int, now: str) -> None:
    db.execute("UPDATE checkin_escalations SET acknowledged_at = ?, acknowledged_by = ?"
               " WHERE source = ? AND acknowledged_at IS NULL", (now, user_id, source))


def escalation_for_supervisor(db, escalation_id: int, supervisor_id: int):
    """A step sent to this supervisor, else None."""
    return query_one(db, "SELECT * FROM checkin_escalations WHERE id = ? AND user_id = ?",
                     (escalation_id, supervisor_id))


def supervisor_ids(db, firm_id: int) -> list[int]:
    return [row["id"] for row in query_all(
        db, "SELECT id FROM users WHERE organisation_id = ? AND role = 'supervisor'"
            " AND active = 1 ORDER BY id", (firm_id,))]


def duty_ids(db, landlord_id: int) -> list[int]:
    return [row["id"] for row in query_all(db, """
        SELECT users.id FROM users JOIN organisations ON organisations.id = users.organisation_id
        WHERE organisations.landlord_id = ? AND users.on_duty = 1 AND users.active = 1
          AND users.role IN ('officer', 'admin') ORDER BY users.id""", (landlord_id,))]


def user_name(db, user_id: int) -> str:
    row = query_one(db, "SELECT name FROM users WHERE id = ?", (user_id,))
    return row["name"] if row else ""


def create_call_back_request(db, operative_id: int, visit_id: int, now: str) -> None:
    db.execute("INSERT INTO call_back_requests (operative_id, visit_id, created_at)"
               " VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (operative_id, visit_id, now))


def call_back_requested(db, operative_id: int, visit_id: int) -> bool:
    return query_one(db, "SELECT 1 FROM call_back_requests WHERE operative_id = ?"
                         " AND visit_id = ?", (operative_id, visit_id)) is not None


# ---- the supervisor's page: only their own firm ----

def supervisor_firm(db, supervisor_id: int):
    return query_one(db, """
        SELECT organisations.id, organisations.name FROM users
        JOIN organisations ON organisations.id = users.organisation_id
        WHERE users.id = ? AND users.role = 'supervisor'""", (supervisor_id,))


def open_escalations(db, supervisor_id: int, since: str) -> list:
    """The escalations sent to this supervisor since then: one row per escalation, with the
    visit's address and the operative's last check-in, nothing else of the resident."""
    return query_all(db, """
        SELECT mine.id, mine.source, mine.reason, mine.sent_at, mine.acknowledged_at,
               operative.name AS operative_name, operative.phone AS operative_phone,
               residents.address_line1, residents.address_line2, residents.town,
               residents.postcode, checkins.started_at, checkins.due_at, checkins.out_at,
               checkins.note
        FROM checkin_escalations AS mine
        JOIN users AS operative ON operative.id = mine.operative_id
        JOIN visits ON visits.id = mine.visit_id
        JOIN residents ON residents.id = visits.resident_id
        LEFT JOIN checkins ON checkins.id = mine.checkin_id
        WHERE mine.user_id = ? AND mine.sent_at >= ?
        ORDER BY mine.acknowledged_at IS NOT NULL, mine.sent_at DESC""", (supervisor_id, since))


def unacknowledged_count(db, supervisor_id: int, since: str) -> int:
    return query_one(db, "SELECT count(DISTINCT source) AS n FROM checkin_escalations"
                         " WHERE user_id = ? AND sent_at >= ? AND acknowledged_at IS NULL",
                     (supervisor_id, since))["n"]


def open_checkins_of_firm(db, firm_id: int, start: str, end: str) -> list:
    """Today's check-ins of the firm's operatives with no "out safe" yet (no address: that is
    shown only when an escalation needs it)."""
    return query_all(db, """
        SELECT checkins.id, checkins.started_at, checkins.due_at, checkins.escalated_at,
               users.name AS operative_name, users.phone AS operative_phone, visits.trade
        FROM checkins JOIN users ON users.id = checkins.operative_id
        JOIN visits ON visits.id = checkins.visit_id
        WHERE users.organisation_id = ? AND checkins.out_at IS NULL
          AND checkins.started_at >= ? AND checkins.started_at < ?
        ORDER BY checkins.due_at""", (firm_id, start, end))


def support_this_week(db, firm_id: int, since: str) -> list:
    """Per operative of the firm: their hard visits since then (an urgent alert from their log,
    or a visit stopped for distress or risk) and how many of those they asked a call back after."""
    return query_all(db, """
        WITH hard AS (
            SELECT DISTINCT visit_logs.author_id AS operative_id, visit_logs.visit_id
            FROM visit_logs JOIN visit_outcomes ON visit_outcomes.code = visit_logs.outcome
            WHERE visit_logs.created_at >= ?
              AND (visit_outcomes.stops_visit = 1 OR EXISTS (
                   SELECT 1 FROM alerts WHERE alerts.log_id = visit_logs.id
                     AND alerts.severity = 'urgent')))
        SELECT users.id, users.name, users.phone, count(hard.visit_id) AS hard_visits,
               count(call_back_requests.id) AS call_backs
        FROM users
        LEFT JOIN hard ON hard.operative_id = users.id
        LEFT JOIN call_back_requests ON call_back_requests.operative_id = users.id
             AND call_back_requests.visit_id = hard.visit_id
        WHERE users.organisation_id = ? AND users.role = 'operative' AND users.active = 1
        GROUP BY users.id ORDER BY users.name""", (since, firm_id))


def checkin_figures(db, start: str, end: str, landlord_id: int) -> list:
    """Check-ins, overruns (an "out safe" after the end, or none) and escalations, per firm."""
    return query_all(db, """
        SELECT firm.id AS firm_id, firm.name AS firm_name, count(*) AS checkins,
               sum(checkins.out_at IS NULL OR checkins.out_at > checkins.due_at) AS overruns,
               sum(checkins.escalated_at IS NOT NULL) AS escalations
        FROM checkins JOIN visits ON visits.id = checkins.visit_id
        JOIN organisations AS firm ON firm.id = visits.firm_id
        WHERE firm.landlord_id = ? AND checkins.started_at >= ? AND checkins.started_at < ?
        GROUP BY firm.id ORDER BY firm.name""", (landlord_id, start, end))
