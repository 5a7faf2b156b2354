"""A resident's pages (check, feedback, choose a time, rebook) in a right-to-left script
(Arabic, Yiddish) and a left-to-right one (Turkish), in Chromium on the smallest phone: axe-core
clean, no sideways scrolling, 44 px targets, and the language list reachable. One page set per
language keeps browser time small."""

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from fieldapp.core.clock import LOCAL_ZONE, today_local
from fieldapp.core.signing import make_token
from fieldapp.voice import tokens

from conftest import assert_accessible, assert_no_horizontal_scroll, assert_tap_targets
from factories import add_resident, add_visit, free_days, offer_times, window_around_now

SMALLEST_PHONE = {"width": 320, "height": 640}


PHONE_DIRECTIONS = """[...document.querySelectorAll('a[href^="tel:"]')].map(
    (link) => getComputedStyle(link).direction)"""


def check_at_320(page, name: str) -> None:
    assert_accessible(page, name)
    # A phone number keeps its digits' order in a right-to-left page: "020 7946 0000", never
    # "0000 7946 020".
    assert set(page.evaluate(PHONE_DIRECTIONS)) <= {"ltr"}, name
    page.set_viewport_size(SMALLEST_PHONE)
    assert_no_horizontal_scroll(page)
    assert_tap_targets(page)


@pytest.mark.parametrize("code, direction", [("ar", "rtl"), ("yi", "rtl"), ("tr", "ltr")])
def test_a_residents_pages_in_their_script_fit_a_small_phone(page, app, live_server, db, world,
                                                             code, direction):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    db.execute("UPDATE residents SET language = ? WHERE id = ?", (code, resident))
    db.commit()
    operative = world.users["operative"]
    now_visit = add_visit(db, resident, world.orgs["acme"], [operative], *window_around_now(),
                          trade="Gas heating")
    starts = datetime.combine(today_local() + timedelta(days=2), time(10), LOCAL_ZONE)
    later_visit = add_visit(db, resident, world.orgs["acme"], [operative], starts,
                            starts + timedelta(hours=2), trade="Roofing")
    offer_times(db, later_visit, free_days(3, after=today_local() + timedelta(days=2)))
    db.commit()
    with app.test_request_context():
        check = make_token(now_visit, operative, today_local().isoformat())
        feedback = tokens.make(tokens.FEEDBACK_SALT, now_visit)
        rebook = tokens.make(tokens.REBOOK_SALT, later_visit)
        times = tokens.make(tokens.OFFER_SALT, later_visit)

    page.goto(f"{live_server.url}/verify/{check}")
    assert page.evaluate("[document.documentElement.lang, document.dir || 'ltr']") == [
        code, direction]
    check_at_320(page, f"check-{code}")

    page.goto(f"{live_server.url}/f/{feedback}")
    page.locator("form button[type=submit]").click()  # sent empty: the errors, in the language
    expect(page.locator(".error-summary")).to_be_visible()
    check_at_320(page, f"feedback-errors-{code}")

    page.goto(f"{live_server.url}/t/{times}")
    # Sent with no time chosen: the times offered and the errors, in the language.
    page.locator(f"form[action$='/t/{times}'] button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_at_320(page, f"choose-a-time-errors-{code}")

    page.goto(f"{live_server.url}/r/{rebook}")
    check_at_320(page, f"rebook-{code}")
    # Every other language is one tap away, in its own name.
    page.locator(".languages a[hreflang=en]").click()
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    expect(page.get_by_role("heading", level=1)).to_have_text("Can't make this time?")
