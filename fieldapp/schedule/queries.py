"""Visit queries for officers: every lookup is scoped to the officer's landlord."""

import sqlite3

from flask import abort

from fieldapp.core.db import query_all, query_one, transaction, utc_now

STEP_FLAGS = ("noisy", "dusty", "water_off", "power_off", "gas_off")
VISIT_FIELDS = ("job_ref", "trade", "firm_id", "starts_at", "ends_at", "notes_for_operative",
                "pre_visit", "rebook_requested")


def firms_of_landlord(db, landlord_id: int) -> list[sqlite3.Row]:
    return query_all(db, "SELECT id, name FROM organisations WHERE landlord_id = ? AND"
                         " kind = 'contractor' ORDER BY name", (landlord_id,))


def operatives_of_landlord(db, landlord_id: int) -> list[sqlite3.Row]:
    return query_all(db, """
        SELECT users.id, users.name, users.badge_number, users.email,
               users.organisation_id AS firm_id, organisations.name AS firm_name
        FROM users JOIN organisations ON organisations.id = users.organisation_id
        WHERE organisations.landlord_id = ? AND users.role = 'operative' AND users.active = 1
        ORDER BY organisations.name, users.name""", (landlord_id,))


def get_visit_or_404(db, visit_id: int, landlord_id: int) -> sqlite3.Row:
    row = query_one(db, """
        SELECT visits.*, residents.name AS resident_name, residents.preferred_name,
               residents.landlord_id, firm.name AS firm_name
        FROM visits JOIN residents ON residents.id = visits.resident_id
        JOIN organisations AS firm ON firm.id = visits.firm_id
        WHERE visits.id = ? AND residents.landlord_id = ?""", (visit_id, landlord_id))
    if row is None:
        abort(404)
    return row


def attending(db, visit_id: int) -> list[sqlite3.Row]:
    return query_all(db, """
        SELECT users.id, users.name FROM visit_operatives
        JOIN users ON users.id = visit_operatives.user_id
        WHERE visit_operatives.visit_id = ? ORDER BY users.name""", (visit_id,))


def job_ref_taken(db, landlord_id: int, job_ref: str, except_visit: int | None = None) -> bool:
    row = query_one(db, """
        SELECT visits.id FROM visits JOIN residents ON residents.id = visits.resident_id
        WHERE visits.job_ref = ? AND residents.landlord_id = ?""", (job_ref, landlord_id))
    return row is not None and row["id"] != except_visit


def create_visit(db, resident_id: int, created_by: int, values: dict,
                 operatives: list[int]) -> int:
    now = utc_now()
    with transaction(db):
        visit_id = db.execute(
            f"INSERT INTO visits (resident_id, {', '.join(VISIT_FIELDS)}, created_by,"
            f" created_at, updated_at) VALUES (?, {', '.join('?' * len(VISIT_FIELDS))}, ?, ?, ?)",
            (resident_id, *(values[f] for f in VISIT_FIELDS), created_by, now, now)).lastrowid
        set_operatives(db, visit_id, operatives)
    return visit_id


def update_visit(db, visit_id: int, values: dict, operatives: list[int]) -> None:
    assignments = ", ".join(f"{f} = ?" for f in VISIT_FIELDS)
    with transaction(db):
        db.execute(f"UPDATE visits SET {assignments}, updated_at = ? WHERE id = ?",
                   (*(values[f] for f in VISIT_FIELDS), utc_now(), visit_id))
        set_operatives(db, visit_id, operatives)


def set_operatives(db, visit_id: int, operatives: list[int]) -> None:
    with transaction(db):
        db.execute("DELETE FROM visit_operatives WHERE visit_id = ?", (visit_id,))
        db.conn.executemany("INSERT INTO visit_operatives (visit_id, user_id) VALUES (?, ?)",
                       [(visit_id, operative) for operative in operatives])


def cancel_visit(db, visit_id: int) -> None:
    now = utc_now()
    with transaction(db):
        db.execute("UPDATE visits SET status = 'cancelled', cancelled_at = ?, updated_at = ?"
                   " WHERE id = ? AND status = 'booked'", (now, now, visit_id))


def steps_of_visit(db, visit_id: int) -> list[sqlite3.Row]:
    return query_all(db, "SELECT * FROM work_steps WHERE visit_id = ? ORDER BY position",
                     (visit_id,))
