"""Every demo account signs in on a phone-sized screen and lands on its role's home page."""

import pytest

from fieldapp import create_app
from fieldapp.demo import DEMO_PASSWORD

from conftest import (
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_tap_targets,
    screenshot,
    sign_in_browser,
)
from support import LiveServer, make_demo_database

HOMES = {
    "admin@demo.test": ("/admin/users", "Users"),
    "officer@demo.test": ("/residents", "Residents"),
    "officer2@demo.test": ("/residents", "Residents"),
    "operative@demo.test": ("/today", "My day"),
    "operative2@demo.test": ("/today", "My day"),
}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    path = make_demo_database(tmp_path_factory.mktemp("demo"))
    with LiveServer(create_app({"FIELDAPP_DB": path})) as server:
        yield server


@pytest.mark.parametrize("email", sorted(HOMES))
def test_demo_account_signs_in_lands_home_and_signs_out(page, demo_server, email):
    path, heading = HOMES[email]
    sign_in_browser(page, demo_server.url, email, DEMO_PASSWORD)
    assert page.url == demo_server.url + path
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert_accessible(page, f"home of {email}")
    assert_no_horizontal_scroll(page)
    assert_tap_targets(page)
    screenshot(page, "home-" + email.split("@")[0])
    page.get_by_role("button", name="Sign out").click()
    assert "/login" in page.url
    assert page.get_by_text("You have signed out.").is_visible()
    page.goto(demo_server.url + path)
    assert "/login" in page.url  # the session really ended


def test_sign_in_page_is_accessible_and_shows_errors_accessibly(page, demo_server):
    page.goto(demo_server.url + "/login")
    assert_accessible(page, "sign-in page")
    page.get_by_role("button", name="Sign in").click()
    assert page.title().startswith("Error: ")
    assert page.get_by_text("Enter your email address").first.is_visible()
    assert_accessible(page, "sign-in page with errors")
    page.set_viewport_size({"width": 320, "height": 640})
    assert_no_horizontal_scroll(page)
