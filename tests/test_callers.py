"""An officer checks a caller from the spoken code a resident reads out on the phone."""

import pytest

from fieldapp.caller_check.forms import normalise_code
from fieldapp.core.clock import today_local
from fieldapp.core.signing import spoken_code

from factories import add_resident, add_visit, window_around_now
from pages import check_page
from support import post_form


def look_up(client, typed: str):
    """Sent the way the page sends it: POSTed with its CSRF token, never in the address."""
    return post_form(client, "/check-caller", {"code": typed})


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
    response = look_up(signed_in("officer"), f"{code_now[:3]} {code_now[3:]}")
    html = response.get_data(as_text=True)
    check_page(html)
    assert "Operative</strong> from Acme Repairs has this code. They are booked to visit " \
        "Michael Brennan" in html
    assert "Flat 12, Alder Court, RS1 4AB" in html


def test_unknown_code_tells_the_officer_to_keep_the_door_closed(code_now, signed_in):
    wrong = f"{(int(code_now) + 1) % 1_000_000:06d}"
    html = look_up(signed_in("officer"), wrong).get_data(as_text=True)
    assert "No caller has that code today." in html
    assert "Michael" not in html


def test_another_landlords_officer_cannot_look_up_our_callers(code_now, signed_in):
    html = look_up(signed_in("other_landlord_officer"), code_now).get_data(as_text=True)
    assert "No caller has that code today." in html and "Michael" not in html


@pytest.mark.parametrize("typed", ["12345", "abcdef", "1234567", " "])
def test_a_code_that_is_not_six_digits_gets_a_clear_message(signed_in, typed):
    response = look_up(signed_in("officer"), typed)
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
    look_up(signed_in("officer"), code_now)
    row = db.execute("SELECT user_id FROM audit_log WHERE action = 'spoken_code_checked'"
                     ).fetchone()
    assert row["user_id"] == world.users["officer"]


def test_the_code_is_posted_not_put_in_the_address(code_now, signed_in, db):
    client = signed_in("officer")
    html = client.get("/check-caller").get_data(as_text=True)
    form = html.split('<form method="post" action="/check-caller"')[1].split("</form>")[0]
    assert 'name="csrf_token"' in form and 'name="code"' in form
    # An address with a code in it (a bookmark, a shared link, a proxy log) looks nothing up.
    response = client.get(f"/check-caller?code={code_now}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Michael" not in html and "No caller has that code" not in html
    assert f'value="{code_now}"' not in html
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'spoken_code_checked'"
                      ).fetchone()[0] == 0


def test_a_lookup_without_its_csrf_token_is_refused(code_now, signed_in):
    response = signed_in("officer").post("/check-caller", data={"code": code_now})
    assert response.status_code == 400
    assert "Michael" not in response.get_data(as_text=True)


def test_the_answer_lists_every_operative_attending_and_asks_for_the_address(
        app, db, world, signed_in):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Michael Brennan", address_line1="Flat 12, Alder Court",
                            postcode="RS1 4AB")
    visit = add_visit(db, resident, world.orgs["acme"],
                      [world.users["operative"], world.users["colleague"]], *window_around_now())
    with app.app_context():
        code = spoken_code(visit, world.users["colleague"], today_local().isoformat())
    html = look_up(signed_in("officer"), code).get_data(as_text=True)
    check_page(html)
    result = html.split("<h2>Result</h2>")[1]
    assert "<strong>Colleague</strong> from Acme Repairs" in result
    attending = result.split('<ul class="attending">')[1].split("</ul>")[0]
    assert attending.count("<li>") == 2
    assert "Operative, Acme Repairs" in attending and "Colleague, Acme Repairs" in attending
    ask = result.index("Ask the resident to tell you their address")
    assert ask < result.index("Flat 12, Alder Court, RS1 4AB")
    assert "Do not read it out" in result and "the caller is genuine" in result
