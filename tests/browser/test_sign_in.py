"""Every demo account signs in on a phone, lands on its role's home page, and signs out."""

import pytest
from playwright.sync_api import expect

from fieldapp.devdata.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_VISITS

from conftest import (
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_tap_targets,
    screenshot,
    sign_in_browser,
)

HOMES = {
    # An administrator signed in with a password is asked for a passkey (their second
    # factor); the demo's has none yet, so the page leads them to add one.
    "admin@demo.test": ("/account/confirm?next=/admin/users", "Add a passkey"),
    "officer@demo.test": ("/residents", "Residents"),
    "officer2@demo.test": ("/residents", "Residents"),
    "operative@demo.test": ("/today", "My day"),
    "operative2@demo.test": ("/today", "My day"),
}


def todays_trades(email: str) -> list[str]:
    """The trades of the demo visits booked today for this operative, in time order."""
    key = email.split("@")[0]
    visits = sorted((start, trade) for _resident, operatives, offset, start, _end, trade, *_rest
                    in DEMO_VISITS if offset == 0 and key in operatives)
    return [trade for _start, trade in visits]


@pytest.mark.parametrize("email", sorted(HOMES))
def test_demo_account_signs_in_lands_home_and_signs_out(page, demo_server, email):
    path, heading = HOMES[email]
    sign_in_browser(page, demo_server.url, email, DEMO_PASSWORD)
    expect(page).to_have_url(demo_server.url + path)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    name = next(account[1] for account in DEMO_ACCOUNTS if account[0] == email)
    assert name in page.get_by_role("banner").inner_text()
    if path == "/today":
        today = page.locator("ol.visit-list").first  # today's list comes before tomorrow's
        assert today.locator(".visit-card__what").all_inner_texts() == todays_trades(email)
    assert_accessible(page, f"home of {email}")
    assert_no_horizontal_scroll(page)
    assert_tap_targets(page)
    screenshot(page, "home-" + email.split("@")[0])

    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    page.wait_for_url(demo_server.url + "/login?signed_out=1")  # after checking the outbox
    expect(page.get_by_role("status").filter(has_text="You have signed out")).to_be_visible()
    page.goto(demo_server.url + path)
    assert page.url.startswith(demo_server.url + "/login")  # the session really ended
