"""On a phone, the officer reads why an alert came and can acknowledge it without scrolling."""

from playwright.sync_api import expect

from conftest import PHONE, assert_accessible, screenshot, sign_in_browser
from support import PASSWORD, PEOPLE


def test_acknowledge_is_on_the_first_screen_of_a_long_alert(page, live_server, world, db):
    db.execute("UPDATE visit_logs SET note = ? WHERE id = ?",
               ("Stopped at step 2; left calmly. " * 12, world.others["log"]))
    alert = db.execute(
        "INSERT INTO alerts (resident_id, officer_id, log_id, severity, reasons, created_at)"
        " VALUES (?, ?, ?, 'urgent', ?, '2026-03-05T10:00:00+00:00')",
        (world.residents["riverside"], world.users["officer"], world.others["log"],
         "Adult safeguarding concern; Significant distress; "
         "Visit stopped: the resident was distressed")).lastrowid
    sign_in_browser(page, live_server.url, PEOPLE["officer"][0], PASSWORD)
    page.goto(f"{live_server.url}/alerts/{alert}")
    assert page.viewport_size == PHONE
    reasons = page.locator(".alert-reasons li")
    assert reasons.all_inner_texts() == ["Adult safeguarding concern", "Significant distress",
                                         "Visit stopped: the resident was distressed"]
    button = page.get_by_role("button", name="Acknowledge: I am dealing with this")
    box = button.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert_accessible(page, "alert")
    screenshot(page, "alert")
    button.click()
    page.get_by_text("Acknowledged at").wait_for()


def test_inbox_filters_on_a_phone(page, live_server, world):
    sign_in_browser(page, live_server.url, PEOPLE["officer"][0], PASSWORD)
    page.goto(f"{live_server.url}/inbox")
    page.get_by_role("link", name="Urgent", exact=True).click()
    page.wait_for_url("**/inbox?show=urgent")
    assert page.get_by_role("link", name="Urgent", exact=True).get_attribute(
        "aria-current") == "page"
    expect(page.get_by_text("No alerts here.")).to_be_visible()
    assert_accessible(page, "inbox, urgent only")
