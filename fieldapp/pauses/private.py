"""What a pause is for, and what partners told us: special-category data, read and written
only by the officer's pause pages and the partner's form (an import contract checks it).

Nothing an operative or a resident opens may import this module; the rest of the product reads
a pause's dates only (`pauses/queries.py`, and each area's own query on `resident_pauses`).
"""

import re
import sqlite3

from fieldapp.core.db import query_all, query_one, utc_now

REASONS = [("hospital", "In hospital"), ("crisis", "In crisis"),
           ("elsewhere", "Staying somewhere else"), ("other", "Other (no reason needed)")]
TOLD_BY = [("resident", "The resident"), ("advocate", "Their advocate"),
           ("health_partner", "A health or support partner")]
EVENTS = [("admission", "They have been admitted (to hospital or a service)"),
          ("discharge", "They have been discharged, or are going home")]


def create_pause(db, resident_id: int, recorded_by: int, values: dict) -> int:
    """values: reason, starts_on, ends_on (or None), starts_at, ends_at (or None), told_by,
    consent_given_by, consent_how, consent_on."""
    now = utc_now()
    return db.execute(
        "INSERT INTO resident_pauses (resident_id, reason, starts_on, ends_on, starts_at,"
        " ends_at, told_by, consent_given_by, consent_how, consent_on, recorded_by,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (resident_id, values["reason"], values["starts_on"], values["ends_on"],
         values["starts_at"], values["ends_at"], values["told_by"], values["consent_given_by"],
         values["consent_how"], values["consent_on"], recorded_by, now, now)).lastrowid


def reason_of(db, pause_id: int) -> str | None:
    row = query_one(db, "SELECT reason FROM resident_pauses WHERE id = ?", (pause_id,))
    return row["reason"] if row else None


def _postcode(text: str) -> str:
    return re.sub(r"\s+", "", text or "").upper()


def create_partner_report(db, link, values: dict) -> int:
    """Stored for the officer to check; matched to a resident only by exact name and postcode
    within the link's landlord. The partner is told the same thing either way."""
    matches = query_all(db, """
        SELECT id FROM residents WHERE landlord_id = ? AND lower(name) = lower(?)
          AND replace(upper(postcode), ' ', '') = ?""",
        (link["landlord_id"], values["resident_name"].strip(), _postcode(values["postcode"])))
    resident_id = matches[0]["id"] if len(matches) == 1 else None
    return db.execute(
        "INSERT INTO partner_reports (link_id, landlord_id, resident_id, event, event_on,"
        " resident_name, postcode, contact_name, contact_phone, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (link["id"], link["landlord_id"], resident_id, values["event"], values["event_on"],
         values["resident_name"], values["postcode"], values["contact_name"],
         values["contact_phone"], utc_now())).lastrowid


def report_resident(db, report_id: int) -> int | None:
    row = query_one(db, "SELECT resident_id FROM partner_reports WHERE id = ?", (report_id,))
    return row["resident_id"] if row else None


def partner_reports(db, landlord_id: int) -> list[sqlite3.Row]:
    """Reports waiting for an officer: newest first, with the resident they matched."""
    return query_all(db, """
        SELECT partner_reports.*, partner_links.partner_name, residents.name AS matched_name
        FROM partner_reports JOIN partner_links ON partner_links.id = partner_reports.link_id
        LEFT JOIN residents ON residents.id = partner_reports.resident_id
        WHERE partner_reports.landlord_id = ? AND partner_reports.status = 'new'
        ORDER BY partner_reports.created_at DESC, partner_reports.id DESC""", (landlord_id,))


def partner_report(db, report_id: int, landlord_id: int) -> sqlite3.Row | None:
    return query_one(db, """
        SELECT partner_reports.*, partner_links.partner_name FROM partner_reports
        JOIN partner_links ON partner_links.id = partner_reports.link_id
        WHERE partner_reports.id = ? AND partner_reports.landlord_id = ?""",
        (report_id, landlord_id))


def decide_report(db, report_id: int, status: str, user_id: int,
                  pause_id: int | None = None) -> bool:
    """Confirmed (with the pause it started or ended) or dismissed; once."""
    return db.execute(
        "UPDATE partner_reports SET status = ?, pause_id = ?, decided_by = ?, decided_at = ?"
        " WHERE id = ? AND status = 'new'",
        (status, pause_id, user_id, utc_now(), report_id)).rowcount == 1
