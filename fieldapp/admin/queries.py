"""What the admin pages read that no other area owns: the visits a user is booked on today,
shown before their account is disabled."""

import sqlite3
from datetime import date

from fieldapp.core.clock import day_bounds_utc
from fieldapp.core.db import query_all


def visits_booked_today(db, user_id: int, today: date) -> list[sqlite3.Row]:
    """The booked (not cancelled) visits this user attends today, in time order, with the
    address: disabling them stops their ID-card check, so these need someone else."""
    start, end = day_bounds_utc(today)
    return query_all(db, """
        SELECT visits.id, visits.starts_at, visits.ends_at, visits.trade,
               residents.address_line1, residents.postcode
        FROM visit_operatives
        JOIN visits ON visits.id = visit_operatives.visit_id
        JOIN residents ON residents.id = visits.resident_id
        WHERE visit_operatives.user_id = ? AND visits.status = 'booked'
          AND visits.starts_at >= ? AND visits.starts_at < ?
        ORDER BY visits.starts_at""", (user_id, start, end))


def languages_for_admin(db) -> list[sqlite3.Row]:
    """Every language on the list, those offered on resident pages first."""
    return query_all(db, """
        SELECT code, name, autonym, direction, pages_enabled FROM languages
        ORDER BY pages_enabled DESC, code != 'en', sort_order""")


def get_language(db, code: str) -> sqlite3.Row | None:
    return db.execute("SELECT code, name, autonym, direction, pages_enabled FROM languages"
                      " WHERE code = ?", (code,)).fetchone()


def language_on_list(db, code: str, name: str) -> sqlite3.Row | None:
    """The language already on the list under this code or English name (any case)."""
    return db.execute("SELECT code, name FROM languages WHERE lower(code) = lower(?)"
                      " OR lower(name) = lower(?) ORDER BY lower(code) != lower(?)",
                      (code, name, code)).fetchone()


def create_language(db, *, code: str, name: str, autonym: str, direction: str) -> str:
    """Adds a language to the list an officer picks a resident's language from, in its place
    by English name (English stays first); not offered on resident pages until an admin
    offers it (set_pages_offered)."""
    (position,) = db.execute(
        "SELECT coalesce(min(sort_order), (SELECT coalesce(max(sort_order), 0) + 1"
        " FROM languages)) FROM languages WHERE code != 'en' AND lower(name) > lower(?)",
        (name,)).fetchone()
    db.execute("UPDATE languages SET sort_order = sort_order + 1 WHERE sort_order >= ?",
               (position,))
    db.execute("INSERT INTO languages (code, name, autonym, direction, sort_order, pages_enabled)"
               " VALUES (?, ?, ?, ?, ?, 0)", (code, name, autonym, direction, position))
    return code


def set_pages_offered(db, code: str, offered: bool) -> None:
    db.execute("UPDATE languages SET pages_enabled = ? WHERE code = ?", (int(offered), code))
