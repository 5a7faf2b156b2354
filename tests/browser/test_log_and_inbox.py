"""On phones: the operative logs a visit stopped because of distress, with a safeguarding concern;
the officer sees the urgent alert in the inbox and acknowledges it."""

from playwright.sync_api import expect

from fieldapp.logs.forms import NO_REASON_LABEL

from conftest import assert_accessible, assert_no_horizontal_scroll, screenshot, sign_in_browser
from support import PASSWORD, PEOPLE


def test_urgent_log_reaches_the_officer_who_acknowledges_it(page, browser, live_server, world):
    sign_in_browser(page, live_server.url, PEOPLE["operative"][0], PASSWORD)
    page.goto(f"{live_server.url}/visits/{world.visits['today']}")
    page.get_by_role("link", name="Log the visit").click()
    assert_accessible(page, "log form")
    assert_no_horizontal_scroll(page)
    page.get_by_label("Stopped - resident distressed").check()
    # The visit was first logged as no access; its reason is taken back, not dropped unseen.
    page.get_by_label(NO_REASON_LABEL).check()
    page.get_by_label("Significant").check()
    page.get_by_label("Self-neglect").check()
    page.get_by_label("Short note (optional)").fill("Stopped at step 2; left calmly.")
    screenshot(page, "log-form")
    page.get_by_role("button", name="Send the log").click()
    page.wait_for_url("**/logged?log=*")  # kept in the outbox, sent, then shown as sent
    expect(page.get_by_role("heading", name="Log sent")).to_be_visible()
    expect(page.get_by_text("How are you?")).to_be_visible()
    assert_accessible(page, "log sent")

    officer = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in_browser(officer, live_server.url, PEOPLE["officer"][0], PASSWORD)
    officer.goto(f"{live_server.url}/inbox")
    expect(officer.get_by_text("1 urgent")).to_be_visible()
    assert_accessible(officer, "inbox")
    screenshot(officer, "inbox")
    officer.get_by_role("link", name="Urgent: Adult safeguarding concern; Significant distress; "
                                     "Visit stopped: the resident was distressed").click()
    expect(officer.get_by_text("Stopped at step 2; left calmly.")).to_be_visible()
    assert_accessible(officer, "alert")
    officer.get_by_role("button", name="Acknowledge: I am dealing with this").click()
    officer.get_by_text("Acknowledged at").wait_for()  # swapped in by htmx, no page load
    assert "/alerts/" in officer.url
    officer.context.close()
