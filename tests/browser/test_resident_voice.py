"""A resident on their own phone, with no account: how the visit felt, and another time."""

from datetime import datetime, time, timedelta

from playwright.sync_api import expect

from fieldapp.core.clock import LOCAL_ZONE, today_local
from fieldapp.voice import tokens

from conftest import (
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_tap_targets,
    screenshot,
    sign_in_browser,
)
from factories import add_resident, add_visit, window_around_now
from support import PASSWORD, PEOPLE


def _link(app, salt: str, visit: int) -> str:
    with app.test_request_context():
        return tokens.make(salt, visit)


def check_on_a_phone(page, name: str) -> None:
    assert_accessible(page, name)
    assert_no_horizontal_scroll(page)
    assert_tap_targets(page)
    screenshot(page, name)


def test_a_resident_says_how_the_visit_felt_on_their_phone(page, app, live_server, db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                      *window_around_now(), trade="Gas heating")
    page.goto(f"{live_server.url}/f/{_link(app, tokens.FEEDBACK_SALT, visit)}")
    check_on_a_phone(page, "resident-feedback")
    page.get_by_role("button", name="Send").click()
    assert page.title().startswith("Error: ")
    check_on_a_phone(page, "resident-feedback-errors")
    page.get_by_role("group", name="Did you feel safe?").get_by_label("Yes").check()
    page.get_by_role("group", name="Did you feel listened to?").get_by_label("Partly").check()
    page.get_by_label("Anything you would like to tell us? (optional)").fill("Kind and calm.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    check_on_a_phone(page, "resident-feedback-thanks")
    row = db.execute("SELECT felt_safe, listened_to, comment FROM visit_feedback"
                     " WHERE visit_id = ?", (visit,)).fetchone()
    assert tuple(row) == ("yes", "partly", "Kind and calm.")

    # Back on the link, the phone's answers are there: changing one keeps the others.
    page.goto(f"{live_server.url}/f/{_link(app, tokens.FEEDBACK_SALT, visit)}")
    safe = page.get_by_role("group", name="Did you feel safe?")
    expect(safe.get_by_label("Yes")).to_be_checked()
    expect(page.get_by_role("group", name="Did you feel listened to?").get_by_label("Partly")
           ).to_be_checked()
    expect(page.get_by_label("Anything you would like to tell us? (optional)")).to_have_value(
        "Kind and calm.")
    safe.get_by_label("No").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    newest = db.execute("SELECT felt_safe, listened_to, comment FROM visit_feedback"
                        " WHERE visit_id = ? ORDER BY id DESC", (visit,)).fetchone()
    assert tuple(newest) == ("no", "partly", "Kind and calm.")

    # The officer reads the change and what was said before it.
    sign_in_browser(page, live_server.url, PEOPLE["officer"][0], PASSWORD)
    page.goto(f"{live_server.url}/schedule/{visit}")
    expect(page.get_by_role("heading", name="Answers changed")).to_be_visible()
    assert_accessible(page, "officer-feedback-changed")


def test_a_resident_asks_for_another_time_on_their_phone(page, app, live_server, db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    starts = datetime.combine(today_local() + timedelta(days=2), time(10), LOCAL_ZONE)
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts,
                      starts + timedelta(hours=2), trade="Roofing")
    page.goto(f"{live_server.url}/r/{_link(app, tokens.REBOOK_SALT, visit)}")
    check_on_a_phone(page, "resident-rebook")
    page.get_by_label("Tuesday").check()
    page.get_by_label("Morning (8am to 12 noon)").check()
    page.get_by_role("button", name="I can't do this time").click()
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Thank you: we will find another time"
    check_on_a_phone(page, "resident-rebook-done")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("We have your request")
    check_on_a_phone(page, "resident-rebook-used")
    assert db.execute("SELECT rebook_requested FROM visits WHERE id = ?", (visit,)).fetchone()[0]
