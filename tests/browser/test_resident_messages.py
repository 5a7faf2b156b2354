"""An officer books a visit with three steps for a resident who prefers text; the worker writes
the text; its words match the booking; the officer reads it on the resident's page."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from fieldapp.core import jobs
from fieldapp.core.clock import today_local
from fieldapp.messages.words import day_and_window

from conftest import assert_accessible, assert_no_horizontal_scroll, screenshot, sign_in_browser
from support import PASSWORD, PEOPLE

STEPS = [("Turn off the water and drain the radiator", "10", "Water off"),
         ("Cut and fit the new pipe", "25", "Noisy"),
         ("Refill, bleed and test the heating", "15", None)]


def test_the_booking_text_says_what_the_officer_booked(page, live_server, app, db, world):
    db.execute("UPDATE residents SET preferred_contact = 'text', phone = '07700 900555'"
               " WHERE id = ?", (world.residents["riverside"],))
    sign_in_browser(page, live_server.url, PEOPLE["officer"][0], PASSWORD)
    page.goto(f"{live_server.url}/residents/{world.residents['riverside']}")
    page.get_by_role("link", name="Book a visit").click()
    day = today_local() + timedelta(days=4)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("From").fill("10:00")
    page.get_by_label("To", exact=True).fill("12:00")
    page.get_by_label("Job reference").fill("JOB-88")
    page.get_by_label("Trade or type of work").fill("Heating")
    page.get_by_label("Contractor firm").select_option(label="Acme Repairs")
    page.get_by_label("Operative (Acme Repairs)").check()
    page.get_by_role("button", name="Book visit").click()
    for description, minutes, hint in STEPS:
        page.get_by_label("What will be done").fill(description)
        page.get_by_label("About how many minutes").fill(minutes)
        if hint:
            page.get_by_label(hint).check()
        page.get_by_role("button", name="Add step").click()
    expect(page.get_by_text("Waiting to send")).to_be_visible()  # on the visit page, not yet sent

    with app.app_context():  # the worker, once the booking has settled
        while jobs.run_one(db, now=datetime.now(UTC) + timedelta(minutes=11)):
            pass
    visit = db.execute("SELECT * FROM visits WHERE job_ref = 'JOB-88'").fetchone()
    [text] = db.execute("SELECT * FROM messages WHERE visit_id = ?", (visit["id"],)).fetchall()
    assert (text["channel"], text["recipient"]) == ("sms", "07700 900555")
    body = text["body"]
    assert day_and_window(visit["starts_at"], visit["ends_at"]) in body
    assert "Who is coming: Operative from Acme Repairs (1 person)." in body
    assert ("1. Turn off the water and drain the radiator. Your water will be off for about 10 "
            "minutes.") in body
    assert "2. Cut and fit the new pipe. This part is noisy, for about 25 minutes." in body
    assert "3. Refill, bleed and test the heating." in body

    page.goto(f"{live_server.url}/residents/{world.residents['riverside']}")
    page.get_by_role("link", name="Visit booked: Text message").click()
    expect(page.get_by_text("Demo: not sent").first).to_be_visible()
    expect(page.get_by_text("2. Cut and fit the new pipe. This part is noisy")).to_be_visible()
    assert_accessible(page, "message page")
    assert_no_horizontal_scroll(page)
    screenshot(page, "officer-resident-message")
