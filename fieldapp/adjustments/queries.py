"""Adjustment queries, each scoped to the viewer's landlord."""

import json
import sqlite3
from datetime import date, timedelta

from fieldapp.core.catalogues import FEMALE_OPERATIVE_TYPE, TIMING_TYPE, with_timing_words
from fieldapp.core.db import query_all, query_one, transaction, utc_now

DUE_SOON = timedelta(days=30)


def adjustment_types(db) -> list[sqlite3.Row]:
    return query_all(db, "SELECT * FROM adjustment_types WHERE active = 1 ORDER BY sort_order")


def active_type(db, code: str) -> sqlite3.Row | None:
    return query_one(db, "SELECT * FROM adjustment_types WHERE code = ? AND active = 1", (code,))


def adjustment_for_landlord(db, adjustment_id: int, landlord_id: int) -> sqlite3.Row | None:
    return query_one(db, """
        SELECT adjustments.*, adjustment_types.label, adjustment_types.instruction_template,
               residents.name AS resident_name,
               residents.preferred_name, residents.landlord_id, residents.advocate_name,
               residents.advocate_phone
        FROM adjustments
        JOIN adjustment_types ON adjustment_types.code = adjustments.type_code
        JOIN residents ON residents.id = adjustments.resident_id
        WHERE adjustments.id = ? AND residents.landlord_id = ?""", (adjustment_id, landlord_id))


def create_adjustment(db, resident_id: int, code: str, recorded_by: int, values: dict,
                      status: str = "active", created_at: str | None = None) -> int:
    """`values`: parameters (a dict), detail, consent_given_by, consent_how, and the dates
    consent_on and review_due (a date or its ISO text)."""
    created_at = created_at or utc_now()
    parameters = with_timing_words(code, values["parameters"])
    with transaction(db):
        return db.execute(
            "INSERT INTO adjustments (resident_id, type_code, parameters, detail,"
            " consent_given_by, consent_how, consent_on, recorded_by, review_due, status,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (resident_id, code, json.dumps(parameters), values["detail"],
             values["consent_given_by"], values["consent_how"], str(values["consent_on"]),
             recorded_by, str(values["review_due"]), status, created_at, created_at)).lastrowid


def update_adjustment(db, adjustment_id: int, values: dict) -> None:
    with transaction(db):
        code = query_one(db, "SELECT type_code FROM adjustments WHERE id = ?",
                         (adjustment_id,))["type_code"]
        parameters = with_timing_words(code, values["parameters"])
        db.execute(
            "UPDATE adjustments SET parameters = ?, detail = ?, consent_given_by = ?,"
            " consent_how = ?, consent_on = ?, review_due = ?, updated_at = ? WHERE id = ?",
            (json.dumps(parameters), values["detail"], values["consent_given_by"],
             values["consent_how"], values["consent_on"].isoformat(),
             values["review_due"].isoformat(), utc_now(), adjustment_id))


def mark_reviewed(db, adjustment_id: int, next_review: date, reviewed_by: int, how: str,
                  how_other: str = "") -> None:
    """Still needed: the next review date on the adjustment, and the review itself kept."""
    now = utc_now()
    with transaction(db):
        db.execute("UPDATE adjustments SET review_due = ?, reviewed_at = ?, updated_at = ?"
                   " WHERE id = ? AND status = 'active'",
                   (next_review.isoformat(), now, now, adjustment_id))
        db.execute("INSERT INTO adjustment_reviews (adjustment_id, reviewed_by, how, how_other,"
                   " next_review, reviewed_at) VALUES (?, ?, ?, ?, ?, ?)",
                   (adjustment_id, reviewed_by, how, how_other, next_review.isoformat(), now))


def last_review(db, adjustment_id: int) -> sqlite3.Row | None:
    return query_one(db, """
        SELECT adjustment_reviews.*, users.name AS reviewer_name FROM adjustment_reviews
        JOIN users ON users.id = adjustment_reviews.reviewed_by
        WHERE adjustment_id = ? ORDER BY adjustment_reviews.id DESC LIMIT 1""",
                     (adjustment_id,))


def withdraw(db, adjustment_id: int, reason: str) -> None:
    now = utc_now()
    with transaction(db):
        db.execute("UPDATE adjustments SET status = 'withdrawn', withdrawn_at = ?,"
                   " withdrawn_reason = ?, updated_at = ? WHERE id = ? AND status = 'active'",
                   (now, reason, now, adjustment_id))


def due_for_review(db, landlord_id: int, today: date) -> list[sqlite3.Row]:
    """Active adjustments whose review is overdue or due within 30 days, oldest first."""
    return query_all(db, """
        SELECT adjustments.id, adjustments.review_due, adjustment_types.label,
               residents.id AS resident_id, residents.name AS resident_name,
               residents.preferred_name, residents.officer_id, users.name AS officer_name
        FROM adjustments
        JOIN adjustment_types ON adjustment_types.code = adjustments.type_code
        JOIN residents ON residents.id = adjustments.resident_id
        LEFT JOIN users ON users.id = residents.officer_id
        WHERE residents.landlord_id = ? AND adjustments.status = 'active'
          AND adjustments.review_due <= ?
        ORDER BY adjustments.review_due, residents.name""",
        (landlord_id, (today + DUE_SOON).isoformat()))


# Free-text adjustments: a resident may need several, each its own instruction.
MANY_ALLOWED = {"other"}


def active_of_type(db, resident_id: int) -> dict[str, int]:
    """The resident's active adjustments of the types they may have once: {code: id}."""
    return {row["type_code"]: row["id"] for row in query_all(
        db, "SELECT id, type_code FROM adjustments WHERE resident_id = ? AND status = 'active'",
        (resident_id,)) if row["type_code"] not in MANY_ALLOWED}


def timing_of_residents(db, resident_ids: list[int]) -> dict[int, dict]:
    """Each resident's active timing adjustment's times and days (for the booking's checks)."""
    if not resident_ids:
        return {}
    marks = ",".join("?" * len(resident_ids))
    return {row["resident_id"]: json.loads(row["parameters"]) for row in query_all(
        db, f"SELECT resident_id, parameters FROM adjustments WHERE status = 'active'"
            f" AND type_code = ? AND resident_id IN ({marks})", (TIMING_TYPE, *resident_ids))}


def residents_asking_for_female_operative(db, resident_ids: list[int]) -> set[int]:
    if not resident_ids:
        return set()
    marks = ",".join("?" * len(resident_ids))
    return {row["resident_id"] for row in query_all(
        db, f"SELECT resident_id FROM adjustments WHERE status = 'active' AND type_code = ?"
            f" AND resident_id IN ({marks})", (FEMALE_OPERATIVE_TYPE, *resident_ids))}
