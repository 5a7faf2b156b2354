"""Phone-sized screenshots of the main pages on demo data, for docs/screenshots/ and the README.

Run: .venv/bin/python scripts/screenshots.py [OUTPUT_DIR]
Uses Debian's Chromium (/usr/bin/chromium) through Playwright; serves the app on a loopback port.
"""

import re
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from fieldapp import create_app
from fieldapp.core import migrations
from fieldapp.core.db import connect
from fieldapp.devdata.demo import DEMO_PASSWORD, load_demo

PHONE = {"width": 390, "height": 844}


def demo_database(path: Path) -> None:
    db = connect(str(path))
    migrations.apply(db)
    load_demo(db)
    # Move the seed-case visit to now, so its ID card checks out on the public page.
    now = datetime.now(UTC)
    db.execute("UPDATE visits SET starts_at = ?, ends_at = ? WHERE job_ref = 'BSG-7731'",
               ((now - timedelta(minutes=20)).isoformat(timespec="seconds"),
                (now + timedelta(minutes=100)).isoformat(timespec="seconds")))
    db.close()


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()


def add_passkey(page, base: str) -> None:
    """An administrator is led to add a passkey: Chromium's virtual authenticator makes one."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})
    page.get_by_label("Name for this passkey").fill("Office laptop")
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_url(f"{base}/admin/users")


def shoot(page, out: Path, name: str, url: str) -> None:
    page.goto(url)
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    print(f"{name}: {url}")


def shoot_offline(browser, out: Path, base: str) -> None:
    """An operative with no signal: a kept briefing, a log kept on the phone, the no-signal page.
    A context of its own, so the waiting log is thrown away with it and never sent."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True,
                                  has_touch=True, locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    sign_in(page, base, "operative2@demo.test")
    # "Getting today's visits ready..." until the service worker says they are saved.
    page.locator("#offline-ready", has_text=re.compile(r"^Ready for no signal")).wait_for()
    visit = re.search(r"/visits/(\d+)", page.content()).group(1)
    context.set_offline(True)
    shoot(page, out, "offline-briefing", f"{base}/visits/{visit}")
    page.goto(f"{base}/visits/{visit}/log")
    page.get_by_label("Completed", exact=True).check()
    page.get_by_role("button", name="Send the log").click()
    page.locator("#log-saved").wait_for()
    page.screenshot(path=str(out / "offline-log-saved.png"), full_page=True)
    print(f"offline-log-saved: {base}/visits/{visit}/log")
    shoot(page, out, "offline-no-signal", f"{base}/inbox")
    context.close()


def shoot_resident_voice(browser, out: Path, base: str, app, db_path: Path) -> None:
    """The resident's own phone, no account: how the visit felt, and asking for another time."""
    from fieldapp.voice import tokens

    db = connect(str(db_path))
    now_visit = db.execute("SELECT id FROM visits WHERE job_ref = 'BSG-7731'").fetchone()[0]
    later_visit = db.execute("SELECT id FROM visits WHERE starts_at > ? ORDER BY starts_at"
                             " LIMIT 1", (datetime.now(UTC).isoformat(),)).fetchone()[0]
    db.close()
    with app.test_request_context():
        feedback = tokens.make(tokens.FEEDBACK_SALT, now_visit)
        rebook = tokens.make(tokens.REBOOK_SALT, later_visit)
    page = browser.new_context(viewport=PHONE, locale="en-GB").new_page()
    shoot(page, out, "resident-feedback", f"{base}/f/{feedback}")
    shoot(page, out, "resident-rebook", f"{base}/r/{rebook}")
    page.context.close()


def shoot_pause(page, out: Path, base: str, app, db_path: Path) -> None:
    """Peter is in hospital: the officer's pause page, his paused visit as the operative reads
    it, and the page his hospital's discharge team uses (no account)."""
    from fieldapp.pauses import links

    db = connect(str(db_path))
    pause = db.execute("SELECT id FROM resident_pauses").fetchone()[0]
    link = db.execute("SELECT id FROM partner_links").fetchone()[0]
    db.close()
    shoot(page, out, "officer-pause", f"{base}/pauses/{pause}")
    with app.test_request_context():
        token = links.make(link)
    partner = page.context.browser.new_context(viewport=PHONE, locale="en-GB").new_page()
    shoot(partner, out, "partner-report", f"{base}/p/{token}")
    partner.context.close()


def _an_alert_of(db_path: Path, email: str) -> int | None:
    """An alert in this person's inbox, opened again (the demo's are all dealt with), for the
    "refer" page."""
    db = connect(str(db_path))
    row = db.execute("SELECT alerts.id FROM alerts JOIN users ON users.id = alerts.officer_id"
                     " WHERE users.email = ? ORDER BY alerts.severity = 'urgent' DESC,"
                     " alerts.id DESC LIMIT 1", (email,)).fetchone()
    if row:
        db.execute("UPDATE alerts SET status = 'new', acknowledged_at = NULL, closed_at = NULL,"
                   " action_taken = '' WHERE id = ?", (row[0],))
    db.close()
    return row[0] if row else None


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "demo.db"
        demo_database(db_path)
        app = create_app({"FIELDAPP_DB": str(db_path)})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        # localhost, not 127.0.0.1: the admin adds a passkey, which browsers refuse on an IP.
        base = f"http://localhost:{server.server_port}"
        app.config["FIELDAPP_BASE_URL"] = base
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True,
                                          has_touch=True, locale="en-GB",
                                          timezone_id="Europe/London")
            page = context.new_page()
            shoot(page, out, "sign-in", f"{base}/login")
            sign_in(page, base, "operative2@demo.test")
            shoot(page, out, "my-day", f"{base}/today")
            visit = re.search(r"/visits/(\d+)", page.content()).group(1)
            shoot(page, out, "briefing", f"{base}/visits/{visit}")
            shoot(page, out, "id-card", f"{base}/visits/{visit}/id-card")
            link = re.search(r"(/verify/[\w.-]+)", page.content()).group(1)
            shoot(page, out, "distress-card", f"{base}/visits/{visit}/distress")
            shoot(page, out, "log-form", f"{base}/visits/{visit}/log")
            shoot_offline(browser, out, base)
            resident = browser.new_context(viewport=PHONE, locale="en-GB").new_page()
            shoot(resident, out, "verify-yes", f"{base}{link}")
            shoot(resident, out, "verify-no", f"{base}/verify/not-a-real-code")
            context.clear_cookies()
            sign_in(page, base, "admin@demo.test")
            add_passkey(page, base)
            shoot(page, out, "admin-users", f"{base}/admin/users")
            shoot(page, out, "admin-referral-routes", f"{base}/admin/referral-routes")
            shoot(page, out, "admin-team-inbox", f"{base}/admin/team-inbox")
            shoot(page, out, "account-passkeys", f"{base}/account")
            context.clear_cookies()
            sign_in(page, base, "officer@demo.test")
            shoot(page, out, "officer-residents", f"{base}/residents")
            shoot(page, out, "officer-resident", f"{base}/residents/1")
            shoot(page, out, "officer-adjustment",
                  f"{base}/residents/1/adjustments/new/avoid_times")
            shoot(page, out, "officer-visit", f"{base}/schedule/1")
            shoot(page, out, "officer-notifications", f"{base}/settings/notifications")
            shoot(page, out, "officer-measures", f"{base}/measures")
            shoot_pause(page, out, base, app, db_path)
            shoot(page, out, "officer-pathway", f"{base}/residents/1/pathway")
            alert = _an_alert_of(db_path, "officer@demo.test")
            if alert:
                shoot(page, out, "officer-refer", f"{base}/alerts/{alert}/refer")
            shoot_resident_voice(browser, out, base, app, db_path)
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots"))
