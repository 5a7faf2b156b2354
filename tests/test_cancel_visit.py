"""Cancelling a visit records why (a reason from the list, and optional words) and when; the
visit's ID-card check stops at once, through the link and through the spoken code."""

import pytest

from fieldapp.caller_check.queries import callers_with_code, check_token
from fieldapp.core.clock import today_local
from fieldapp.core.signing import make_token, spoken_code

from factories import add_resident, add_visit, window_around_now
from pages import assert_field_error
from support import post_form


@pytest.fixture
def visit_now(db, world) -> int:
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    starts, ends = window_around_now()
    return add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts, ends)


def test_cancelling_records_the_reason_and_the_time_and_stops_the_caller_check(
        app, db, world, signed_in, visit_now):
    operative, today = world.users["operative"], today_local().isoformat()
    with app.app_context():
        token = make_token(visit_now, operative, today)
        code = spoken_code(visit_now, operative, today)
        assert check_token(db, token).confirmation is not None
        assert callers_with_code(db, world.orgs["riverside"], code)

    response = post_form(signed_in("officer"), f"/schedule/{visit_now}/cancel",
                         {"reason": "not_needed", "note": ""})
    assert response.status_code == 303
    row = db.execute("SELECT status, cancelled_at, cancel_reason, cancel_note FROM visits"
                     " WHERE id = ?", (visit_now,)).fetchone()
    assert (row["status"], row["cancel_reason"], row["cancel_note"]) == (
        "cancelled", "not_needed", "")
    assert row["cancelled_at"]
    with app.app_context():
        assert check_token(db, token).confirmation is None
        assert not callers_with_code(db, world.orgs["riverside"], code)


@pytest.mark.parametrize(("answers", "field", "message"), [
    ({}, "reason", "Select why the visit is cancelled"),
    ({"reason": "bored"}, "reason", "Select why the visit is cancelled"),
    ({"reason": "other", "note": "x" * 301}, "note",
     "What you add must be 300 characters or fewer"),
])
def test_a_cancellation_needs_a_reason_and_nothing_changes_without_one(
        db, world, signed_in, visit_now, answers, field, message):
    response = post_form(signed_in("officer"), f"/schedule/{visit_now}/cancel", answers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert_field_error(html, field, message)
    assert db.execute("SELECT status FROM visits WHERE id = ?", (visit_now,)).fetchone()[0] == \
        "booked"


@pytest.mark.parametrize(("reason", "alerted"), [
    ("no_operative", True), ("moved", True), ("access_or_safety", True), ("other", True),
    ("not_needed", False), ("booked_by_mistake", False), ("resident_asked", False)])
def test_a_cancelled_visit_whose_work_still_needs_doing_asks_the_officer_to_agree_a_new_time(
        db, world, signed_in, visit_now, reason, alerted):
    # The resident's message says their contact will get in touch: the officer's inbox says so.
    response = post_form(signed_in("officer"), f"/schedule/{visit_now}/cancel",
                         {"reason": reason, "note": ""})
    assert response.status_code == 303
    alerts = db.execute("SELECT officer_id, severity, reasons FROM alerts WHERE visit_id = ?",
                        (visit_now,)).fetchall()
    assert [tuple(a) for a in alerts] == ([(
        world.users["officer"], "reach_out",
        "Visit cancelled: agree a new time with the resident")] if alerted else [])
