"""A pause's dates and what was done about it, never its reason: the reason is special-category
data, read only through `pauses/private.py` by the officer's pause pages."""

import sqlite3

from fieldapp.core.db import query_all, query_one, utc_now

# Columns any pause page or job may read: everything except the reason.
PAUSE_COLUMNS = """resident_pauses.id, resident_pauses.resident_id, resident_pauses.starts_on,
    resident_pauses.ends_on, resident_pauses.starts_at, resident_pauses.ends_at,
    resident_pauses.told_by, resident_pauses.consent_given_by, resident_pauses.consent_how,
    resident_pauses.consent_on, resident_pauses.ended_at, resident_pauses.created_at"""


def resident_for_landlord(db, resident_id: int, landlord_id: int) -> sqlite3.Row | None:
    return query_one(db, "SELECT id, name, preferred_name, officer_id FROM residents"
                         " WHERE id = ? AND landlord_id = ?", (resident_id, landlord_id))


def pause(db, pause_id: int) -> sqlite3.Row | None:
    return query_one(db, f"SELECT {PAUSE_COLUMNS} FROM resident_pauses WHERE id = ?",
                     (pause_id,))


def pause_for_landlord(db, pause_id: int, landlord_id: int) -> sqlite3.Row | None:
    return query_one(db, f"""
        SELECT {PAUSE_COLUMNS}, residents.name AS resident_name,
               residents.preferred_name, users.name AS recorded_by_name
        FROM resident_pauses JOIN residents ON residents.id = resident_pauses.resident_id
        JOIN users ON users.id = resident_pauses.recorded_by
        WHERE resident_pauses.id = ? AND residents.landlord_id = ?""", (pause_id, landlord_id))


def current_pause(db, resident_id: int, now: str | None = None) -> sqlite3.Row | None:
    """The pause the resident is in now, or the next one recorded: dates only."""
    now = now or utc_now()
    return query_one(db, f"""
        SELECT {PAUSE_COLUMNS} FROM resident_pauses
        WHERE resident_id = ? AND (ends_at IS NULL OR ends_at > ?)
        ORDER BY starts_at LIMIT 1""", (resident_id, now))


def overlapping_pause(db, resident_id: int, starts_at: str, ends_at: str | None,
                      except_pause: int | None = None) -> sqlite3.Row | None:
    return query_one(db, f"""
        SELECT {PAUSE_COLUMNS} FROM resident_pauses
        WHERE resident_id = ? AND id IS NOT ? AND (ends_at IS NULL OR ends_at > ?)
          AND (? IS NULL OR starts_at < ?)""",
        (resident_id, except_pause, starts_at, ends_at, ends_at))


def visits_in_pause(db, pause, now: str) -> list[sqlite3.Row]:
    """The resident's visits still to come inside the pause, with what was done about each."""
    return query_all(db, """
        SELECT visits.id, visits.job_ref, visits.trade, visits.starts_at, visits.ends_at,
               visits.status, visits.paused_booking_reason, action.action, action.note,
               action.created_at AS action_at
        FROM visits
        LEFT JOIN pause_visit_actions AS action
          ON action.visit_id = visits.id AND action.pause_id = ?
        WHERE visits.resident_id = ? AND visits.ends_at > ?
          AND ((visits.status = 'booked' AND visits.starts_at >= ?
                AND (? IS NULL OR visits.starts_at < ?))
               OR action.action IS NOT NULL)
        ORDER BY visits.starts_at""",
        (pause["id"], pause["resident_id"], now, pause["starts_at"], pause["ends_at"],
         pause["ends_at"]))


def visit_in_pause(db, pause, visit_id: int) -> sqlite3.Row | None:
    """A booked visit of the pause's resident inside the pause, with no action yet."""
    return query_one(db, """
        SELECT visits.* FROM visits
        WHERE visits.id = ? AND visits.resident_id = ? AND visits.status = 'booked'
          AND visits.starts_at >= ? AND (? IS NULL OR visits.starts_at < ?)
          AND NOT EXISTS (SELECT 1 FROM pause_visit_actions
                          WHERE pause_id = ? AND visit_id = visits.id)""",
        (visit_id, pause["resident_id"], pause["starts_at"], pause["ends_at"],
         pause["ends_at"], pause["id"]))


def record_action(db, pause_id: int, visit_id: int, action: str, user_id: int,
                  note: str = "") -> bool:
    """One action per visit and pause; False when one was already recorded."""
    return db.execute(
        "INSERT INTO pause_visit_actions (pause_id, visit_id, action, note, user_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (pause_id, visit_id, action, note, user_id, utc_now())).rowcount == 1


def set_end(db, pause_id: int, ends_on: str, ends_at: str, ended_by: int | None = None) -> None:
    """The day the resident is back. `ended_by` when the officer ended it (now or earlier)."""
    now = utc_now()
    db.execute("UPDATE resident_pauses SET ends_on = ?, ends_at = ?, ended_by = ?,"
               " ended_at = CASE WHEN ? IS NULL THEN ended_at ELSE ? END, updated_at = ?"
               " WHERE id = ?", (ends_on, ends_at, ended_by, ended_by, now, now, pause_id))


def mark_alert_raised(db, pause_id: int, kind: str, due: str) -> bool:
    """True the first time only: a job run twice raises its alert once."""
    return db.execute(
        "INSERT INTO pause_alerts_raised (pause_id, kind, due, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING", (pause_id, kind, due, utc_now())).rowcount == 1


def set_raised_alert(db, pause_id: int, kind: str, due: str, alert_id: int) -> None:
    db.execute("UPDATE pause_alerts_raised SET alert_id = ? WHERE pause_id = ? AND kind = ?"
               " AND due = ?", (alert_id, pause_id, kind, due))


def pauses_of_resident(db, resident_id: int) -> list[sqlite3.Row]:
    """Dates only, newest first: for the resident's page."""
    return query_all(db, f"SELECT {PAUSE_COLUMNS} FROM resident_pauses WHERE resident_id = ?"
                         " ORDER BY starts_at DESC", (resident_id,))


def create_partner_link(db, landlord_id: int, partner_name: str, user_id: int) -> int:
    return db.execute("INSERT INTO partner_links (landlord_id, partner_name, created_by,"
                      " created_at) VALUES (?, ?, ?, ?)",
                      (landlord_id, partner_name, user_id, utc_now())).lastrowid


def partner_links(db, landlord_id: int) -> list[sqlite3.Row]:
    return query_all(db, """
        SELECT partner_links.*, users.name AS created_by_name FROM partner_links
        JOIN users ON users.id = partner_links.created_by
        WHERE partner_links.landlord_id = ? ORDER BY partner_links.revoked_at IS NOT NULL,
              partner_links.partner_name""", (landlord_id,))


def partner_link(db, link_id: int) -> sqlite3.Row | None:
    return query_one(db, """
        SELECT partner_links.*, organisations.name AS landlord_name,
               organisations.main_phone AS landlord_phone FROM partner_links
        JOIN organisations ON organisations.id = partner_links.landlord_id
        WHERE partner_links.id = ?""", (link_id,))


def revoke_partner_link(db, link_id: int, landlord_id: int) -> bool:
    return db.execute("UPDATE partner_links SET revoked_at = ? WHERE id = ? AND landlord_id = ?"
                      " AND revoked_at IS NULL", (utc_now(), link_id, landlord_id)).rowcount == 1
