"""Check in and check out on the phone, in Debian's Chromium: through the outbox with no
signal, and a discreet "I need help" that leaves the screen exactly as it was."""

import time

from playwright.sync_api import expect

from conftest import sign_in_browser
from support import PASSWORD, PEOPLE


def wait_for(check, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    return check()


def test_checking_in_with_no_signal_waits_in_the_outbox_then_sends_once(page, live_server, db,
                                                                        world):
    sign_in_browser(page, live_server.url, PEOPLE["operative"][0], PASSWORD)
    page.goto(f"{live_server.url}/visits/{world.visits['today']}")
    page.context.set_offline(True)
    page.get_by_label("How long do you expect to be?").select_option("45")
    page.get_by_role("button", name="I’m going in").click()
    expect(page.locator("#checkin-open")).to_be_visible()
    expect(page.locator("#checkin-waiting")).to_be_visible()
    expect(page.get_by_role("button", name="I’m going in")).to_be_hidden()
    assert db.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0

    page.context.set_offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")  # as the phone does when signal returns
    row = wait_for(lambda: db.execute("SELECT * FROM checkins").fetchone())
    assert row is not None and row["expected_minutes"] == 45
    page.get_by_role("button", name="I’m out safe").click()
    assert wait_for(lambda: db.execute("SELECT out_at FROM checkins").fetchone()["out_at"])
    expect(page.get_by_role("button", name="I’m going in")).to_be_visible()
    assert db.execute("SELECT count(*) FROM checkins").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM checkin_events").fetchone()[0] == 2


def test_i_need_help_changes_nothing_on_the_screen(page, live_server, db, world):
    sign_in_browser(page, live_server.url, PEOPLE["operative"][0], PASSWORD)
    page.goto(f"{live_server.url}/visits/{world.visits['today']}")
    button = page.get_by_role("button", name="I need help")
    button.scroll_into_view_if_needed()
    button.hover()
    url, before = page.url, page.screenshot()
    text_before = page.locator("main").inner_text()
    button.click()
    assert wait_for(lambda: db.execute(
        "SELECT count(*) FROM checkin_escalations WHERE reason = 'help'").fetchone()[0])
    page.wait_for_timeout(300)  # anything the page might do after the answer has happened
    expect(page).to_have_url(url)
    assert page.locator("main").inner_text() == text_before
    assert page.screenshot() == before, "the screen changed after I need help"


def test_the_phone_reminds_ten_minutes_before_the_end(page, live_server, db, world):
    page.clock.install()
    sign_in_browser(page, live_server.url, PEOPLE["operative"][0], PASSWORD)
    page.goto(f"{live_server.url}/visits/{world.visits['today']}")
    page.get_by_label("How long do you expect to be?").select_option("15")
    page.get_by_role("button", name="I’m going in").click()
    expect(page.locator("#checkin-open")).to_be_visible()
    reminder = page.get_by_text("Still OK? Extend or check out.")
    page.clock.run_for("04:50")
    expect(reminder).to_be_hidden()
    page.clock.run_for("00:20")  # 5 minutes in: 10 minutes before the end
    expect(reminder).to_be_visible()
    page.get_by_label("Need longer? Add").select_option("30")
    page.get_by_role("button", name="Extend").click()
    expect(reminder).to_be_hidden()
