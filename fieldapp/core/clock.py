"""Local time for people, UTC for storage: visits and days are Europe/London, stored as UTC."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/London")


def today_local() -> date:
    return datetime.now(LOCAL_ZONE).date()


def local_to_utc_iso(day: date, at: time) -> str:
    return datetime.combine(day, at, LOCAL_ZONE).astimezone(UTC).isoformat(timespec="seconds")


def day_bounds_utc(first_day: date, days: int = 1) -> tuple[str, str]:
    """UTC ISO bounds [start, end) of whole local days; a day can be 23 or 25 hours long."""
    return (local_to_utc_iso(first_day, time.min),
            local_to_utc_iso(first_day + timedelta(days=days), time.min))


def to_local(utc_iso: str) -> datetime:
    return datetime.fromisoformat(utc_iso).astimezone(LOCAL_ZONE)


def clock_time(utc_iso: str) -> str:
    return to_local(utc_iso).strftime("%H:%M")


def when_in_words(utc_iso: str) -> str:
    """A moment as people say it: "today at 09:12", "yesterday at 16:40", "Thursday 4 December
    at 09:12" (the year only when it is not this one)."""
    moment = to_local(utc_iso)
    days_ago = (today_local() - moment.date()).days
    if days_ago == 0:
        day = "today"
    elif days_ago == 1:
        day = "yesterday"
    elif days_ago == -1:
        day = "tomorrow"
    else:
        day = moment.strftime("%A %-d %B" if moment.year == today_local().year else "%A %-d %B %Y")
    return f"{day} at {moment.strftime('%H:%M')}"
