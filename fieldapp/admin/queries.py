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
