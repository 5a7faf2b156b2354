"""Every page on a phone, as the person who uses it: one h1 that starts the title, axe-core
clean, no sideways scrolling at 390 px or 320 px, 44 px tap targets; forms also re-rendered
with their errors. Keyboard checks: the skip link, and error summary links that reach the field."""

import os
import shutil
from datetime import datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from playwright.sync_api import expect

from fieldapp import create_app
from fieldapp.alerts.rules import raise_visit_alert
from fieldapp.choice.queries import create_slot, save_wish, take_slot
from fieldapp.core import jobs
from fieldapp.core.clock import LOCAL_ZONE, local_to_utc_iso, today_local
from fieldapp.core.db import connect, transaction, utc_now
from fieldapp.core.signing import make_token
from fieldapp.logs.queries import create_log
from fieldapp.voice import tokens

from conftest import (
    PHONE,
    assert_accessible,
    assert_forms_named_apart,
    assert_no_horizontal_scroll,
    assert_tap_targets,
    screenshot,
    sign_in_browser,
)
from factories import add_resident, add_visit, free_days, offer_times, window_around_now
from markup import html_errors
from support import (
    PASSWORD,
    PEOPLE,
    LiveServer,
    csrf_token_from,
    pass_second_factor,
    sign_in_quickly,
)

SMALLEST_PHONE = {"width": 320, "height": 640}
# Full-page screenshots of every page at two widths take minutes: only when asked for, with
# FIELDAPP_SCREENSHOTS=1 scripts/test tests/browser/test_pages.py (written to screenshots/).
SCREENSHOTS = os.environ.get("FIELDAPP_SCREENSHOTS") == "1"

# (screenshot name, who opens it or None, path, expected HTTP status). Placeholders come from
# the world fixture: {visit}, {resident}, {adjustment}, {step}, {visit_import}, {log}, {alert},
# {operative_user}, {acme}, {riverside}; {unlogged_visit}: today's, with no log yet;
# {shared_visit}: today's, attended by the operative and a colleague, logged by the operative;
# {stopped_visit}, {stopped_log}: today's, its log stopped the visit for distress.
PAGES = [
    ("sign-in", None, "/login", 200),
    ("not-found", None, "/no-such-page", 404),
    ("my-day", "operative", "/today", 200),
    ("briefing", "operative", "/visits/{visit}", 200),
    ("distress-card", "operative", "/visits/{visit}/distress", 200),
    ("id-card", "operative", "/visits/{visit}/id-card", 200),
    ("log-form", "operative", "/visits/{unlogged_visit}/log", 200),
    ("logged", "operative", "/visits/{visit}/logged?log={log}", 200),
    ("log-form-amend", "operative", "/visits/{visit}/log", 200),
    ("outbox", "operative", "/outbox", 200),
    ("log-taken", "colleague", "/visits/{shared_visit}/log", 200),
    ("logged-stopped", "operative", "/visits/{stopped_visit}/logged?log={stopped_log}", 200),
    ("no-signal", None, "/offline", 200),
    ("forbidden", "operative", "/admin/users", 403),
    ("not-found-signed-in", "operative", "/no-such-page", 404),
    ("home-officer", "officer", "/", 200),
    ("residents", "officer", "/residents", 200),
    ("residents-search", "officer", "/residents?q=Rita", 200),
    ("residents-no-match", "officer", "/residents?q=Nobody", 200),
    ("resident", "officer", "/residents/{resident}", 200),
    ("resident-new", "officer", "/residents/new", 200),
    ("resident-edit", "officer", "/residents/{resident}/edit", 200),
    ("resident-notes", "officer", "/residents/{resident}/notes", 200),
    ("adjustment-choose", "officer", "/residents/{resident}/adjustments/new", 200),
    ("adjustment-new", "officer", "/residents/{resident}/adjustments/new/call_ahead", 200),
    ("adjustment-new-timing", "officer", "/residents/{resident}/adjustments/new/avoid_times",
     200),
    ("adjustment-edit", "officer", "/adjustments/{adjustment}/edit", 200),
    ("adjustment-review", "officer", "/adjustments/{adjustment}/review", 200),
    ("reviews-due", "officer", "/adjustments/due", 200),
    ("visit-new", "officer", "/schedule/new?resident={resident}", 200),
    ("visit", "officer", "/schedule/{visit}", 200),
    ("visit-stopped", "officer", "/schedule/{stopped_visit}", 200),
    ("visit-cancel", "officer", "/schedule/{visit}/cancel", 200),
    ("step-edit", "officer", "/schedule/{visit}/steps/{step}/edit", 200),
    ("import", "officer", "/schedule/import", 200),
    ("import-preview", "officer", "/schedule/import/{visit_import}", 200),
    ("import-format", "officer", "/schedule/import/format", 200),
    ("check-caller", "officer", "/check-caller", 200),
    ("inbox", "officer", "/inbox", 200),
    ("inbox-urgent", "officer", "/inbox?show=urgent", 200),
    ("measures", "officer", "/measures?period=quarter", 200),
    ("measures-errors", "officer", "/measures?period=custom&first=2026-02-30&last=", 422),
    ("alert", "officer", "/alerts/{alert}", 200),
    ("notifications", "officer", "/settings/notifications", 200),
    ("account", "operative", "/account", 200),
    ("account-admin", "admin", "/account", 200),
    ("residents-admin", "admin", "/residents", 200),
    ("users", "admin", "/admin/users", 200),
    ("user-new", "admin", "/admin/users/new", 200),
    ("user-edit", "admin", "/admin/users/{operative_user}/edit", 200),
    ("user-disable", "admin", "/admin/users/{operative_user}/disable", 200),
    ("organisations", "admin", "/admin/organisations", 200),
    ("jobs", "admin", "/admin/jobs", 200),
    ("languages", "admin", "/admin/languages", 200),
    ("language-new", "admin", "/admin/languages/new", 200),
    ("message", "officer", "/messages/{message}", 200),
    ("message-templates", "admin", "/messages/templates", 200),
    ("calls", "officer", "/messages/calls", 200),
    ("organisation-new", "admin", "/admin/organisations/new", 200),
    ("organisation-edit-firm", "admin", "/admin/organisations/{acme}/edit", 200),
    ("organisation-edit-landlord", "admin", "/admin/organisations/{riverside}/edit", 200),
    ("pause-new", "officer", "/residents/{resident}/pause/new", 200),
    ("pause", "officer", "/pauses/{pause}", 200),
    ("pause-move", "officer", "/pauses/{pause}/visits/{paused_visit}/move", 200),
    ("paused-resident", "officer", "/residents/{paused_resident}", 200),
    ("paused-briefing", "operative", "/visits/{paused_visit}", 200),
    ("partners", "officer", "/partners", 200),
    ("partner-news", "officer", "/partners/news", 200),
    ("partner", None, "/p/{partner_token}", 200),
    ("partner-closed", None, "/p/not-a-token", 200),
    ("pathway", "officer", "/residents/{resident}/pathway", 200),
    ("refer", "officer", "/alerts/{alert}/refer", 200),
    ("referral-routes", "admin", "/admin/referral-routes", 200),
    ("referral-route-new", "admin", "/admin/referral-routes/new", 200),
    ("referral-route-edit", "admin", "/admin/referral-routes/{referral_route}/edit", 200),
    ("team-inbox", "admin", "/admin/team-inbox", 200),
    ("offer-times", "officer", "/schedule/{offered_visit}/times", 200),
    ("offer-times-slots", "officer", "/schedule/{slots_visit}/times", 200),
    ("slots", "officer", "/slots", 200),
    ("alert-from-feedback", "officer", "/alerts/{feedback_alert}", 200),
    ("choose-time", None, "/t/{times_token}", 200),
    ("team", "supervisor", "/team", 200),
    ("notifications-supervisor", "supervisor", "/settings/notifications", 200),
    ("notifications-operative", "operative", "/settings/notifications", 200),
]

# Forms sent with every answer emptied: (name, who, path, submit button, a field in error).
EMPTY_FORMS = [
    ("sign-in", None, "/login", "Sign in", "email"),
    ("user-new", "admin", "/admin/users/new", "Add user", "name"),
    ("user-edit", "admin", "/admin/users/{operative_user}/edit", "Save changes", "name"),
    ("organisation-new", "admin", "/admin/organisations/new", "Add firm", "name"),
    ("language-new", "admin", "/admin/languages/new", "Add language", "code"),
    ("organisation-edit-landlord", "admin", "/admin/organisations/{riverside}/edit",
     "Save changes", "duty_phone"),
    ("resident-new", "officer", "/residents/new", "Add resident", "name"),
    ("resident-notes", "officer", "/residents/{resident}/notes", "Save note", "body"),
    ("adjustment-new", "officer", "/residents/{resident}/adjustments/new/call_ahead",
     "Record adjustment", "consent_given_by-0"),
    ("adjustment-review", "officer", "/adjustments/{adjustment}/review",
     "Still needed: save the review", "how-0"),
    ("adjustment-new-timing", "officer", "/residents/{resident}/adjustments/new/avoid_times",
     "Record adjustment", "param_not_before"),
    ("visit-new", "officer", "/schedule/new?resident={resident}", "Book visit", "visit_date"),
    ("visit-cancel", "officer", "/schedule/{visit}/cancel", "Yes, cancel the visit", "reason-0"),
    ("step-new", "officer", "/schedule/{visit}", "Add step", "new-description"),
    ("import", "officer", "/schedule/import", "Check the file", "file"),
    ("check-caller", "officer", "/check-caller", "Check the code", "code"),
    ("log-form", "operative", "/visits/{unlogged_visit}/log", "Send the log", "outcome-0"),
    ("pause-new", "officer", "/residents/{resident}/pause/new", "Pause visits", "reason-0"),
    ("pause-move", "officer", "/pauses/{pause}/visits/{paused_visit}/move", "Move the visit",
     "starts"),
    ("partners", "officer", "/partners", "Make a link", "partner_name"),
    ("partner", None, "/p/{partner_token}", "Send to the housing officer", "event-0"),
    ("pathway", "officer", "/residents/{resident}/pathway", "Save the pathway",
     "pathway_consent_given_by-0"),
    ("referral-route-new", "admin", "/admin/referral-routes/new", "Add the service", "name"),
    ("refer", "officer", "/alerts/{alert}/refer", "Record the referral", "route_id-0"),
    ("offer-times", "officer", "/schedule/{offered_visit}/times", "Offer these times", "starts1"),
    ("offer-times-slots", "officer", "/schedule/{slots_visit}/times", "Offer these times",
     "slots"),
    ("slots", "officer", "/slots", "Add the slot", "trade"),
    ("alert-from-feedback", "officer", "/alerts/{feedback_alert}", "Close the alert",
     "change_made-0"),
    ("choose-time", None, "/t/{times_token}", "Send my choice", "window-0"),
    ("choose-time-wish", None, "/t/{times_token}", "Send this to us", "words"),
]


def _places(db, world) -> dict:
    """The records the PAGES addresses name, added to a copy of the test world."""
    return {"visit": world.visits["today"], "operative_user": world.users["operative"],
              "acme": world.orgs["acme"], "riverside": world.orgs["riverside"],
              "unlogged_visit": add_visit(db, world.residents["riverside"], world.orgs["acme"],
                                          [world.users["operative"]], *window_around_now(),
                                          trade="Roofing"),
              "shared_visit": _a_visit_a_colleague_logged(db, world),
              **_a_visit_stopped_for_distress(db, world),
              **_a_resident_away(db, world),
              "offered_visit": _a_visit_with_times_offered(db, world),
              "slots_visit": _a_visit_with_slots_to_pick(db, world),
              "feedback_alert": _an_alert_raised_by_feedback(db, world),
              **world.residents_and_more}


@pytest.fixture(scope="module")
def world_server(world_template, tmp_path_factory):
    """The world of tests/conftest.py, served once for this module: nothing here saves anything
    (forms are sent empty and come back with their errors), so the pages can share it."""
    path = tmp_path_factory.mktemp("pages") / "fieldapp.db"
    shutil.copyfile(world_template[0], path)
    world = world_template[1]
    db = connect(str(path))
    places = _places(db, world)
    # My day also shows a cancelled visit, struck through (tests/test_my_day.py).
    add_visit(db, world.residents["riverside"], world.orgs["acme"], [world.users["operative"]],
              *window_around_now(), trade="Painting", status="cancelled")
    _a_failed_job(db)
    _a_check_in_and_a_call_for_help(db, world)
    _devices_with_notifications_on(db, world)
    db.close()
    app = create_app({"TESTING": True, "FIELDAPP_DB": str(path), "FIELDAPP_ENV": "test"})
    with LiveServer(app) as server:
        server.places = places
        server.app = app
        server.places = with_times_token(app, places)
        yield server


def _a_visit_a_colleague_logged(db, world) -> int:
    """A two-person visit the operative logged: the colleague's log form says so instead."""
    visit = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                      [world.users["operative"], world.users["colleague"]], *window_around_now(),
                      trade="Boiler service")
    create_log(db, client_id="00000000-0000-4000-8000-0000000000aa", visit_id=visit,
               author_id=world.users["operative"], outcome="completed", distress="none",
               payload_hash="x", created_at=utc_now())
    return visit


def _a_visit_stopped_for_distress(db, world) -> dict:
    """Nobody asks how it felt: the officer's page offers to ask later (tests/test_voice.py)."""
    visit = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                      [world.users["operative"]], *window_around_now(), trade="Electrics")
    log = create_log(db, client_id="00000000-0000-4000-8000-0000000000cc", visit_id=visit,
                     author_id=world.users["operative"], outcome="stopped_distress",
                     distress="some", payload_hash="x", created_at=utc_now())
    return {"stopped_visit": visit, "stopped_log": log}


def _a_resident_away(db, world) -> dict:
    """Paula is in hospital: her visit tomorrow waits to be moved, kept or cancelled; a
    partner's link, and news sent on it, wait for the officer."""
    from itsdangerous import URLSafeSerializer

    from fieldapp.pauses import links, returns
    from fieldapp.pauses.private import create_partner_report, create_pause
    from fieldapp.pauses.queries import create_partner_link, partner_link

    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Paula Away", postcode="RS7 7AA")
    tomorrow = datetime.combine(today_local() + timedelta(days=1), time(10), LOCAL_ZONE)
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], tomorrow,
                      tomorrow + timedelta(hours=2), trade="Heating", job_ref="JOB-AWAY")
    starts_on, ends_on = today_local() - timedelta(days=2), today_local() + timedelta(days=9)
    pause = create_pause(db, resident, world.users["officer"], {
        "reason": "hospital", "starts_on": starts_on.isoformat(),
        "ends_on": ends_on.isoformat(), "starts_at": returns.day_start(starts_on),
        "ends_at": returns.day_start(ends_on), "told_by": "advocate",
        "consent_given_by": "resident", "consent_how": "phone",
        "consent_on": starts_on.isoformat()})
    link = create_partner_link(db, world.orgs["riverside"], "Riverside Hospital ward 4",
                               world.users["officer"])
    create_partner_report(db, partner_link(db, link), {
        "event": "discharge", "event_on": ends_on.isoformat(), "resident_name": "Paula Away",
        "postcode": "RS7 7AA", "contact_name": "Sam Nurse", "contact_phone": "020 7946 0123"})
    token = URLSafeSerializer(os.environ["SECRET_KEY"], salt=links.SALT).dumps(link)
    return {"pause": pause, "paused_visit": visit, "paused_resident": resident,
            "partner_token": token}
def _a_visit_with_times_offered(db, world) -> int:
    """Times offered to the resident, who also said what matters to them (tests/
    test_offered_times.py): the officer's page and the resident's page show all of it."""
    days = free_days(4, after=today_local() + timedelta(days=1))
    starts = datetime.combine(days[3], time(9), LOCAL_ZONE)
    visit = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                      [world.users["operative"]], starts, starts + timedelta(hours=2),
                      trade="Drain survey")
    offer_times(db, visit, days[:3])
    save_wish(db, visit, "Please phone when you are 30 minutes away", utc_now())
    return visit


def _a_visit_with_slots_to_pick(db, world) -> int:
    """The landlord has free Glazing slots (tests/test_available_slots.py): the offer page lists
    them as checkboxes, and the slots page lists them with one taken."""
    days = free_days(4, after=today_local() + timedelta(days=1))
    starts = datetime.combine(days[3], time(9), LOCAL_ZONE)
    visit = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                      [world.users["operative"]], starts, starts + timedelta(hours=2),
                      trade="Glazing", job_ref="GLZ-1001")
    for n, day in enumerate(days[:3]):
        slot = create_slot(db, {
            "landlord_id": world.orgs["riverside"], "firm_id": world.orgs["acme"],
            "trade": "Glazing", "starts_at": local_to_utc_iso(day, time(10)),
            "ends_at": local_to_utc_iso(day, time(12))}, None, utc_now())
        if n == 2:
            take_slot(db, slot, world.visits["today"], utc_now())
    return visit


def _an_alert_raised_by_feedback(db, world) -> int:
    """Closing it asks whether anything changed; only a change is told to the resident."""
    visit = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                      [world.users["operative"]], *window_around_now(), trade="Glazing")
    with transaction(db):
        return raise_visit_alert(db, {"id": visit, "resident_id": world.residents["riverside"]},
                                 "reach_out", "The resident did not feel safe at the visit",
                                 feedback_theme="Feeling safe")


def with_times_token(app, places: dict) -> dict:
    """The resident's link to the offered times, signed with the app's key."""
    with app.test_request_context():
        return {**places, "times_token": tokens.make(tokens.OFFER_SALT, places["offered_visit"])}


def _a_check_in_and_a_call_for_help(db, world) -> None:
    """The supervisor's page with something on it: an open check-in and a call for help."""
    import uuid
    from datetime import UTC

    from fieldapp.checkin import lone_worker, queries
    from fieldapp.checkin.forms import CheckinInput

    now = datetime.now(UTC)
    # Any start time: the world's visit, whatever the hour the test runs.
    visit = queries.visit_for_checkin(db, world.visits["today"], world.users["operative"],
                                      "0", "9")
    for kind, minutes in (("in", 30), ("help", None)):
        lone_worker.record(db, visit, world.users["operative"],
                           CheckinInput(str(uuid.uuid4()), kind, minutes, None, None), now)


def _devices_with_notifications_on(db, world) -> None:
    """The officer's notifications page lists their devices, each with a Remove button."""
    db.conn.executemany(
        "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)"
        " VALUES (?, ?, 'k', 'a', ?)",
        [(world.users["officer"], endpoint, at) for endpoint, at in (
            ("https://fcm.googleapis.com/fcm/send/a-phone", "2026-01-05T09:00:00+00:00"),
            ("https://web.push.apple.com/an-iphone", utc_now()))])


def _a_failed_job(db) -> None:
    """A push that stopped after failing: the admin home's notice and the jobs page list it."""
    job_id = jobs.enqueue(db, "send_push", {})
    db.execute("UPDATE jobs SET failed_at = run_after, attempts = ?, last_error = ? WHERE id = ?",
               (jobs.MAX_ATTEMPTS, "WebPushException: push service answered 500", job_id))


@pytest.fixture(scope="module")
def session_cookies(browser, world_server):
    """Each person signs in once per module, in the browser; the tests reuse their cookies."""
    signed_in = {}

    def cookies(person: str) -> list:
        if person not in signed_in:
            context = browser.new_context()
            sign_in_browser(context.new_page(), world_server.url, PEOPLE[person][0], PASSWORD)
            signed_in[person] = context.cookies()
            # An administrator also uses the world's passkey (their second factor) for this
            # session, through the real ceremony: the browser's cookie names the session.
            client = world_server.app.test_client()
            for cookie in signed_in[person]:
                client.set_cookie(cookie["name"], cookie["value"])
            pass_second_factor(world_server.app, client, PEOPLE[person][0])
            context.close()
        return signed_in[person]

    return cookies


@pytest.fixture
def open_as(page, world_server, session_cookies):
    """`open_as(person, path)`: open the page signed in as that person (None: nobody)."""

    def open_page(person, path):
        if person:
            page.context.add_cookies(session_cookies(person))
        return page.goto(world_server.url + path.format(**world_server.places))

    return open_page


def check_on_phones(page, name: str) -> None:
    """The page checks at 390 px, then again on the smallest phone we support (320 px)."""
    headings = page.locator("h1")
    assert headings.count() == 1, f"{name}: {headings.count()} h1 elements"
    first = page.evaluate("document.querySelector('h1, h2, h3, h4, h5, h6').tagName")
    assert first == "H1", f"{name}: an {first} (shown or hidden) comes before the h1"
    heading = " ".join(headings.inner_text().split())
    assert page.title().removeprefix("Error: ").startswith(heading), \
        f"{name}: title {page.title()!r} does not start with the h1 {heading!r}"
    assert_accessible(page, name)
    assert_forms_named_apart(page, name)
    assert_no_horizontal_scroll(page)
    assert_tap_targets(page)
    if SCREENSHOTS:
        screenshot(page, name)
    page.set_viewport_size(SMALLEST_PHONE)
    try:
        assert_no_horizontal_scroll(page)
        assert_tap_targets(page)
        if SCREENSHOTS:
            screenshot(page, f"{name}-320")
    finally:
        page.set_viewport_size(PHONE)


def submit_empty(page, button: str) -> None:
    """Clear every answer in the button's form, as someone who taps the button straight away."""
    form = page.locator("form", has=page.get_by_role("button", name=button, exact=True))
    for field in form.locator("input[type=text], input[type=email], input[type=tel],"
                              " input[type=url], input[type=password], input:not([type]),"
                              " input[type=search], input[type=number], textarea").all():
        if field.is_visible():
            field.fill("")
    if form.get_attribute("data-phone"):
        # The log form checks itself on the phone (it must work with no signal).
        form.get_by_role("button", name=button, exact=True).click()
        page.locator("#log-problems").wait_for()
        return
    with page.expect_navigation():
        form.get_by_role("button", name=button, exact=True).click()


@pytest.mark.parametrize(("name", "person", "path", "status"), PAGES,
                         ids=[entry[0] for entry in PAGES])
def test_page_works_on_a_phone(page, open_as, name, person, path, status):
    response = open_as(person, path)
    assert response.status == status
    check_on_phones(page, name)


@pytest.mark.parametrize(("name", "person", "path", "button", "field"), EMPTY_FORMS,
                         ids=[entry[0] for entry in EMPTY_FORMS])
def test_form_sent_empty_shows_its_errors_on_a_phone(page, open_as, name, person, path, button,
                                                     field):
    open_as(person, path)
    submit_empty(page, button)
    assert page.title().startswith("Error: ")
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert summary.locator(f'a[href="#{field}"]').count() == 1
    check_on_phones(page, f"{name}-errors")


@pytest.mark.parametrize(("name", "person", "path", "button", "field"), EMPTY_FORMS,
                         ids=[entry[0] for entry in EMPTY_FORMS])
def test_error_summary_links_move_focus_to_their_field(page, open_as, name, person, path,
                                                       button, field):
    open_as(person, path)
    submit_empty(page, button)
    links = page.locator(".error-summary a")
    assert links.count() >= 1
    for index in range(links.count()):
        link = links.nth(index)
        target = link.get_attribute("href").removeprefix("#")
        link.click()
        focused = page.evaluate("document.activeElement.id")
        assert focused == target, f"{name}: link to #{target} left focus on #{focused!r}"
        # The field (or its fieldset) is described by the same message, read out with it.
        described = page.evaluate("""() => {
            const el = document.activeElement;
            const owner = el.closest('fieldset[aria-describedby]') || el;
            return (owner.getAttribute('aria-describedby') || '').split(' ')
                .map(id => document.getElementById(id)?.innerText || '').join(' ');
        }""")
        assert link.inner_text() in described, \
            f"{name}: #{target} is not described by {link.inner_text()!r}"


@pytest.mark.parametrize(("person", "path"), [
    (None, "/login"), ("operative", "/today"), ("officer", "/residents"),
    ("admin", "/admin/users/new")])
def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page, open_as, person, path):
    open_as(person, path)
    page.keyboard.press("Tab")
    skip = page.evaluate("""() => { const el = document.activeElement;
        const box = el.getBoundingClientRect();
        return {text: el.innerText, href: el.getAttribute('href'),
                shown: box.left >= 0 && box.top >= 0 && box.width > 0
                       && box.right <= window.innerWidth}; }""")
    assert skip == {"text": "Skip to main content", "href": "#main", "shown": True}
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main')?.id") == "main", \
        "the next Tab after the skip link went back to the header"


class _FormFinder(HTMLParser):
    """The form (method, action, names of its inputs) that holds the button with this text."""

    def __init__(self, button: str):
        super().__init__(convert_charrefs=True)
        self.button, self.form, self.found = button, None, None
        self._in_button, self._text = False, ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.form = ((attributes.get("method") or "get").lower(), attributes.get("action"),
                         [])
        elif tag in ("input", "textarea") and self.form and attributes.get("name"):
            self.form[2].append(attributes["name"])
        elif tag == "button":
            self._in_button, self._text = True, ""

    def handle_data(self, data):
        if self._in_button:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "button":
            self._in_button = False
            if " ".join(self._text.split()) == self.button and self.found is None:
                self.found = self.form


def _send_empty(client, html: str, button: str, page_url: str):
    """Send the button's form with every answer empty, as the browser test does."""
    finder = _FormFinder(button)
    finder.feed(html)
    method, action, names = finder.found
    if method == "get":
        return client.get(action or page_url, query_string=dict.fromkeys(names, ""))
    return client.post(action or page_url, data={"csrf_token": csrf_token_from(html)})


def test_every_page_the_browser_tests_open_is_valid_html(app, db, world, tmp_path):
    """The Nu Html Checker, run once over the server's HTML of every page above (and each form
    sent empty), the resident's pages and the QR code's answer: no errors."""
    places = with_times_token(app, _places(db, world))
    _a_failed_job(db)
    clients = {person: sign_in_quickly(app, PEOPLE[person][0])
               for person in ("operative", "colleague", "officer", "admin", "supervisor")}
    clients[None] = app.test_client()
    saved = []

    def save(name: str, response, status: int | None = 200, words: str = "") -> None:
        assert status is None or response.status_code == status, name
        assert words in response.get_data(as_text=True), name
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.get_data())
        saved.append(path)

    for name, person, path, status in PAGES:
        save(name, clients[person].get(path.format(**places), follow_redirects=True), status)
    for name, person, path, button, _field in EMPTY_FORMS:
        client, url = clients[person], path.format(**places)
        html = client.get(url).get_data(as_text=True)
        save(f"{name}-errors", _send_empty(client, html, button, url), None,
             "There is a problem")

    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    now_visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                          *window_around_now(), trade="Gas heating")
    starts = datetime.combine(today_local() + timedelta(days=2), time(10), LOCAL_ZONE)
    later_visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                            starts, starts + timedelta(hours=2), trade="Roofing")
    with app.test_request_context():
        verify = make_token(now_visit, world.users["operative"], today_local().isoformat())
        feedback = "/f/" + tokens.make(tokens.FEEDBACK_SALT, now_visit)
        rebook = "/r/" + tokens.make(tokens.REBOOK_SALT, later_visit)
    resident_phone = app.test_client()
    save("verify", resident_phone.get(f"/verify/{verify}"))
    save("verify-refused", resident_phone.get("/verify/not-a-token"))
    save("link-closed", resident_phone.get("/f/not-a-token"))
    for name, url, answers in [("feedback", feedback, {"felt_safe": "yes"}),
                               ("rebook", rebook, {"days": ["tuesday"], "times": ["morning"]})]:
        html = resident_phone.get(url).get_data(as_text=True)
        save(name, resident_phone.get(url))
        token = csrf_token_from(html)
        if name == "feedback":  # a comment over the limit
            save("feedback-errors", resident_phone.post(
                url, data={"csrf_token": token, "comment": "x" * 5000}), None,
                "There is a problem")
        save(f"{name}-done", resident_phone.post(url, data={"csrf_token": token, **answers}),
             200, "Thank you")
    partner = f"/p/{places['partner_token']}"
    html = resident_phone.get(partner).get_data(as_text=True)
    save("partner-done", resident_phone.post(partner, data={
        "csrf_token": csrf_token_from(html), "event": "admission",
        "event_on": today_local().isoformat(), "resident_name": "Paula Away",
        "postcode": "RS7 7AA", "contact_name": "Sam Nurse", "contact_phone": "020 7946 0123"}),
        200, "Thank you")

    errors = html_errors(saved)
    assert not errors, f"{len(errors)} markup errors in {len(saved)} pages:\n" + "\n".join(errors)


def test_each_users_disable_form_names_the_person(page, open_as):
    open_as("admin", "/admin/users")
    # Disable opens a confirm page (a link per person); enable is a form per person.
    assert page.get_by_role("link", name="Disable Operative", exact=True).count() == 1
    labels = page.locator(".record form").evaluate_all(
        "forms => forms.map(form => form.getAttribute('aria-label'))")
    assert all(label and label.startswith("Enable ") for label in labels), labels
    assert page.get_by_role("form", name="Sign out").count() == 1
    assert_forms_named_apart(page, "users")
