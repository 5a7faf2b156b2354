"""Passkeys in Chromium, with its virtual authenticator (DevTools protocol): adding one on the
account page, signing in with it, a removed passkey and a count that went backwards refused,
and the administrator's second factor. Served as http://localhost:PORT: Chromium refuses
WebAuthn on an IP address."""

import pytest
from playwright.sync_api import expect

from conftest import (
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_tap_targets,
    sign_in_browser,
)
from support import PASSWORD, PEOPLE, LiveServer

AUTHENTICATOR = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                 "hasUserVerification": True, "isUserVerified": True}


@pytest.fixture
def server(app):
    with LiveServer(app, host_name="localhost") as live:
        yield live


@pytest.fixture
def phone(page):
    """Chromium's virtual authenticator: a phone whose fingerprint always matches."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    found = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
    return devtools, found["authenticatorId"]


def sign_out(page, server) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    page.wait_for_url(server.url + "/login?signed_out=1")


def sign_in_with_passkey(page, server) -> None:
    page.goto(server.url + "/login")
    page.get_by_role("button", name="Sign in with a passkey").click()


def add_passkey(page, name: str) -> None:
    page.get_by_label("Name for this passkey").fill(name)
    page.get_by_role("button", name="Add a passkey").click()


def test_staff_add_a_passkey_sign_in_with_it_and_remove_it(page, server, phone, db, world):
    sign_in_browser(page, server.url, PEOPLE["operative"][0], PASSWORD)
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    add_passkey(page, "Work phone")
    page.get_by_role("status").filter(has_text="Passkey added: Work phone").wait_for()
    devtools, authenticator = phone
    held = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(held["credentials"]) == 1 and held["credentials"][0]["rpId"] == "localhost"
    assert_accessible(page, "account with a passkey")
    assert_no_horizontal_scroll(page)
    assert_tap_targets(page)

    sign_out(page, server)
    sign_in_with_passkey(page, server)
    page.wait_for_url(server.url + "/today")
    page.goto(server.url + "/account")
    assert "Last used today at" in page.locator(".record").inner_text()

    page.get_by_role("button", name="Remove Work phone").click()
    page.get_by_role("status").filter(has_text="Passkey removed: Work phone").wait_for()
    sign_out(page, server)
    sign_in_with_passkey(page, server)
    problem = page.get_by_role("alert").filter(has_text="We did not recognise that passkey")
    problem.wait_for()
    assert page.url.startswith(server.url + "/login")
    actions = [row[0] for row in db.execute(
        "SELECT action FROM audit_log WHERE action LIKE 'passkey%' ORDER BY id")]
    assert actions == ["passkey_added", "passkey_used", "passkey_removed"]


def test_an_admin_adds_a_passkey_then_needs_it_for_admin_pages(page, server, phone, db, world):
    db.execute("DELETE FROM passkeys WHERE user_id = ?", (world.users["admin"],))
    sign_in_browser(page, server.url, PEOPLE["admin"][0], PASSWORD)
    expect(page).to_have_url(server.url + "/account/confirm?next=/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a passkey")
    assert_accessible(page, "an admin is asked to add a passkey")
    add_passkey(page, "Office laptop")
    page.wait_for_url(server.url + "/admin/users")

    sign_out(page, server)
    sign_in_browser(page, server.url, PEOPLE["admin"][0], PASSWORD)
    expect(page).to_have_url(server.url + "/account/confirm?next=/admin/users")
    expect(page.get_by_role("heading", level=1)).to_have_text("Use your passkey")
    assert_accessible(page, "an admin is asked for their passkey")
    assert_tap_targets(page)
    page.get_by_role("button", name="Use your passkey").click()
    page.wait_for_url(server.url + "/admin/users")

    # A copy of the passkey that signed less often than the one we saw is refused.
    db.execute("UPDATE passkeys SET sign_count = 1000 WHERE user_id = ?",
               (world.users["admin"],))
    sign_out(page, server)
    sign_in_with_passkey(page, server)
    page.get_by_role("alert").filter(has_text="We did not recognise that passkey").wait_for()
    page.goto(server.url + "/admin/users")
    assert page.url.startswith(server.url + "/login")


def test_no_passkey_is_offered_at_a_numeric_address(page, demo_server):
    """Chromium refuses passkeys on 127.0.0.1: the button would only fail, so it stays hidden
    and the password form is the way in."""
    assert demo_server.url.startswith("http://127.0.0.1:")
    page.goto(demo_server.url + "/login")
    page.wait_for_load_state()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign in with a passkey")).not_to_be_visible()
