"""Timing adjustments as data: times and days an officer records with consent, the plain
instruction written from them, and the free-text ones recorded before that, migrated."""

import json

import pytest
from test_adjustments import add_url, adjustment_form, briefing_text, count

from fieldapp.core import migrations
from fieldapp.core.catalogues import timing_broken, timing_from_words
from fieldapp.core.clock import LOCAL_ZONE, today_local
from fieldapp.core.db import connect

from factories import add_adjustment, add_resident
from pages import assert_field_error, check_page
from support import post_form


def test_officer_records_times_and_days_the_operative_reads_as_one_instruction(
        db, world, signed_in):
    client = signed_in("officer")
    page = client.get(add_url(world, "avoid_times")).get_data(as_text=True)
    check_page(page)
    assert "Not before (like 10:00)" in page and 'value="friday"' in page
    response = post_form(client, add_url(world, "avoid_times"), adjustment_form(
        param_not_before="9.30", param_days=["friday", "sunday"], detail=""))
    assert response.status_code == 303
    row = db.execute("SELECT parameters FROM adjustments WHERE type_code = 'avoid_times'"
                     ).fetchone()
    assert json.loads(row[0]) == {"not_before": "09:30", "days": ["friday", "sunday"],
                                  "when": "before 9:30am or on Fridays or Sundays"}
    assert "Do not visit before 9:30am or on Fridays or Sundays." in briefing_text(
        signed_in, world)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({}, "param_not_before", "Enter a time or select a day to avoid"),
    ({"param_not_before": "10am"}, "param_not_before",
     "Not before must be a time in hours and minutes, like 10:00"),
    ({"param_not_after": "25:00"}, "param_not_after",
     "Not after must be a time in hours and minutes, like 10:00"),
    ({"param_days": ["someday"]}, "param_days", "Select days from the list"),
])
def test_timing_adjustment_needs_real_times_or_days(db, world, signed_in, changes, field,
                                                    message):
    response = post_form(signed_in("officer"), add_url(world, "avoid_times"),
                         adjustment_form(**changes))
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), field, message)
    assert count(db, "adjustments WHERE type_code = 'avoid_times'") == 0


def test_a_window_is_checked_against_times_and_days():
    from datetime import datetime, time, timedelta
    friday = today_local() + timedelta(days=(4 - today_local().weekday()) % 7)
    starts = datetime.combine(friday, time(9), LOCAL_ZONE)
    ends = datetime.combine(friday, time(13), LOCAL_ZONE)
    broken = timing_broken({"not_before": "10:00", "not_after": "12:00", "days": ["friday"]},
                           starts, ends)
    assert broken == [
        "the window starts at 09:00, and the resident asked us not to visit before 10am",
        "the window ends at 13:00, and the resident asked us not to visit after 12 noon",
        "the visit is on a Friday, and the resident asked us not to visit on Fridays"]
    assert timing_broken({"not_before": "09:00", "not_after": "13:00"}, starts, ends) == []


@pytest.mark.parametrize(("words", "timing"), [
    ("before 10am", {"not_before": "10:00"}),
    ("mornings only", {"not_after": "12:00"}),
    ("afternoons only", {"not_before": "12:00"}),
    ("on Fridays", {"days": ["friday"]}),
    ("after 4pm or at weekends", {"not_after": "16:00", "days": ["saturday", "sunday"]}),
    ("when his daughter is at work", None),
    ("before 10", None),
])
def test_typed_timing_words_are_recognised_only_when_every_part_is(words, timing):
    assert timing_from_words(words) == timing


def _migration_named(db, suffix: str) -> str:
    return next(m.name for m in migrations.migrations.pending(db) if m.name.endswith(suffix))


def test_migration_turns_typed_timing_into_data_and_keeps_the_rest_visible(tmp_path):
    db = connect(str(tmp_path / "old.db"))
    migrations.migrations.apply(
        db, stop_before=_migration_named(db, "_booking_timing_and_female_operative"))
    db.execute("INSERT INTO organisations (name, kind, created_at, updated_at)"
               " VALUES ('L', 'landlord', 'n', 'n')")
    db.execute("INSERT INTO users (name, email, password_hash, role, organisation_id,"
               " created_at, updated_at) VALUES ('O', 'o@l.test', 'x', 'officer', 1, 'n', 'n')")
    stored = [("avoid_times", {"when": "before 10am"}), ("avoid_times", {"when": "in Ramadan"}),
              ("other", {"text": "Mornings only"}), ("other", {"text": "Use the side door"}),
              ("same_gender", {"gender": "female"}), ("same_gender", {"gender": "male"})]
    for number, (code, parameters) in enumerate(stored, start=1):
        add_adjustment(db, add_resident(db, 1, name=f"R{number}"), code, 1, parameters)
    migrations.apply(db)
    after = [(r[0], json.loads(r[1])) for r in db.execute(
        "SELECT type_code, parameters FROM adjustments ORDER BY id")]
    assert after == [
        ("avoid_times", {"not_before": "10:00", "when": "before 10am"}),
        ("other", {"text": "Do not visit in Ramadan."}),
        ("avoid_times", {"not_after": "12:00", "when": "after 12 noon"}),
        ("other", {"text": "Use the side door"}),
        ("same_gender", {}),
        ("other", {"text": "The resident has asked for a male operative."})]
    db.close()
