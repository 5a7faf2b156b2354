"""Periods in Europe/London local days, turned into the UTC bounds the database stores."""

from dataclasses import dataclass
from datetime import date, timedelta

from fieldapp.core.clock import day_bounds_utc, today_local

PRESETS = [("week", "This week"), ("4weeks", "Last 4 weeks"), ("quarter", "This quarter"),
           ("custom", "Choose dates")]
LONGEST_DAYS = 400


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive
    label: str

    @property
    def bounds(self) -> tuple[str, str]:
        """[start, end) in UTC, covering whole local days."""
        return day_bounds_utc(self.first, (self.last - self.first).days + 1)

    def weeks(self) -> list[date]:
        """The Monday of each week the period touches."""
        monday = self.first - timedelta(days=self.first.weekday())
        return [monday + timedelta(weeks=n)
                for n in range((self.last - monday).days // 7 + 1)]

    def week_label(self, monday: date) -> str:
        """ "Week of 9 March", or for a first week the period enters mid-week (its counts
        start on the period's first day, not the Monday) "Part week: Wednesday 4 to Sunday 8
        March", so a short bar is not read as a quiet week."""
        if monday >= self.first:
            return f"Week of {monday:%-d %B}"
        return "Part week: " + days_in_words(self.first, min(monday + timedelta(days=6),
                                                              self.last))


def days_in_words(first: date, last: date) -> str:
    """ "Wednesday 4 to Sunday 8 March"; the month is said twice only when it changes."""
    if first == last:
        return f"{first:%A %-d %B}"
    start = f"{first:%A %-d}" if (first.year, first.month) == (last.year, last.month) \
        else f"{first:%A %-d %B}"
    return f"{start} to {last:%A %-d %B}"


def preset(name: str, today: date | None = None) -> Period:
    today = today or today_local()
    if name == "week":
        return Period(today - timedelta(days=today.weekday()), today, "This week")
    if name == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        return Period(first, today, "This quarter")
    return Period(today - timedelta(days=27), today, "Last 4 weeks")
