"""The app with no signal, in Debian's Chromium against the real app on a loopback port: the
pages kept on the phone, the outbox that sends each log exactly once, sign-out and expiry."""

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from fieldapp.core.clock import LOCAL_ZONE, today_local
from fieldapp.core.db import query_all

from conftest import assert_accessible, assert_tap_targets, screenshot, sign_in_browser
from factories import add_resident, add_visit, window_around_now
from support import PASSWORD, PEOPLE

SENDS = 10_000  # ms to wait for the outbox to send once signal is back


@pytest.fixture
def visits(db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Nora Quiet")
    tomorrow = today_local() + timedelta(days=1)
    return {
        "today": add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                           *window_around_now(), trade="Gas heating"),
        "tomorrow": add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                              datetime.combine(tomorrow, time(9), LOCAL_ZONE),
                              datetime.combine(tomorrow, time(11), LOCAL_ZONE), trade="Roofing"),
    }


def open_my_day(page, server) -> None:
    """Sign in with signal and open My day: the phone keeps today's and tomorrow's visits."""
    sign_in_browser(page, server.url, PEOPLE["operative"][0], PASSWORD)
    expect(page.locator("#offline-ready")).to_contain_text("Ready for no signal", timeout=SENDS)


def status(page):
    return page.locator("#outbox-status")


def write_log(page, server, visit: int, outcome: str = "Completed") -> str:
    """Fill in the log form and send it; returns the log's client id."""
    page.goto(f"{server.url}/visits/{visit}/log")
    page.get_by_label(outcome, exact=True).check()
    client_id = page.locator("#client_id").input_value()
    page.get_by_role("button", name="Send the log").click()
    return client_id


def logs_with(db, client_id: str) -> list:
    return query_all(db, "SELECT * FROM visit_logs WHERE client_id = ?", (client_id,))


def signal_back(page) -> None:
    page.context.set_offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")  # as the phone does when signal returns


def test_with_no_signal_kept_pages_open_and_a_log_waits_then_sends_once(page, live_server, db,
                                                                         visits):
    open_my_day(page, live_server)
    page.context.set_offline(True)
    for visit in visits.values():
        for path in ["", "/id-card", "/distress", "/log"]:
            page.goto(f"{live_server.url}/visits/{visit}{path}")
            expect(page.locator("#saved-at")).to_contain_text("Saved at ")
            assert page.locator("h1").count() == 1
            if path == "/distress":  # who can help is in the kept page, tap to call or text
                expect(page.locator('a[href="tel:116123"]')).to_contain_text("Samaritans")
                expect(page.locator('a[href="sms:85258"]')).to_contain_text("Text 85258")
        page.goto(f"{live_server.url}/visits/{visit}/id-card")
        expect(page.locator(".id-card svg").first).to_be_visible()
    page.goto(f"{live_server.url}/today")
    expect(page.locator(".visit-card", has_text="Gas heating")).to_be_visible()
    expect(page.locator(".visit-card", has_text="Roofing")).to_be_visible()
    assert_accessible(page, "my day from the phone")
    screenshot(page, "offline-my-day")

    page.goto(f"{live_server.url}/visits/{visits['today']}/logged")  # never kept
    expect(page.get_by_role("heading", level=1)).to_have_text("No signal")
    expect(page.locator("#offline-pages")).to_contain_text("Briefing: Gas heating")
    expect(page.locator("#offline-pages")).to_contain_text("Briefing: Roofing")
    assert_accessible(page, "no-signal page")
    assert_tap_targets(page)
    screenshot(page, "offline-no-signal")

    client_id = write_log(page, live_server, visits["today"])
    expect(page.locator("#log-saved")).to_contain_text(
        "Saved on this phone It will send when you have signal", use_inner_text=True)
    expect(status(page)).to_have_text("Logs: 1 waiting to send")
    assert_accessible(page, "log saved on the phone")
    screenshot(page, "offline-log-saved")
    page.reload()
    expect(status(page)).to_have_text("Logs: 1 waiting to send")
    assert logs_with(db, client_id) == []

    signal_back(page)
    expect(status(page)).to_have_text("Logs: All sent", timeout=SENDS)
    assert len(logs_with(db, client_id)) == 1


def test_a_log_stored_but_never_answered_is_sent_again_and_stored_once(page, live_server, db,
                                                                       visits):
    open_my_day(page, live_server)
    answers = []

    def lose_the_first_answer(route):
        if not answers:
            answers.append(route.fetch().status)  # the server stores the log and answers...
            route.abort("connectionreset")          # ...but the phone never hears it
        else:
            answers.append(route.fetch().status)
            route.continue_()

    page.context.route("**/api/logs", lose_the_first_answer)
    client_id = write_log(page, live_server, visits["today"])
    expect(page.locator("#log-saved")).to_be_visible()
    assert len(logs_with(db, client_id)) == 1  # stored, though the phone does not know it

    page.evaluate("dispatchEvent(new Event('online'))")
    expect(status(page)).to_have_text("Logs: All sent", timeout=SENDS)
    assert answers[:2] == [201, 200]  # the resend is recognised as the same log
    assert len(logs_with(db, client_id)) == 1


def test_a_refused_log_stays_as_needs_attention_and_can_be_fixed(page, live_server, db,
                                                                 visits):
    from fieldapp.logs.forms import LogInput
    from fieldapp.logs.store import store_log

    open_my_day(page, live_server)
    page.context.set_offline(True)
    client_id = write_log(page, live_server, visits["today"])
    expect(page.locator("#log-saved")).to_be_visible()
    # Meanwhile a different log reached the server under the same id: it must refuse ours.
    visit = {"id": visits["today"], "resident_id": query_all(
        db, "SELECT resident_id FROM visits WHERE id = ?", (visits["today"],))[0][0]}
    store_log(db, visit, query_all(db, "SELECT id FROM users WHERE email = ?",
                                   (PEOPLE["operative"][0],))[0][0],
              LogInput(client_id, "partly_completed", None, "none", (), "", ""))

    signal_back(page)
    expect(status(page)).to_have_text("Logs: 1 needs attention", timeout=SENDS)
    page.reload()
    expect(status(page)).to_have_text("Logs: 1 needs attention")  # kept, not dropped
    status(page).get_by_role("link").click()
    item = page.locator("#outbox-list li")
    expect(item).to_contain_text("Needs attention")
    expect(item).to_contain_text("A different log was already sent with this id")
    assert_accessible(page, "logs on this phone")
    assert_tap_targets(page)
    screenshot(page, "outbox-needs-attention")

    item.get_by_role("link", name="Change and send again").click()
    expect(page.get_by_label("Completed", exact=True)).to_be_checked()  # what they wrote
    page.get_by_role("button", name="Send the log").click()
    page.wait_for_url("**/logged?log=*")
    expect(status(page)).to_have_text("Logs: All sent")
    assert len(query_all(db, "SELECT * FROM visit_logs WHERE visit_id = ? AND outcome ="
                             " 'completed'", (visits["today"],))) == 1


def test_logs_written_before_a_sign_in_expired_send_after_signing_in_again(page, live_server,
                                                                          db, visits):
    open_my_day(page, live_server)
    page.context.set_offline(True)
    client_id = write_log(page, live_server, visits["today"])
    expect(page.locator("#log-saved")).to_be_visible()
    db.execute("DELETE FROM user_sessions")  # the session ended while the phone had no signal

    signal_back(page)
    expect(status(page)).to_have_text("Logs: 1 waiting to send, sign in again to send",
                                      timeout=SENDS)
    assert logs_with(db, client_id) == []
    sign_in_browser(page, live_server.url, PEOPLE["operative"][0], PASSWORD)
    expect(status(page)).to_have_text("Logs: All sent", timeout=SENDS)
    assert len(logs_with(db, client_id)) == 1


def test_signing_out_warns_about_unsent_logs_then_sends_them_and_clears_the_phone(
        page, live_server, db, visits):
    open_my_day(page, live_server)
    page.context.set_offline(True)
    client_id = write_log(page, live_server, visits["today"])
    sign_out = page.get_by_role("banner").get_by_role("button", name="Sign out")
    sign_out.click()
    warning = page.locator("#sign-out-warning")
    expect(warning).to_contain_text("1 log has not been sent.")
    # Shown under the page's heading, never before it in the page's order.
    assert page.evaluate("document.querySelector('main h1').nextElementSibling.id") == \
        "sign-out-warning"
    assert_accessible(page, "sign-out warning")
    screenshot(page, "sign-out-warning")
    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()

    signal_back(page)
    sign_out.click()  # with signal it sends first, then signs out
    page.wait_for_url("**/login?signed_out=1")
    assert len(logs_with(db, client_id)) == 1
    caches = page.evaluate("caches.keys()")
    assert not [name for name in caches if name.startswith("fieldapp-pages-")], caches
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/visits/{visits['today']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("No signal")
    expect(page.locator("#offline-pages")).not_to_contain_text("Gas heating")


def test_kept_briefings_are_deleted_after_their_visit_day(page, live_server, visits):
    open_my_day(page, live_server)
    worker = page.context.service_workers[0]
    tomorrow = (today_local() + timedelta(days=1)).isoformat()
    worker.evaluate(f"deleteExpired({tomorrow!r})")  # as on the phone when tomorrow comes
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/visits/{visits['today']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("No signal")
    expect(page.locator("#offline-pages")).not_to_contain_text("Gas heating")
    page.goto(f"{live_server.url}/visits/{visits['tomorrow']}")
    expect(page.locator("#saved-at")).to_contain_text("Saved at ")


def test_fifty_waiting_logs_send_in_the_order_they_were_written(page, live_server, db, visits):
    open_my_day(page, live_server)
    page.context.set_offline(True)
    written = page.evaluate("""async ({visit, user}) => {
        const ids = [];
        let previous = null;
        for (let n = 0; n < 50; n++) {
            const id = FieldappOutbox.newClientId();
            await FieldappOutbox.add({client_id: id, user: user, visit_id: visit,
                label: "Gas heating", amends_client_id: previous,
                payload: {client_id: id, visit_id: visit, outcome: "completed",
                          no_access_reason: "", distress: "none", concerns: [],
                          note: "Change " + n, follow_up: ""}});
            ids.push(id);
            previous = id;  // each one changes the one before, as edits on the day do
        }
        return ids;
    }""", {"visit": visits["today"], "user": int(page.locator("body").get_attribute(
        "data-operative"))})
    page.reload()
    expect(status(page)).to_have_text("Logs: 50 waiting to send")

    signal_back(page)
    expect(status(page)).to_have_text("Logs: All sent", timeout=30_000)
    stored = query_all(db, "SELECT client_id, note, amends_log_id, id FROM visit_logs"
                           " WHERE visit_id = ? ORDER BY id", (visits["today"],))
    assert [row["client_id"] for row in stored] == written
    assert [row["note"] for row in stored] == [f"Change {n}" for n in range(50)]
    assert [row["amends_log_id"] for row in stored] == [None] + [r["id"] for r in stored[:-1]]


def test_on_a_weak_signal_the_operative_is_not_kept_waiting(page, live_server, db, visits):
    open_my_day(page, live_server)
    held = []
    page.context.route("**/api/logs", lambda route: held.append(route))  # no answer yet
    client_id = write_log(page, live_server, visits["today"])
    expect(page.locator("#log-saved")).to_be_visible(timeout=8_000)
    assert held, "the log was on its way"
    held[0].continue_()  # the signal recovers before the phone gives up on this send
    expect(status(page)).to_have_text("Logs: All sent", timeout=SENDS)
    assert len(logs_with(db, client_id)) == 1


def test_with_no_signal_a_no_access_reason_with_completed_is_refused_on_the_phone(
        page, live_server, db, visits):
    from fieldapp.logs.forms import MESSAGES, NO_REASON_LABEL

    open_my_day(page, live_server)
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/visits/{visits['today']}/log")
    page.get_by_label("No access", exact=True).check()
    page.get_by_label("No answer", exact=True).check()
    page.get_by_label("Completed", exact=True).check()
    page.get_by_role("button", name="Send the log").click()
    expect(page.locator("#no_access_reason-error")).to_contain_text(MESSAGES["access_given"])
    expect(page.locator("#log-saved")).to_be_hidden()
    page.get_by_label(NO_REASON_LABEL, exact=True).check()
    page.get_by_role("button", name="Send the log").click()
    expect(page.locator("#log-saved")).to_be_visible()
    expect(status(page)).to_have_text("Logs: 1 waiting to send")


def test_a_disabled_operative_with_unsent_logs_is_told_and_can_read_them(page, live_server, db,
                                                                       world, visits):
    from fieldapp.accounts.queries import set_active

    open_my_day(page, live_server)
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/visits/{visits['today']}/log")
    page.get_by_label("Completed", exact=True).check()
    page.get_by_label("Short note (optional)").fill("New washer fitted")
    page.get_by_role("button", name="Send the log").click()
    expect(page.locator("#log-saved")).to_be_visible()
    set_active(db, world.users["operative"], False)  # an admin disables them meanwhile

    page.context.set_offline(False)
    page.goto(f"{live_server.url}/today")  # the session is gone: they land on sign in
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    notice = page.locator("#unsent-logs")
    expect(notice).to_contain_text("This phone holds 1 log that was not sent.")
    expect(notice).to_contain_text("show them to your supervisor")
    assert_accessible(page, "sign in with unsent logs")
    notice.get_by_role("link", name="Read the logs on this phone").click()
    expect(page.locator("#outbox-signed-out")).to_be_visible()
    item = page.locator("#outbox-list li")
    expect(item).to_contain_text("Gas heating")
    expect(item).to_contain_text("How the visit went Completed", use_inner_text=True)
    expect(item).to_contain_text("New washer fitted")
    expect(item.get_by_role("link", name="Change and send again")).to_be_hidden()
    assert_accessible(page, "logs on this phone, signed out")
    assert_tap_targets(page)
    screenshot(page, "outbox-signed-out")
    assert query_all(db, "SELECT * FROM visit_logs WHERE visit_id = ?", (visits["today"],)) == []


def test_a_colleagues_offline_log_of_a_visit_already_logged_is_kept_with_clear_words(
        page, live_server, db, world):
    from fieldapp.logs.forms import LogInput
    from fieldapp.logs.store import store_log

    resident = add_resident(db, world.orgs["riverside"], world.users["officer"], name="Ola Two")
    visit = add_visit(db, resident, world.orgs["acme"],
                      [world.users["operative"], world.users["colleague"]],
                      *window_around_now(), trade="Boiler service")
    sign_in_browser(page, live_server.url, PEOPLE["colleague"][0], PASSWORD)
    expect(page.locator("#offline-ready")).to_contain_text("Ready for no signal", timeout=SENDS)
    page.context.set_offline(True)
    write_log(page, live_server, visit)
    expect(page.locator("#log-saved")).to_be_visible()
    # Meanwhile the other operative on the visit logged it first.
    store_log(db, {"id": visit, "resident_id": resident}, world.users["operative"],
              LogInput("00000000-0000-4000-8000-0000000000bb", "completed", None, "none", (),
                       "", ""))

    signal_back(page)
    expect(status(page)).to_have_text("Logs: 1 needs attention", timeout=SENDS)
    status(page).get_by_role("link").click()
    item = page.locator("#outbox-list li")
    expect(item).to_contain_text("Operative logged this visit today at")
    expect(item).to_contain_text("A visit has one log, the first sent")
    assert len(query_all(db, "SELECT * FROM visit_logs WHERE visit_id = ?", (visit,))) == 1
