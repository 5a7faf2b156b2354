"""An officer checks a caller from the spoken code a resident reads out on the phone."""

import pytest

from fieldapp.caller_check.forms import normalise_code
from fieldapp.core.clock import today_local
from fieldapp.core.signing import spoken_code

from factories import add_resident, add_visit, window_around_now
from pages import check_page


@pytest.fixture
def code_now(app, db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Michael Brennan", address_line1="Flat 12, Alder Court",
                            postcode="RS1 4AB")
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                      *window_around_now())
    with app.app_context():
        return spoken_code(visit, world.users["operative"], today_local().isoformat())


def test_officer_finds_the_booked_caller_from_the_code(code_now, signed_in):
    response = signed_in("officer").get(f"/check-caller?code={code_now[:3]}+{code_now[3:]}")
    html = response.get_data(as_text=True)
    check_page(html)
    assert "Operative</strong> from Acme Repairs is booked to visit Michael Brennan" in html
    assert "Flat 12, Alder Court, RS1 4AB" in html


def test_unknown_code_tells_the_officer_to_keep_the_door_closed(code_now, signed_in):
    wrong = f"{(int(code_now) + 1) % 1_000_000:06d}"
    html = signed_in("officer").get(f"/check-caller?code={wrong}").get_data(as_text=True)
    assert "No caller has that code today." in html
    assert "Michael" not in html


def test_another_landlords_officer_cannot_look_up_our_callers(code_now, signed_in):
    html = signed_in("other_landlord_officer").get(
        f"/check-caller?code={code_now}").get_data(as_text=True)
    assert "No caller has that code today." in html and "Michael" not in html


@pytest.mark.parametrize("typed", ["12345", "abcdef", "1234567", " "])
def test_a_code_that_is_not_six_digits_gets_a_clear_message(signed_in, typed):
    response = signed_in("officer").get("/check-caller", query_string={"code": typed})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("Enter the 6-digit code, like 482 913") == 2
    assert "<title>Error: " in html
    check_page(html)


@pytest.mark.parametrize(("typed", "code"), [("482913", "482913"), ("482 913", "482913"),
                                              ("482-913", "482913"), ("48291", None)])
def test_codes_are_read_however_they_are_typed(typed, code):
    assert normalise_code(typed) == code


def test_each_lookup_is_audited(code_now, signed_in, db, world):
    signed_in("officer").get(f"/check-caller?code={code_now}")
    row = db.execute("SELECT user_id FROM audit_log WHERE action = 'spoken_code_checked'"
                     ).fetchone()
    assert row["user_id"] == world.users["officer"]
