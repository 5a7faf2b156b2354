"""Organisations: the landlord and the contractor firms it sends, with their phone lines."""

import sqlite3

from fieldapp.core.db import query_all, query_one, transaction, utc_now

# interpreting_phone: the landlord's interpreting line, read out on briefings (firms leave it).
PHONE_FIELDS = ("main_phone", "duty_phone", "safeguarding_phone", "interpreting_phone")
_PHONE_COLUMNS = ", ".join(PHONE_FIELDS)
_PHONE_MARKS = ", ".join("?" * len(PHONE_FIELDS))


def organisations_for_landlord(db, landlord_id: int) -> list[sqlite3.Row]:
    return query_all(db, """
        SELECT organisations.*,
               (SELECT count(*) FROM users WHERE users.organisation_id = organisations.id
                  AND users.active = 1) AS active_users
        FROM organisations WHERE landlord_id = ?
        ORDER BY kind = 'contractor', name""", (landlord_id,))


def get_organisation(db, organisation_id: int, landlord_id: int) -> sqlite3.Row | None:
    """The organisation, only if it belongs to this landlord."""
    return query_one(db, "SELECT * FROM organisations WHERE id = ? AND landlord_id = ?",
                     (organisation_id, landlord_id))


def name_taken(db, landlord_id: int, name: str, except_id: int | None = None) -> bool:
    """True if the landlord or one of its firms already has this name, in any case.

    The visit import finds a firm by its name, so two alike would make a row ambiguous.
    """
    row = query_one(db, "SELECT id FROM organisations WHERE landlord_id = ? "
                        "AND name = ? COLLATE NOCASE AND id IS NOT ?",
                    (landlord_id, name.strip(), except_id))
    return row is not None


def create_landlord(db, *, name: str, web_address: str = "", **phones: str) -> int:
    """A landlord is its own tenancy boundary: its landlord_id is itself."""
    now = utc_now()
    with transaction(db):
        cursor = db.execute(
            f"INSERT INTO organisations (name, kind, web_address, {_PHONE_COLUMNS}, created_at,"
            f" updated_at) VALUES (?, 'landlord', ?, {_PHONE_MARKS}, ?, ?)",
            (name, web_address, *(phones.get(f, "") for f in PHONE_FIELDS), now, now))
        db.execute("UPDATE organisations SET landlord_id = id WHERE id = ?", (cursor.lastrowid,))
    return cursor.lastrowid


def create_contractor(db, *, landlord_id: int, name: str, web_address: str = "",
                      **phones: str) -> int:
    now = utc_now()
    with transaction(db):
        cursor = db.execute(
            f"INSERT INTO organisations (name, kind, landlord_id, web_address, {_PHONE_COLUMNS},"
            f" created_at, updated_at) VALUES (?, 'contractor', ?, ?, {_PHONE_MARKS}, ?, ?)",
            (name, landlord_id, web_address, *(phones.get(f, "") for f in PHONE_FIELDS), now, now))
    return cursor.lastrowid


def update_organisation(db, organisation_id: int, *, name: str, web_address: str,
                        **phones: str) -> None:
    with transaction(db):
        db.execute(
            "UPDATE organisations SET name = ?, web_address = ?, "
            + "".join(f"{field} = ?, " for field in PHONE_FIELDS) + "updated_at = ? WHERE id = ?",
            (name, web_address, *(phones.get(f, "") for f in PHONE_FIELDS), utc_now(),
             organisation_id))


def set_late_from(db, landlord_id: int, late_from: str) -> None:
    """From when a visit counts as late in the day (HH:MM, local): it asks for a check-in."""
    with transaction(db):
        db.execute("UPDATE organisations SET late_from = ?, updated_at = ? WHERE id = ?"
                   " AND kind = 'landlord'", (late_from, utc_now(), landlord_id))


def set_photo_retention(db, landlord_id: int, days: int) -> None:
    """How long the landlord keeps photos of the work; for photos stored from now on."""
    db.execute("UPDATE organisations SET photo_retention_days = ?, updated_at = ?"
               " WHERE id = ? AND kind = 'landlord'", (days, utc_now(), landlord_id))
