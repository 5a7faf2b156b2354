"""An officer on a phone records an adjustment with consent, then books a visit with three steps."""

from datetime import timedelta

from playwright.sync_api import expect

from fieldapp.core.clock import today_local

from conftest import (
    assert_accessible,
    assert_forms_named_apart,
    assert_no_horizontal_scroll,
    form_names,
    screenshot,
    sign_in_browser,
)
from support import PASSWORD, PEOPLE


def test_officer_adds_an_adjustment_and_books_a_visit_with_three_steps(page, live_server, db,
                                                                       world):
    sign_in_browser(page, live_server.url, PEOPLE["officer"][0], PASSWORD)
    page.get_by_label("Find a resident").fill("Rita")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Rita Resident").click()
    assert_accessible(page, "resident page")

    page.get_by_role("link", name="Add an adjustment").first.click()
    assert_accessible(page, "adjustment catalogue")
    page.get_by_role("link", name="Call ahead").click()
    page.get_by_label("Minutes before arrival").fill("30")
    page.get_by_label("Number to call").fill("07700 900 123")
    page.get_by_label("The resident").check()
    page.get_by_label("By phone").check()
    assert_accessible(page, "adjustment form")
    assert_no_horizontal_scroll(page)
    screenshot(page, "officer-adjustment-form")
    page.get_by_role("button", name="Record adjustment").click()
    expect(page.get_by_text("Call ahead is recorded")).to_be_visible()
    expect(page.get_by_text("Phone the resident 30 minutes before you arrive.")).to_be_visible()

    page.get_by_role("link", name="Book a visit").click()
    tomorrow = today_local() + timedelta(days=1)
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_label("From").fill("10:00")
    page.get_by_label("To", exact=True).fill("12:00")
    page.get_by_label("Job reference").fill("JOB-77")
    page.get_by_label("Trade or type of work").fill("Heating")
    page.get_by_label("Contractor firm").select_option(label="Acme Repairs")
    page.get_by_label("Operative (Acme Repairs)").check()
    assert_accessible(page, "book a visit")
    page.get_by_role("button", name="Book visit").click()
    # Rita and the operative are already booked tomorrow 09:00 to 11:00: warned, nothing booked.
    warnings = page.locator("#booking-warnings")
    expect(warnings.get_by_text("Rita Resident already has a visit booked")).to_be_visible()
    assert db.execute("SELECT count(*) FROM visits WHERE job_ref = 'JOB-77'").fetchone()[0] == 0
    assert_accessible(page, "booking warnings")
    assert_no_horizontal_scroll(page)
    page.get_by_label("Book anyway").check()
    page.get_by_role("button", name="Book visit").click()
    expect(page.get_by_text("The visit is booked")).to_be_visible()

    for description, minutes in [("Explain the work", "10"), ("Drain the system", "30"),
                                 ("Fit the new radiator", "45")]:
        page.get_by_label("What will be done").fill(description)
        page.get_by_label("About how many minutes").fill(minutes)
        if description.startswith("Drain"):
            page.get_by_label("Water off").check()
        page.get_by_role("button", name="Add step").click()
    steps = page.locator("ol.steps .step__what").all_inner_texts()
    assert [s.split(" about")[0] for s in steps] == ["Explain the work", "Drain the system",
                                                      "Fit the new radiator"]
    expect(page.get_by_text("Phone the resident 30 minutes before you arrive.")).to_be_visible()
    assert_accessible(page, "visit page")
    # Each step's forms say which step they act on, and the header's sign-out form is named.
    assert [name for name in form_names(page) if name and "step" in name.lower()] == [
        "Move step 1 down", "Remove step 1: Explain the work",
        "Move step 2 up", "Move step 2 down", "Remove step 2: Drain the system",
        "Move step 3 up", "Remove step 3: Fit the new radiator", "Add a step"]
    assert page.get_by_role("form", name="Sign out").count() == 1
    assert_forms_named_apart(page, "visit page")
    assert_no_horizontal_scroll(page)
    screenshot(page, "officer-visit")

    visit = db.execute("SELECT id FROM visits WHERE job_ref = 'JOB-77'").fetchone()["id"]
    attending = db.execute("SELECT user_id FROM visit_operatives WHERE visit_id = ?",
                           (visit,)).fetchall()
    assert [row["user_id"] for row in attending] == [world.users["operative"]]


def test_cancelling_a_visit_asks_first(page, live_server, db, world):
    visit = world.visits["tomorrow"]
    sign_in_browser(page, live_server.url, PEOPLE["officer"][0], PASSWORD)
    page.goto(f"{live_server.url}/schedule/{visit}")
    page.get_by_role("link", name="Cancel this visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel this visit?")
    assert_accessible(page, "cancel question")
    assert_no_horizontal_scroll(page)
    screenshot(page, "officer-cancel-visit")
    page.get_by_role("link", name="No, keep the visit").click()
    expect(page).to_have_url(f"{live_server.url}/schedule/{visit}")
    assert db.execute("SELECT status FROM visits WHERE id = ?", (visit,)).fetchone()[0] == \
        "booked"
    page.get_by_role("link", name="Cancel this visit").click()
    page.get_by_label("The resident asked to cancel").check()
    page.get_by_role("button", name="Yes, cancel the visit").click()
    expect(page.get_by_role("status").filter(has_text="The visit is cancelled")).to_be_visible()
    assert db.execute("SELECT status FROM visits WHERE id = ?", (visit,)).fetchone()[0] == \
        "cancelled"


def test_resident_search_answers_as_the_officer_types(page, live_server, world):
    """htmx reads the data-hx-* form of its attributes: the results change with no page load."""
    sign_in_browser(page, live_server.url, PEOPLE["officer"][0], PASSWORD)
    page.goto(f"{live_server.url}/residents")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Find a resident").press_sequentially("Rita")
    page.locator("#results").get_by_text('1 match for "Rita".').wait_for()
    assert page.evaluate("window.notReloaded") is True
    page.wait_for_url("**/residents?q=Rita")
