"""The operative's pages on a phone: readable, accessible, no sideways scrolling, big targets."""

from datetime import datetime, time

import pytest
from playwright.sync_api import expect

from fieldapp.core.clock import LOCAL_ZONE, today_local

from conftest import (
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_tap_targets,
    screenshot,
    sign_in_browser,
)
from factories import add_adjustment, add_resident, add_visit, window_around_now
from support import PASSWORD, PEOPLE


@pytest.fixture
def busy_visit(db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Michael Brennan", preferred_name="Michael",
                            advocate_name="Grace Brennan", advocate_phone="07700 900 312",
                            advocate_relationship="Sister", doorstep_password="bluebell",
                            language="tr", interpreter="phone")
    db.execute("UPDATE organisations SET interpreting_phone = '0800 046 0123' WHERE id = ?",
               (world.orgs["riverside"],))
    for code, parameters, detail in [
            ("advocate_present", {}, ""),
            ("call_ahead", {"minutes": "30", "phone": "07700 900 312"}, "Call Grace, not Michael."),
            ("explain_each_step", {}, "Show him the part before you fit it."),
            ("noise_warning", {}, ""), ("max_people", {"n": "2"}, "")]:
        add_adjustment(db, resident, code, world.users["officer"], parameters, detail)
    today = today_local()
    return add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                     datetime.combine(today, time(10), LOCAL_ZONE),
                     datetime.combine(today, time(12), LOCAL_ZONE), trade="Gas heating",
                     steps=[("Turn off the gas", 10, {"gas_off"}),
                            ("Replace the boiler", 60, {"noisy", "dusty"})])


@pytest.mark.parametrize(("name", "path"), [
    ("my-day", "/today"),
    ("briefing", "/visits/{visit}"),
    ("distress-card", "/visits/{visit}/distress"),
    ("id-card", "/visits/{visit}/id-card"),
])
def test_operative_page_is_accessible_on_a_phone(page, live_server, busy_visit, name, path):
    sign_in_browser(page, live_server.url, PEOPLE["operative"][0], PASSWORD)
    page.goto(live_server.url + path.format(visit=busy_visit))
    assert page.locator("h1").count() == 1
    assert_accessible(page, name)
    assert_no_horizontal_scroll(page)
    assert_tap_targets(page)
    screenshot(page, f"operative-{name}")
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)


def test_verification_pages_are_accessible_on_a_phone(page, live_server, db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                      *window_around_now())
    sign_in_browser(page, live_server.url, PEOPLE["operative"][0], PASSWORD)
    page.goto(f"{live_server.url}/visits/{visit}/id-card")
    link = page.locator(".id-card__link").inner_text()
    page.context.clear_cookies()
    for url, name in [(link, "verify-yes"), (f"{live_server.url}/verify/nonsense", "verify-no")]:
        page.goto(url)
        assert_accessible(page, name)
        assert_no_horizontal_scroll(page)
        screenshot(page, name)


def test_tapping_a_visit_on_my_day_opens_its_briefing(page, live_server, busy_visit):
    sign_in_browser(page, live_server.url, PEOPLE["operative"][0], PASSWORD)
    page.locator(".visit-card", has_text="Gas heating").click(position={"x": 200, "y": 60})
    page.wait_for_url(f"**/visits/{busy_visit}")
    expect(page.get_by_role("heading", name="1. Before you knock")).to_be_visible()
