"""Build exactly the records a test needs, straight into its database file."""

import json
from datetime import UTC, datetime, timedelta

from fieldapp.core.db import utc_now

STEP_FLAGS = ("noisy", "dusty", "water_off", "power_off", "gas_off")


def add_resident(db, landlord_id: int, officer_id: int | None = None, **fields) -> int:
    values = {"name": "Ada Resident", "preferred_name": "", "address_line1": "5 Quiet Lane",
              "postcode": "RS9 9ZZ", "area": "Quietside", "doorstep_password": "", **fields}
    now = utc_now()
    columns = ", ".join(values)
    marks = ", ".join("?" * len(values))
    return db.execute(
        f"INSERT INTO residents (landlord_id, officer_id, {columns}, created_at, updated_at)"
        f" VALUES (?, ?, {marks}, ?, ?)",
        (landlord_id, officer_id, *values.values(), now, now)).lastrowid


def add_adjustment(db, resident_id: int, code: str, recorded_by: int, parameters=None,
                   detail: str = "", status: str = "active") -> int:
    now = utc_now()
    return db.execute(
        "INSERT INTO adjustments (resident_id, type_code, parameters, detail, consent_given_by,"
        " consent_how, consent_on, recorded_by, review_due, status, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, 'resident', 'phone', '2026-01-01', ?, '2099-01-01', ?, ?, ?)",
        (resident_id, code, json.dumps(parameters or {}), detail, recorded_by, status, now, now)
    ).lastrowid


def add_visit(db, resident_id: int, firm_id: int, operatives: list[int], starts: datetime,
              ends: datetime, steps=(), trade: str = "Plumbing", status: str = "booked",
              job_ref: str | None = None, **fields) -> int:
    """`steps`: (description, minutes, {hint flags}) tuples, in order."""
    now = utc_now()
    visit_id = db.execute(
        "INSERT INTO visits (resident_id, firm_id, job_ref, trade, starts_at, ends_at, status,"
        " notes_for_operative, pre_visit, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (resident_id, firm_id, job_ref or f"JOB-{now}-{starts.timestamp()}", trade,
         _utc(starts), _utc(ends), status, fields.get("notes_for_operative", ""),
         int(fields.get("pre_visit", False)), now, now)).lastrowid
    for operative in operatives:
        db.execute("INSERT INTO visit_operatives (visit_id, user_id) VALUES (?, ?)",
                   (visit_id, operative))
    for position, (description, minutes, hints) in enumerate(steps, start=1):
        db.execute(
            "INSERT INTO work_steps (visit_id, position, description, expected_minutes, noisy,"
            " dusty, water_off, power_off, gas_off) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (visit_id, position, description, minutes, *(int(f in hints) for f in STEP_FLAGS)))
    return visit_id


def window_around_now(before: int = 30, after: int = 60) -> tuple[datetime, datetime]:
    """A visit window that contains now and stays inside today's local date."""
    from fieldapp.core.clock import LOCAL_ZONE

    now = datetime.now(LOCAL_ZONE)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = max(midnight, now - timedelta(minutes=before))
    ends = min(midnight + timedelta(hours=23, minutes=59), now + timedelta(minutes=after))
    return starts, ends


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
