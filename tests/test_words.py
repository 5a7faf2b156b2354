"""The words every page shares (core.words): plurals, possessives, dates and times in words."""

import html
from datetime import UTC, date, datetime

import pytest

from fieldapp.core.clock import today_local
from fieldapp.core.words import date_words, plural, possessive, time_words


@pytest.mark.parametrize(("count", "word", "expected"), [
    (1, "person", "1 person"), (2, "person", "2 people"), (0, "person", "0 people"),
    (1, "resident", "1 resident"), (3, "resident", "3 residents"),
    (1, "visit", "1 visit"), (12, "visit", "12 visits"),
])
def test_plural_says_one_thing_or_many(count, word, expected):
    assert plural(count, word) == expected


def test_plural_takes_an_irregular_plural_when_given():
    assert plural(2, "match", "matches") == "2 matches"


@pytest.mark.parametrize(("name", "expected"), [
    ("Riverside Homes", "Riverside Homes'"), ("Sam", "Sam's"), ("Acme Repairs", "Acme Repairs'"),
])
def test_possessive_of_a_name_ending_in_s_is_the_apostrophe_alone(name, expected):
    assert possessive(name) == expected


def test_dates_are_in_words_with_the_year_only_when_it_is_another_year():
    this_year = today_local().year
    assert date_words(date(this_year, 12, 3)) == f"{date(this_year, 12, 3):%A} 3 December"
    assert date_words(date(2020, 12, 3)) == "Thursday 3 December 2020"
    assert date_words("2020-12-03") == "Thursday 3 December 2020"


def test_a_stored_utc_moment_is_dated_and_timed_in_local_time():
    # 23:30 UTC in summer is 00:30 the next day in London.
    assert date_words("2020-06-30T23:30:00+00:00") == "Wednesday 1 July 2020"
    assert time_words("2020-06-30T23:30:00+00:00") == "00:30"
    assert time_words(datetime(2020, 1, 6, 9, 5, tzinfo=UTC)) == "09:05"


def test_the_filters_are_registered_for_every_template(app):
    for name in ("plural", "possessive", "date_words", "time_words"):
        assert name in app.jinja_env.filters
    with app.app_context():
        rendered = app.jinja_env.from_string(
            "{{ 1 | plural('person') }}; {{ 'Riverside Homes' | possessive }} website; "
            "{{ '2020-12-03' | date_words }}").render()
    assert html.unescape(rendered) == "1 person; Riverside Homes' website; Thursday 3 December 2020"


def test_an_instruction_that_counts_people_says_1_person(app):
    from fieldapp.core.catalogues import ADJUSTMENT_TYPES
    from fieldapp.operative.instructions import fill, placeholders

    template = next(t for code, _l, t, _p in ADJUSTMENT_TYPES if code == "max_people")
    assert fill(template, {"n": 1}) == "No more than 1 person inside the home at once."
    assert fill(template, {"n": "3"}) == "No more than 3 people inside the home at once."
    assert fill(template, {}) == "No more than two people inside the home at once."
    assert placeholders(template) == "No more than [n] people inside the home at once."


def test_the_stored_catalogue_names_the_noun_it_counts(db):
    template = db.execute("SELECT instruction_template FROM adjustment_types"
                          " WHERE code = 'max_people'").fetchone()[0]
    assert template == "No more than {n:person} inside the home at once."
