"""The service worker's push handler, driven in Chromium through the DevTools protocol: a push
arrives, a notification shows with the message and the address of the alert to open."""

import json
import time

from playwright.sync_api import expect

from fieldapp.core.db import utc_now

from conftest import assert_accessible, screenshot, sign_in_browser
from support import PASSWORD, PEOPLE


def _registration(page, cdp, timeout: float = 10.0) -> dict:
    found = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: found.update({r["registrationId"]: r for r in event["registrations"]}))
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + timeout
    while not found and time.monotonic() < deadline:
        page.wait_for_timeout(100)  # lets Playwright deliver the CDP events
    assert found, "the service worker did not register"
    return next(iter(found.values()))


def test_a_push_shows_a_notification_carrying_the_alert_address(page, live_server, db):
    from fieldapp.push import keys

    keys.generate(db)
    page.context.grant_permissions(["notifications"])
    sign_in_browser(page, live_server.url, PEOPLE["officer"][0], PASSWORD)
    page.goto(f"{live_server.url}/settings/notifications")
    assert_accessible(page, "notification settings")
    screenshot(page, "notification-settings")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = page.context.new_cdp_session(page)
    registration = _registration(page, cdp)
    message = {"title": "fieldapp", "body": "Urgent: a concern was logged after a visit. "
               "Open fieldapp.", "url": "/alerts/7"}
    shown = []
    for _attempt in range(5):  # CDP delivery is occasionally dropped: try again
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": live_server.url, "registrationId": registration["registrationId"],
            "data": json.dumps(message)})
        page.wait_for_timeout(500)
        shown = page.evaluate("""async () => (await (await navigator.serviceWorker.ready)
            .getNotifications()).map(n => ({title: n.title, body: n.body, data: n.data}))""")
        if shown:
            break
    assert shown == [{"title": "fieldapp", "body": message["body"], "data": {"url": "/alerts/7"}}]


def test_tapping_a_notification_opens_the_alert_in_the_open_window(page, live_server, db, world):
    """Headless Chromium has no notification to tap, so the test dispatches the click event to
    the service worker itself, with the notification the push showed."""
    sign_in_browser(page, live_server.url, PEOPLE["officer"][0], PASSWORD)
    page.goto(f"{live_server.url}/inbox")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    worker = page.context.service_workers[0]
    alert_url = f"/alerts/{world.others['alert']}"
    page.context.grant_permissions(["notifications"])
    worker.evaluate("""async (url) => {
        await self.registration.showNotification("fieldapp", {body: "Urgent", data: {url}});
        const [notification] = await self.registration.getNotifications();
        self.dispatchEvent(new NotificationEvent("notificationclick", {notification}));
    }""", alert_url)
    page.wait_for_url(f"**{alert_url}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert worker.evaluate("self.registration.getNotifications().then(n => n.length)") == 0


STUB_SUBSCRIBE = """
PushManager.prototype.getSubscription = async function () { return null; };
PushManager.prototype.subscribe = async function () {
  const json = {endpoint: "https://push.example/notify/eleventh",
                keys: {p256dh: "BJuzId0dQlxVxY-HRO2X77Xu9MbAfftw144", auth: "-kTMPt10xISg"}};
  return {endpoint: json.endpoint, toJSON: () => json, unsubscribe: async () => true};
};
"""


def test_the_settings_page_says_why_an_eleventh_device_is_refused(page, live_server, db, world,
                                                                 app):
    """A headless browser cannot really subscribe: subscribe() is stubbed, and the server's
    refusal of an 11th device is shown on the page as the server words it."""
    from fieldapp.push import keys

    keys.generate(db)
    app.config["FIELDAPP_TEST_PUSH_ORIGINS"] = ["https://push.example"]
    db.conn.executemany(
        "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)"
        " VALUES (?, ?, 'k', 'a', ?)",
        [(world.users["officer"], f"https://push.example/notify/{n}", utc_now())
         for n in range(10)])
    page.context.grant_permissions(["notifications"])
    page.add_init_script(STUB_SUBSCRIBE)
    sign_in_browser(page, live_server.url, PEOPLE["officer"][0], PASSWORD)
    page.goto(f"{live_server.url}/settings/notifications")
    page.get_by_role("button", name="Turn on notifications on this device").click()
    expect(page.locator("#push-state")).to_have_text(
        "Notifications are already on for 10 devices, the most we allow. To add this one, "
        "remove a device you no longer use from the list on this page.")


def test_the_settings_page_marks_the_device_it_is_open_on(page, live_server, db, world):
    """The page knows this browser's subscription: of the person's devices listed, that one is
    marked "This device" (the page carries a digest of each address, not the address)."""
    from fieldapp.push import keys

    keys.generate(db)
    db.conn.executemany(
        "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)"
        " VALUES (?, ?, 'k', 'a', ?)",
        [(world.users["officer"], endpoint, at) for endpoint, at in (
            ("https://fcm.googleapis.com/fcm/send/old-phone", "2026-01-05T09:00:00+00:00"),
            ("https://updates.push.services.mozilla.com/wpush/v2/this-one", utc_now()))])
    page.add_init_script(STUB_SUBSCRIBE.replace(
        "return null;", "return {endpoint: "
        "'https://updates.push.services.mozilla.com/wpush/v2/this-one'};"))
    sign_in_browser(page, live_server.url, PEOPLE["officer"][0], PASSWORD)
    page.goto(f"{live_server.url}/settings/notifications")
    this_one = page.locator("li", has_text="Firefox (Mozilla)")
    expect(this_one.get_by_text("This device")).to_be_visible()
    expect(page.locator("li", has_text="Chrome / Android (Google)").get_by_text("This device")
           ).to_be_hidden()
    expect(page.get_by_role("button", name="Turn off notifications on this device")
           ).to_be_visible()
    assert "this-one" not in page.content()
    # Removed from the list on another device: this one offers to turn notifications on again.
    page.locator("li", has_text="Firefox (Mozilla)").get_by_role("button", name="Remove").click()
    expect(page.get_by_text("Device removed: Firefox (Mozilla)")).to_be_visible()
    expect(page.get_by_text("This device", exact=True)).to_be_hidden()
    expect(page.get_by_role("button", name="Turn on notifications on this device")
           ).to_be_visible()
