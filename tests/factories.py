"""Build exactly the records a test needs, straight into its database file."""

from datetime import UTC, datetime, time, timedelta

from fieldapp.adjustments.queries import create_adjustment
from fieldapp.core.db import utc_now
from fieldapp.residents.queries import create_resident
from fieldapp.schedule.queries import STEP_FLAGS, create_visit


def add_resident(db, landlord_id: int, officer_id: int | None = None, **fields) -> int:
    return create_resident(db, landlord_id, {
        "name": "Ada Resident", "preferred_name": "", "address_line1": "5 Quiet Lane",
        "postcode": "RS9 9ZZ", "area": "Quietside", "doorstep_password": "",
        "officer_id": officer_id, **fields})


def add_adjustment(db, resident_id: int, code: str, recorded_by: int, parameters=None,
                   detail: str = "", status: str = "active") -> int:
    return create_adjustment(db, resident_id, code, recorded_by, {
        "parameters": parameters or {}, "detail": detail, "consent_given_by": "resident",
        "consent_how": "phone", "consent_on": "2026-01-01", "review_due": "2099-01-01"},
        status=status)


def add_visit(db, resident_id: int, firm_id: int, operatives: list[int], starts: datetime,
              ends: datetime, steps=(), trade: str = "Plumbing", status: str = "booked",
              job_ref: str | None = None, **fields) -> int:
    """`steps`: (description, minutes, {hint flags}) tuples, in order."""
    return create_visit(
        db, resident_id=resident_id, firm_id=firm_id,
        job_ref=job_ref or f"JOB-{utc_now()}-{starts.timestamp()}", trade=trade,
        starts_at=_utc(starts), ends_at=_utc(ends), status=status, operatives=operatives,
        notes_for_operative=fields.get("notes_for_operative", ""),
        pre_visit=int(fields.get("pre_visit", False)),
        lone_working=int(fields.get("lone_working", False)),
        steps=[{"description": description, "expected_minutes": minutes,
                **{flag: int(flag in hints) for flag in STEP_FLAGS}}
               for description, minutes, hints in steps])


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


def free_days(count: int, after=None) -> list:
    """The next `count` days after `after` (default today) we may offer: not Sundays."""
    from fieldapp.core.clock import today_local

    day, found = after or today_local(), []
    while len(found) < count:
        day += timedelta(days=1)
        if day.weekday() != 6:
            found.append(day)
    return found


def offer_times(db, visit_id: int, days, starts_hour: int = 10, hours: int = 2,
                offered_by: int | None = None) -> int:
    """An open offer of one window a day, through the one function that makes offers."""
    from fieldapp.choice.queries import create_offer
    from fieldapp.core.clock import LOCAL_ZONE

    windows = [(_utc(datetime.combine(day, time(starts_hour), LOCAL_ZONE)),
                _utc(datetime.combine(day, time(starts_hour + hours), LOCAL_ZONE)))
               for day in days]
    return create_offer(db, visit_id, windows, offered_by, utc_now())
