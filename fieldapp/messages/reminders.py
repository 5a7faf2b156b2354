"""When the day-before reminder goes, and whether it will: the outbox queues it by this, and
the words and pages that promise a reminder ask it first."""

from datetime import UTC, datetime, time, timedelta

from fieldapp.core.clock import LOCAL_ZONE, to_local
from fieldapp.messages import queries

# The reminder goes at this local time on the day before the visit.
REMINDER_AT = time(10, 0)


def reminder_time(starts_at: str) -> datetime:
    day_before = to_local(starts_at).date() - timedelta(days=1)
    return datetime.combine(day_before, REMINDER_AT, LOCAL_ZONE)


def reminder_will_go(db, visit, now: datetime | None = None) -> bool:
    """Whether the day-before reminder will be sent for the visit as it is booked now: its time
    is still ahead, the resident is not away then, and no request for another time stands
    (the conditions the reminder job checks when it runs)."""
    return (reminder_time(visit["starts_at"]) > (now or datetime.now(UTC))
            and not visit["rebook_requested"]
            and not queries.in_pause(db, visit["resident_id"], visit["starts_at"]))
