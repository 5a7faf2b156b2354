"""Visit queries for officers: every lookup is scoped to the officer's landlord. The one place
a visit, its operatives and its work steps are written, for booking, the CSV import and the
made-up data alike."""

import json
import sqlite3

from fieldapp.core.catalogues import STEP_HINTS
from fieldapp.core.db import query_all, query_one, transaction, utc_now

STEP_FLAGS = tuple(column for column, _tag, _advice in STEP_HINTS)
STEP_COLUMNS = ("description", "expected_minutes", *STEP_FLAGS)
VISIT_FIELDS = ("job_ref", "trade", "firm_id", "starts_at", "ends_at", "notes_for_operative",
                "pre_visit", "rebook_requested", "lone_working")


def firms_of_landlord(db, landlord_id: int) -> list[sqlite3.Row]:
    return query_all(db, "SELECT id, name FROM organisations WHERE landlord_id = ? AND"
                         " kind = 'contractor' ORDER BY name", (landlord_id,))


def operatives_of_landlord(db, landlord_id: int) -> list[sqlite3.Row]:
    return query_all(db, """
        SELECT users.id, users.name, users.badge_number, users.email,
               users.attends_female_requests,
               users.organisation_id AS firm_id, organisations.name AS firm_name
        FROM users JOIN organisations ON organisations.id = users.organisation_id
        WHERE organisations.landlord_id = ? AND users.role = 'operative' AND users.active = 1
        ORDER BY organisations.name, users.name""", (landlord_id,))


def booked_visits_overlapping(db, landlord_id: int, starts_at: str,
                              ends_at: str) -> list[dict]:
    """The landlord's booked visits whose window overlaps [starts_at, ends_at), each with its
    operatives ({id: name}): what a new booking is checked against."""
    visits = {r["id"]: dict(r, operatives={}) for r in query_all(db, """
        SELECT visits.id, visits.job_ref, visits.resident_id, visits.starts_at, visits.ends_at,
               residents.name AS resident_name
        FROM visits JOIN residents ON residents.id = visits.resident_id
        WHERE residents.landlord_id = ? AND visits.status = 'booked'
          AND visits.starts_at < ? AND visits.ends_at > ?
        ORDER BY visits.starts_at""", (landlord_id, ends_at, starts_at))}
    if visits:
        marks = ",".join("?" * len(visits))
        for r in query_all(db, f"""
                SELECT visit_operatives.visit_id, users.id, users.name FROM visit_operatives
                JOIN users ON users.id = visit_operatives.user_id
                WHERE visit_operatives.visit_id IN ({marks})""", tuple(visits)):
            visits[r["visit_id"]]["operatives"][r["id"]] = r["name"]
    return list(visits.values())


def pauses_overlapping(db, resident_ids, starts_at: str, ends_at: str) -> list[sqlite3.Row]:
    """The residents' pauses (dates only, never the reason) that overlap [starts_at, ends_at):
    a booking in one warns and needs a reason."""
    if not resident_ids:
        return []
    marks = ",".join("?" * len(resident_ids))
    return query_all(db, f"""
        SELECT id, resident_id, starts_on, ends_on, starts_at, ends_at FROM resident_pauses
        WHERE resident_id IN ({marks}) AND starts_at < ?
          AND (ends_at IS NULL OR ends_at > ?)
        ORDER BY starts_at""", (*resident_ids, ends_at, starts_at))


def set_paused_booking_reason(db, visit_id: int, reason: str) -> None:
    """Why a visit was booked while the resident's visits are paused (emergency work)."""
    db.execute("UPDATE visits SET paused_booking_reason = ? WHERE id = ?", (reason, visit_id))


def move_visit(db, visit_id: int, starts_at: str, ends_at: str) -> None:
    """A new window for a booked visit, nothing else changed."""
    db.execute("UPDATE visits SET starts_at = ?, ends_at = ?, updated_at = ?"
               " WHERE id = ? AND status = 'booked'", (starts_at, ends_at, utc_now(), visit_id))


def visit_for_landlord(db, visit_id: int, landlord_id: int) -> sqlite3.Row | None:
    return query_one(db, """
        SELECT visits.*, residents.name AS resident_name, residents.preferred_name,
               residents.landlord_id, firm.name AS firm_name
        FROM visits JOIN residents ON residents.id = visits.resident_id
        JOIN organisations AS firm ON firm.id = visits.firm_id
        WHERE visits.id = ? AND residents.landlord_id = ?""", (visit_id, landlord_id))


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


def visits_by_job_ref(db, landlord_id: int) -> dict[str, dict]:
    """Every visit of the landlord's residents by job reference, with its operatives (by id)
    and its steps' descriptions in order: what an imported row is compared with."""
    visits = {r["job_ref"]: dict(r, operatives=[], steps=[]) for r in query_all(db, """
        SELECT visits.id, visits.job_ref, visits.resident_id, visits.firm_id, visits.trade,
               visits.starts_at, visits.ends_at, visits.notes_for_operative, visits.pre_visit,
               visits.status
        FROM visits JOIN residents ON residents.id = visits.resident_id
        WHERE residents.landlord_id = ?""", (landlord_id,))}
    by_id = {v["id"]: v for v in visits.values()}
    for r in query_all(db, """
            SELECT visit_operatives.visit_id, visit_operatives.user_id FROM visit_operatives
            JOIN visits ON visits.id = visit_operatives.visit_id
            JOIN residents ON residents.id = visits.resident_id
            WHERE residents.landlord_id = ? ORDER BY visit_operatives.user_id""",
            (landlord_id,)):
        by_id[r["visit_id"]]["operatives"].append(r["user_id"])
    for r in query_all(db, """
            SELECT work_steps.visit_id, work_steps.description FROM work_steps
            JOIN visits ON visits.id = work_steps.visit_id
            JOIN residents ON residents.id = visits.resident_id
            WHERE residents.landlord_id = ? ORDER BY work_steps.position""", (landlord_id,)):
        by_id[r["visit_id"]]["steps"].append(r["description"])
    return visits


def create_visit(db, *, resident_id: int, firm_id: int, job_ref: str, trade: str,
                 starts_at: str, ends_at: str, operatives=(), steps=(),
                 created_by: int | None = None, created_at: str | None = None,
                 status: str = "booked", notes_for_operative: str = "", pre_visit: int = 0,
                 rebook_requested: int = 0, lone_working: int = 0) -> int:
    """A visit with its operatives and its steps (dicts of STEP_COLUMNS, in order).

    `created_at` is for made-up history; a booking is created now. Inside an open transaction
    (bench data writes thousands in one) it costs only its inserts."""
    created_at = created_at or utc_now()
    with transaction(db):
        visit_id = db.execute(
            "INSERT INTO visits (resident_id, firm_id, job_ref, trade, starts_at, ends_at,"
            " notes_for_operative, pre_visit, rebook_requested, status, created_by, created_at,"
            " updated_at, lone_working) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (resident_id, firm_id, job_ref, trade, starts_at, ends_at, notes_for_operative,
             int(pre_visit), int(rebook_requested), status, created_by, created_at,
             created_at, int(lone_working))).lastrowid
        add_operatives(db, visit_id, operatives)
        add_steps(db, visit_id, steps)
    return visit_id


def update_visit(db, visit_id: int, values: dict, operatives: list[int]) -> None:
    assignments = ", ".join(f"{f} = ?" for f in VISIT_FIELDS)
    with transaction(db):
        db.execute(f"UPDATE visits SET {assignments}, updated_at = ? WHERE id = ?",
                   (*(values[f] for f in VISIT_FIELDS), utc_now(), visit_id))
        set_operatives(db, visit_id, operatives)


def add_operatives(db, visit_id: int, operatives) -> None:
    db.conn.executemany("INSERT INTO visit_operatives (visit_id, user_id) VALUES (?, ?)",
                        [(visit_id, operative) for operative in operatives])


def set_operatives(db, visit_id: int, operatives: list[int]) -> None:
    with transaction(db):
        db.execute("DELETE FROM visit_operatives WHERE visit_id = ?", (visit_id,))
        add_operatives(db, visit_id, operatives)


def cancel_visit(db, visit_id: int, reason: str, note: str = "") -> None:
    now = utc_now()
    with transaction(db):
        db.execute("UPDATE visits SET status = 'cancelled', cancelled_at = ?, cancel_reason = ?,"
                   " cancel_note = ?, updated_at = ? WHERE id = ? AND status = 'booked'",
                   (now, reason, note, now, visit_id))
        # An available slot the resident's choice took is free again for another visit.
        db.execute("UPDATE available_slots SET taken_by_visit_id = NULL, taken_at = NULL"
                   " WHERE taken_by_visit_id = ?", (visit_id,))


def steps_of_visit(db, visit_id: int) -> list[sqlite3.Row]:
    return query_all(db, "SELECT * FROM work_steps WHERE visit_id = ? ORDER BY position",
                     (visit_id,))


def step_of_visit(db, visit_id: int, step_id: int) -> sqlite3.Row | None:
    return query_one(db, "SELECT * FROM work_steps WHERE id = ? AND visit_id = ?",
                     (step_id, visit_id))


def step_exists(db, step_id: int) -> bool:
    return query_one(db, "SELECT 1 FROM work_steps WHERE id = ?", (step_id,)) is not None


def add_steps(db, visit_id: int, steps, first_position: int = 1) -> None:
    """Steps (dicts with a description, optionally minutes and hint flags) numbered from
    `first_position` in the order given."""
    db.conn.executemany(
        f"INSERT INTO work_steps (visit_id, position, {', '.join(STEP_COLUMNS)})"
        f" VALUES (?, ?, {', '.join('?' * len(STEP_COLUMNS))})",
        [(visit_id, position, step["description"], step.get("expected_minutes"),
          *(int(step.get(flag, 0)) for flag in STEP_FLAGS))
         for position, step in enumerate(steps, start=first_position)])


def append_step(db, visit_id: int, step: dict) -> int:
    """The step after the visit's last; returns its position."""
    with transaction(db):
        position = query_one(db, "SELECT coalesce(max(position), 0) + 1 AS next FROM work_steps"
                                 " WHERE visit_id = ?", (visit_id,))["next"]
        add_steps(db, visit_id, [step], first_position=position)
    return position


def update_step(db, step_id: int, step: dict) -> None:
    with transaction(db):
        db.execute(f"UPDATE work_steps SET {', '.join(c + ' = ?' for c in STEP_COLUMNS)}"
                   " WHERE id = ?", (*(step[c] for c in STEP_COLUMNS), step_id))


def move_step(db, visit_id: int, step, direction: int) -> None:
    """Swap the step with its neighbour above (-1) or below (1), if it has one."""
    with transaction(db):
        neighbour = query_one(db, "SELECT id, position FROM work_steps WHERE visit_id = ? AND"
                                  " position = ?", (visit_id, step["position"] + direction))
        if neighbour is not None:
            # Positions are UNIQUE per visit: park one step at 0 while the two swap.
            db.execute("UPDATE work_steps SET position = 0 WHERE id = ?", (step["id"],))
            db.execute("UPDATE work_steps SET position = ? WHERE id = ?",
                       (step["position"], neighbour["id"]))
            db.execute("UPDATE work_steps SET position = ? WHERE id = ?",
                       (neighbour["position"], step["id"]))


def remove_step(db, visit_id: int, step) -> None:
    with transaction(db):
        db.execute("DELETE FROM work_steps WHERE id = ?", (step["id"],))
        # Close the gap so the steps stay numbered 1, 2, 3 for the operative.
        db.execute("UPDATE work_steps SET position = -(position - 1) WHERE visit_id = ? AND"
                   " position > ?", (visit_id, step["position"]))
        db.execute("UPDATE work_steps SET position = -position WHERE visit_id = ? AND"
                   " position < 0", (visit_id,))


def replace_operatives_and_steps(db, visit_id: int, operatives, descriptions) -> None:
    """What an imported row says: these operatives, these steps (descriptions only)."""
    with transaction(db):
        set_operatives(db, visit_id, operatives)
        db.execute("DELETE FROM work_steps WHERE visit_id = ?", (visit_id,))
        add_steps(db, visit_id, [{"description": text} for text in descriptions])


def update_imported_visit(db, visit_id: int, values: dict) -> None:
    columns = tuple(values)
    with transaction(db):
        db.execute(f"UPDATE visits SET {', '.join(c + ' = ?' for c in columns)},"
                   " updated_at = ? WHERE id = ?",
                   (*(values[c] for c in columns), utc_now(), visit_id))


def import_for_landlord(db, import_id: int, landlord_id: int) -> sqlite3.Row | None:
    return query_one(db, "SELECT * FROM visit_imports WHERE id = ? AND landlord_id = ?",
                     (import_id, landlord_id))


def store_import(db, landlord_id: int, user_id: int, filename: str, text: str) -> int:
    with transaction(db):
        return db.execute(
            "INSERT INTO visit_imports (landlord_id, user_id, filename, content, created_at)"
            " VALUES (?, ?, ?, ?, ?)", (landlord_id, user_id, filename[:200], text,
                                        utc_now())).lastrowid


def mark_imported(db, import_id: int, counts: dict) -> None:
    with transaction(db):
        db.execute("UPDATE visit_imports SET imported_at = ?, summary = ? WHERE id = ?",
                   (utc_now(), json.dumps(counts), import_id))
