"""The words every page shares: counts with the right plural, possessives, and dates and times
as people say them. One home for each, registered as Jinja filters in create_app, so "1 people",
"Homes's" or a raw "2026-12-04" cannot creep back in one template at a time."""

from datetime import date, datetime

from babel.dates import format_date
from babel.lists import format_list
from flask import g, has_app_context

from fieldapp.core.clock import LOCAL_ZONE, to_local, today_local


def _reader_language() -> str:
    """The language the page being drawn speaks: a resident's page may choose another than
    English (core.i18n); staff pages and messages without one are English."""
    return g.get("language", "en") if has_app_context() else "en"

# Plurals that are not the word plus "s". Anything else: pass the plural yourself.
IRREGULAR_PLURALS = {"person": "people", "child": "children"}


def plural_word(count: int, singular: str, plural: str | None = None) -> str:
    """The word alone: `plural_word(1, "person")` is "person", `plural_word(2, "person")` is
    "people"."""
    if count == 1:
        return singular
    return plural or IRREGULAR_PLURALS.get(singular, singular + "s")


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """The count and the word: "1 person", "2 people", "0 visits", "1 resident"."""
    return f"{count} {plural_word(count, singular, plural)}"


def and_list(items) -> str:
    """ "Sam", "Sam and Dan", "Sam, Dan and Jo"."""
    items = [str(item) for item in items]
    if _reader_language() != "en":
        return format_list(items, locale=_reader_language()) if items else ""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def possessive(name: str) -> str:
    """ "Riverside Homes'" and "Sam's": a name ending in s takes the apostrophe alone."""
    name = (name or "").rstrip()
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"


def _local_moment(value) -> date | datetime:
    """A date as given, or a moment in local time: from a date, a datetime or an ISO string
    (a stored UTC moment, or a plain YYYY-MM-DD day)."""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_ZONE) if value.tzinfo else value
    if isinstance(value, date):
        return value
    text = str(value)
    return date.fromisoformat(text) if len(text) == 10 else to_local(text)


def date_words(value, year: bool | None = None) -> str:
    """ "Thursday 4 December"; the year is added when it is not this year (or `year=True`)."""
    if value is None or value == "":
        return ""
    moment = _local_moment(value)
    day = moment.date() if isinstance(moment, datetime) else moment
    with_year = year or (year is None and day.year != today_local().year)
    if _reader_language() != "en":
        return format_date(day, "EEEE d MMMM y" if with_year else "EEEE d MMMM",
                           locale=_reader_language())
    words = f"{day:%A} {day.day} {day:%B}"
    if with_year:
        words += f" {day.year}"
    return words


def time_words(value) -> str:
    """The local clock time, 24-hour as the rest of the app shows it: "09:30", "14:00"."""
    if value is None or value == "":
        return ""
    moment = _local_moment(value)
    return moment.strftime("%H:%M") if isinstance(moment, datetime) else ""


FILTERS = {"plural": plural, "plural_word": plural_word, "and_list": and_list,
           "possessive": possessive,
           "date_words": date_words, "time_words": time_words}
