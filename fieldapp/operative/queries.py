"""Visits as the operative sees them: only visits they attend, only today and tomorrow."""

import sqlite3
from datetime import timedelta

from fieldapp.core.clock import clock_time, day_bounds_utc, to_local, today_local
from fieldapp.core.db import query_all, query_one
from fieldapp.operative.instructions import active_instructions

# Whether the resident's visits are paused at this visit's time: a yes or no, never why.
IN_PAUSE = """EXISTS (SELECT 1 FROM resident_pauses AS pause
                   WHERE pause.resident_id = visits.resident_id
                     AND visits.starts_at >= pause.starts_at
                     AND (pause.ends_at IS NULL OR visits.starts_at < pause.ends_at))"""

VISIT_FOR_OPERATIVE = f"""
    SELECT visits.id, visits.job_ref, visits.trade, visits.starts_at, visits.ends_at,
           visits.notes_for_operative, visits.pre_visit, visits.status, visits.firm_id,
           visits.rebook_requested, {IN_PAUSE} AS in_pause,
           residents.id AS resident_id, residents.preferred_name,
           residents.name AS resident_name,
           residents.address_line1, residents.address_line2, residents.town, residents.postcode,
           residents.area, residents.phone AS resident_phone, residents.language,
           residents.advocate_name, residents.advocate_phone, residents.advocate_relationship,
           residents.doorstep_password,
           officer.name AS officer_name, officer.phone AS officer_phone,
           landlord.id AS landlord_id, landlord.name AS landlord_name,
           landlord.main_phone AS landlord_phone, landlord.duty_phone AS landlord_duty_phone,
           landlord.safeguarding_phone AS landlord_safeguarding_phone,
           landlord.web_address AS landlord_web_address,
           firm.name AS firm_name, firm.main_phone AS firm_phone, firm.duty_phone AS firm_duty_phone
    FROM visits
    JOIN visit_operatives ON visit_operatives.visit_id = visits.id AND visit_operatives.user_id = ?
    JOIN residents ON residents.id = visits.resident_id
    JOIN organisations AS landlord ON landlord.id = residents.landlord_id
    JOIN organisations AS firm ON firm.id = visits.firm_id
    LEFT JOIN users AS officer ON officer.id = residents.officer_id
    WHERE visits.id = ? AND visits.status = 'booked'
      AND visits.starts_at >= ? AND visits.starts_at < ?
"""


def visits_for_operative(db, user_id: int, first_day, days: int = 2,
                         with_cancelled: bool = False) -> list[dict]:
    """The booked visits this operative attends from `first_day`, each with its chips and the
    visit's log if one was sent (by them or a colleague). `with_cancelled`: cancelled ones too,
    for My day to say so; the phone's offline pack never keeps them."""
    start, end = day_bounds_utc(first_day, days)
    statuses = ("booked", "cancelled") if with_cancelled else ("booked",)
    rows = query_all(db, f"""
        SELECT visits.id, visits.trade, visits.starts_at, visits.ends_at, visits.pre_visit,
               visits.rebook_requested, visits.resident_id, visits.status, visits.cancelled_at,
               residents.area, residents.postcode, {IN_PAUSE} AS in_pause
        FROM visit_operatives
        JOIN visits ON visits.id = visit_operatives.visit_id
        JOIN residents ON residents.id = visits.resident_id
        WHERE visit_operatives.user_id = ?
          AND visits.status IN ({", ".join("?" for _ in statuses)})
          AND visits.starts_at >= ? AND visits.starts_at < ?
        ORDER BY visits.starts_at""", (user_id, *statuses, start, end))
    instructions = active_instructions(db, list({row["resident_id"] for row in rows}))
    logs = logs_of_visits(db, [row["id"] for row in rows])
    return [dict(row, chips=[i.chip for i in instructions.get(row["resident_id"], [])],
                 local_day=to_local(row["starts_at"]).date(),
                 window=f"{clock_time(row['starts_at'])}–{clock_time(row['ends_at'])}",
                 outward_code=row["postcode"].split(" ")[0], log=logs.get(row["id"]))
            for row in rows]


def logs_of_visits(db, visit_ids: list[int]) -> dict[int, sqlite3.Row]:
    """Each visit's log, by whoever sent it: its latest version, with the author's name.

    A visit has one log (the first operative to send one; docs/decisions.md): the newest
    current version is read, so a visit logged twice before that rule still shows one."""
    if not visit_ids:
        return {}
    rows = query_all(db, f"""
        SELECT visit_logs.id, visit_logs.visit_id, visit_logs.author_id, visit_logs.outcome,
               visit_logs.created_at, users.name AS author_name
        FROM visit_logs JOIN users ON users.id = visit_logs.author_id
        WHERE visit_logs.visit_id IN ({", ".join("?" for _ in visit_ids)})
          AND NOT EXISTS (SELECT 1 FROM visit_logs AS newer
                          WHERE newer.amends_log_id = visit_logs.id)
        ORDER BY visit_logs.id""", tuple(visit_ids))
    return {row["visit_id"]: row for row in rows}


def log_of_visit(db, visit_id: int) -> sqlite3.Row | None:
    """The visit's log (see logs_of_visits), or None when nobody has logged it."""
    return logs_of_visits(db, [visit_id]).get(visit_id)


def visit_for_operative(db, visit_id: int, operative_id: int) -> sqlite3.Row | None:
    """The visit, if this operative attends it and it is booked for today or tomorrow, else
    None (the route answers 404, not 403: an operative learns nothing about visits not theirs).
    """
    start, end = day_bounds_utc(today_local(), days=2)
    return query_one(db, VISIT_FOR_OPERATIVE, (operative_id, visit_id, start, end))


def is_visit_day(visit: sqlite3.Row) -> bool:
    return to_local(visit["starts_at"]).date() == today_local()


def colleagues(db, visit_id: int, operative_id: int) -> list[str]:
    """Everyone else attending: the count people are told is always derived from this list."""
    return [row["name"] for row in query_all(db, """
        SELECT users.name FROM visit_operatives JOIN users ON users.id = visit_operatives.user_id
        WHERE visit_operatives.visit_id = ? AND users.id != ? ORDER BY users.name""",
        (visit_id, operative_id))]


def work_steps(db, visit_id: int) -> list[sqlite3.Row]:
    return query_all(db, "SELECT * FROM work_steps WHERE visit_id = ? ORDER BY position",
                     (visit_id,))


def visit_window_local(visit: sqlite3.Row) -> tuple[str, str]:
    return (to_local(visit["starts_at"]).strftime("%H:%M"),
            to_local(visit["ends_at"]).strftime("%H:%M"))


def visit_day_label(visit: sqlite3.Row) -> str:
    day = to_local(visit["starts_at"]).date()
    if day == today_local():
        return "Today"
    if day == today_local() + timedelta(days=1):
        return "Tomorrow"
    return day.strftime("%A %-d %B")


LOG_WINDOW_DAYS = 7


def visit_to_log(db, visit_id: int, operative_id: int) -> sqlite3.Row | None:
    """A visit this operative attends, from a week ago to tomorrow, whatever its status now,
    or None.

    Wider than the briefing's window: a log written offline may only reach us days later, and
    an officer may have cancelled the visit meanwhile. Nothing a user submits is lost.
    """
    start, _ = day_bounds_utc(today_local() - timedelta(days=LOG_WINDOW_DAYS))
    _, end = day_bounds_utc(today_local(), days=2)
    return query_one(db, """
        SELECT visits.id, visits.resident_id, visits.trade, visits.starts_at, visits.ends_at,
               residents.preferred_name, residents.name AS resident_name, residents.area,
               officer.name AS officer_name, officer.phone AS officer_phone
        FROM visits
        JOIN visit_operatives ON visit_operatives.visit_id = visits.id
             AND visit_operatives.user_id = ?
        JOIN residents ON residents.id = visits.resident_id
        LEFT JOIN users AS officer ON officer.id = residents.officer_id
        WHERE visits.id = ? AND visits.starts_at >= ? AND visits.starts_at < ?""",
        (operative_id, visit_id, start, end))
