"""The resident picks one of the times offered, on their own phone, and the booking follows:
the operative's My day shows the new time and the old ID card check no longer confirms."""

from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from fieldapp.core.clock import LOCAL_ZONE, today_local
from fieldapp.core.signing import make_token
from fieldapp.voice import tokens

from conftest import assert_accessible, assert_no_horizontal_scroll, assert_tap_targets
from factories import add_resident, add_visit, offer_times
from support import PASSWORD, PEOPLE


def test_a_resident_picks_a_time_and_the_operatives_day_and_id_check_follow(
        page, browser, app, live_server, db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    # Later today, within the hour before it in which the caller check already confirms: a
    # visit whose time has begun can no longer be moved from the link.
    starts = datetime.now(LOCAL_ZONE).replace(second=0, microsecond=0) + timedelta(minutes=30)
    if (starts + timedelta(hours=1)).date() != today_local():
        pytest.skip("needs a visit later today")
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts,
                      starts + timedelta(hours=1), trade="Drain survey")
    tomorrow = today_local() + timedelta(days=1)
    # Tomorrow afternoon (the operative is booked tomorrow morning), and a later day.
    offer_times(db, visit, [tomorrow, tomorrow + timedelta(days=2)], starts_hour=13)
    with app.test_request_context():
        link = "/t/" + tokens.make(tokens.OFFER_SALT, visit)
        old_check = "/verify/" + make_token(visit, world.users["operative"],
                                            today_local().isoformat())
    page.goto(live_server.url + old_check)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Yes: Operative")

    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time for your visit")
    assert_accessible(page, "choose a time")
    assert_no_horizontal_scroll(page)
    assert_tap_targets(page)
    choice = f"{tomorrow:%A} {tomorrow.day} {tomorrow:%B}, 13:00 to 15:00"
    page.get_by_label(choice).check()
    page.get_by_role("button", name="Send my choice").click()
    assert f"We have booked your visit for {choice}" in page.locator("main").inner_text()
    assert_accessible(page, "time chosen")

    page.goto(live_server.url + old_check)
    assert "Yes:" not in page.get_by_role("heading", level=1).inner_text()

    operative = browser.new_context()
    phone = operative.new_page()
    phone.goto(f"{live_server.url}/login")
    phone.get_by_label("Email address").fill(PEOPLE["operative"][0])
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    phone.goto(f"{live_server.url}/today")
    tomorrow_list = phone.locator("xpath=//h2[.='Tomorrow']/following-sibling::*[1]")
    card = tomorrow_list.locator("li", has_text="Drain survey")
    assert "13:00" in card.inner_text()
    today_list = phone.locator("xpath=//h2[.='Today']/following-sibling::*[1]")
    assert "Drain survey" not in today_list.inner_text()
    operative.close()
    moved = db.execute("SELECT starts_at FROM visits WHERE id = ?", (visit,)).fetchone()[0]
    assert moved == datetime.combine(tomorrow, time(13), LOCAL_ZONE).astimezone(UTC).isoformat(
        timespec="seconds")
