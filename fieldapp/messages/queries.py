"""Every query of the messages area: what a message says about a visit (never a note, a
diagnosis or an adjustment's detail), the templates, and the messages themselves."""

import sqlite3

from fieldapp.core.db import query_all, query_one, utc_now


def in_pause(db, resident_id: int, moment: str) -> bool:
    """The resident's visits are paused at that moment (they are away): no reminder, and no
    message asks them to do anything. Dates only; the reason is never read here."""
    return query_one(db, """
        SELECT 1 FROM resident_pauses WHERE resident_id = ? AND starts_at <= ?
          AND (ends_at IS NULL OR ends_at > ?)""", (resident_id, moment, moment)) is not None


def visit_for_message(db, visit_id: int) -> sqlite3.Row | None:
    """The visit with what a message may tell the resident: no notes, no adjustment detail."""
    return query_one(db, """
        SELECT visits.id, visits.resident_id, visits.trade, visits.starts_at, visits.ends_at,
               visits.status, visits.cancel_reason, visits.rebook_requested,
               residents.name AS resident_name,
               residents.preferred_name, residents.language,
               residents.address_line1, residents.address_line2, residents.town,
               residents.postcode, residents.phone, residents.email,
               residents.preferred_contact, residents.advocate_name, residents.language,
               residents.doorstep_password != '' AS has_password,
               landlord.id AS landlord_id, landlord.name AS landlord_name,
               landlord.main_phone AS landlord_phone, landlord.web_address AS landlord_web,
               firm.name AS firm_name, officer.name AS officer_name,
               officer.phone AS officer_phone
        FROM visits JOIN residents ON residents.id = visits.resident_id
        JOIN organisations AS landlord ON landlord.id = residents.landlord_id
        JOIN organisations AS firm ON firm.id = visits.firm_id
        LEFT JOIN users AS officer ON officer.id = residents.officer_id
        WHERE visits.id = ?""", (visit_id,))


def operatives_of_visit(db, visit_id: int) -> list[sqlite3.Row]:
    return query_all(db, """
        SELECT users.id, users.name FROM visit_operatives
        JOIN users ON users.id = visit_operatives.user_id
        WHERE visit_operatives.visit_id = ? ORDER BY users.name""", (visit_id,))


def steps_of_visit(db, visit_id: int) -> list[sqlite3.Row]:
    return query_all(db, "SELECT * FROM work_steps WHERE visit_id = ? ORDER BY position",
                     (visit_id,))


def adjustments_for_resident(db, resident_id: int) -> list[sqlite3.Row]:
    """Active adjustments with their words for the resident; never the officer's detail."""
    return query_all(db, """
        SELECT adjustments.type_code, adjustments.parameters, adjustment_types.resident_template
        FROM adjustments JOIN adjustment_types ON adjustment_types.code = adjustments.type_code
        WHERE adjustments.resident_id = ? AND adjustments.status = 'active'
          AND adjustment_types.resident_template != ''
        ORDER BY adjustment_types.sort_order, adjustments.id""", (resident_id,))


def template(db, event: str) -> sqlite3.Row | None:
    return query_one(db, "SELECT * FROM message_templates WHERE event = ?", (event,))


def all_templates(db) -> list[sqlite3.Row]:
    return query_all(db, "SELECT * FROM message_templates ORDER BY sort_order")


def create_message(db, *, visit_id: int, resident_id: int, event: str, channel: str, key: str,
                   recipient: str, visit_snapshot: str, status: str = "queued",
                   subject: str = "", body: str = "", resend_of: int | None = None,
                   created_by: int | None = None, language: str = "en") -> int | None:
    """A message once per key: None when this event already has its message on this channel.
    `language`: what the words given are written in (a message written later says then)."""
    row = db.execute("""
        INSERT INTO messages (visit_id, resident_id, event, channel, key, recipient, subject,
                              body, visit_snapshot, status, resend_of, created_by, created_at,
                              language)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (key) DO NOTHING RETURNING id""",
        (visit_id, resident_id, event, channel, key, recipient, subject, body, visit_snapshot,
         status, resend_of, created_by, utc_now(), language)).fetchone()
    return row["id"] if row else None


def last_snapshot(db, visit_id: int) -> str | None:
    """What the resident was last told the visit is (time and who), if anything."""
    row = query_one(db, """
        SELECT visit_snapshot FROM messages WHERE visit_id = ? AND resend_of IS NULL
          AND event IN ('booked', 'changed', 'time_chosen') ORDER BY id DESC LIMIT 1""",
                     (visit_id,))
    return row["visit_snapshot"] if row else None


def event_count(db, visit_id: int, event: str, channel: str) -> int:
    """How many times this event already happened to the visit, on this channel."""
    return query_one(db, "SELECT count(*) AS n FROM messages WHERE visit_id = ? AND event = ?"
                         " AND channel = ? AND resend_of IS NULL",
                     (visit_id, event, channel))["n"]


def unwritten_message(db, visit_id: int, event: str) -> sqlite3.Row | None:
    """A message for this event still waiting for the worker to write and send it."""
    return query_one(db, "SELECT id FROM messages WHERE visit_id = ? AND event = ? AND"
                         " status = 'queued' AND body = '' LIMIT 1", (visit_id, event))


def message(db, message_id: int) -> sqlite3.Row | None:
    return query_one(db, "SELECT * FROM messages WHERE id = ?", (message_id,))


def resend_count(db, message_id: int) -> int:
    return query_one(db, "SELECT count(*) AS n FROM messages WHERE resend_of = ?",
                     (message_id,))["n"]


def write_message(db, message_id: int, subject: str, body: str, language: str = "en") -> None:
    """The words as sent, and the language (BCP 47) they are written in."""
    db.execute("UPDATE messages SET subject = ?, body = ?, language = ? WHERE id = ?",
               (subject, body, language, message_id))


def set_status(db, message_id: int, status: str, *, error: str = "", provider_id: str = "",
               sent: bool = False) -> None:
    now = utc_now()
    db.execute("""
        UPDATE messages SET status = ?, error = ?, provider_id = coalesce(nullif(?, ''),
               provider_id), status_at = ?, sent_at = CASE WHEN ? THEN ? ELSE sent_at END
        WHERE id = ?""", (status, error, provider_id, now, int(sent), now, message_id))


# A message whose send job stopped after every attempt (Notify or the mail server kept failing)
# says so, rather than "waiting" for ever: an admin can try the job again.
_GAVE_UP = """EXISTS (SELECT 1 FROM jobs WHERE jobs.kind = 'send_message'
                  AND jobs.failed_at IS NOT NULL
                  AND json_extract(jobs.payload, '$.message_id') = messages.id) AS gave_up"""
_LISTED = f"""
    SELECT messages.id, messages.visit_id, messages.resident_id, messages.event,
           messages.channel, messages.recipient, messages.subject, messages.status,
           messages.error, messages.created_at, messages.sent_at, messages.status_at,
           messages.resend_of, message_templates.label AS event_label, {_GAVE_UP},
           visits.starts_at AS visit_starts_at, visits.trade
    FROM messages JOIN residents ON residents.id = messages.resident_id
    JOIN visits ON visits.id = messages.visit_id
    JOIN message_templates ON message_templates.event = messages.event"""


def messages_for_resident(db, resident_id: int, landlord_id: int) -> list[sqlite3.Row]:
    return query_all(db, _LISTED + " WHERE messages.resident_id = ? AND residents.landlord_id = ?"
                     " ORDER BY messages.id DESC", (resident_id, landlord_id))


def messages_for_visit(db, visit_id: int, landlord_id: int) -> list[sqlite3.Row]:
    return query_all(db, _LISTED + " WHERE messages.visit_id = ? AND residents.landlord_id = ?"
                     " ORDER BY messages.id DESC", (visit_id, landlord_id))


def message_for_landlord(db, message_id: int, landlord_id: int) -> sqlite3.Row | None:
    return query_one(db, f"""
        SELECT messages.*, message_templates.label AS event_label, {_GAVE_UP},
               residents.name AS resident_name, residents.preferred_name
        FROM messages JOIN residents ON residents.id = messages.resident_id
        JOIN message_templates ON message_templates.event = messages.event
        WHERE messages.id = ? AND residents.landlord_id = ?""", (message_id, landlord_id))


def update_snapshot(db, message_id: int, visit_snapshot: str) -> None:
    db.execute("UPDATE messages SET visit_snapshot = ? WHERE id = ?", (visit_snapshot, message_id))


def wants_large_print(db, resident_id: int) -> bool:
    """Large print for a resident with an active sight-loss adjustment."""
    return query_one(db, "SELECT 1 FROM adjustments WHERE resident_id = ? AND status = 'active'"
                         " AND type_code = 'sight'", (resident_id,)) is not None


def landlord_of_resident(db, resident_id: int) -> sqlite3.Row | None:
    return query_one(db, """
        SELECT landlord.name, landlord.main_phone, landlord.web_address
        FROM residents JOIN organisations AS landlord ON landlord.id = residents.landlord_id
        WHERE residents.id = ?""", (resident_id,))


def calls_to_make(db, landlord_id: int, officer_id: int) -> list[sqlite3.Row]:
    """Residents who prefer a phone call and have a message waiting to be read to them: the
    officer's own residents first, then by when the message was written."""
    return query_all(db, """
        SELECT messages.id, messages.recipient, messages.created_at, messages.resident_id,
               message_templates.label AS event_label, visits.starts_at AS visit_starts_at,
               residents.name AS resident_name, residents.preferred_name,
               residents.officer_id = ? AS is_mine
        FROM messages JOIN residents ON residents.id = messages.resident_id
        JOIN visits ON visits.id = messages.visit_id
        JOIN message_templates ON message_templates.event = messages.event
        WHERE residents.landlord_id = ? AND messages.status = 'to_call'
        ORDER BY is_mine DESC, messages.id""", (officer_id, landlord_id))


def mark_called(db, message_id: int) -> bool:
    return db.execute("UPDATE messages SET status = 'called', status_at = ? WHERE id = ? AND"
                      " status = 'to_call'", (utc_now(), message_id)).rowcount == 1


def offered_windows(db, visit_id: int) -> list[sqlite3.Row]:
    """The windows of the visit's open offer, soonest first."""
    return query_all(db, """
        SELECT offered_windows.starts_at, offered_windows.ends_at FROM offered_windows
        JOIN time_offers ON time_offers.id = offered_windows.offer_id
        WHERE time_offers.visit_id = ? AND time_offers.status = 'open'
        ORDER BY offered_windows.starts_at""", (visit_id,))


def what_changed_for_visit(db, visit_id: int) -> str:
    """What changed because of the resident's feedback on this visit (the latest closed, on
    the original alert or a duty copy: an original closes with its copies, in one answer)."""
    row = query_one(db, """
        SELECT what_changed FROM alerts WHERE visit_id = ? AND feedback_theme != ''
          AND feedback_outcome = 'changed' AND what_changed != ''
          ORDER BY closed_at DESC, id DESC LIMIT 1""",
                    (visit_id,))
    return row["what_changed"] if row else ""


def visit_of_changed_alert(db, alert_id: int) -> int | None:
    """The visit of a feedback alert closed with a change; None for "no change was needed"."""
    row = query_one(db, "SELECT visit_id FROM alerts WHERE id = ?"
                        " AND feedback_outcome = 'changed'", (alert_id,))
    return row["visit_id"] if row else None
