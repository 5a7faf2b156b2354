"""Web Push for real: the worker encrypts and signs, a local push service (web-push-testing)
checks the VAPID signature, decrypts, and gives the message back; a 410 removes the device."""

import contextlib
import json
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from fieldapp.core import jobs
from fieldapp.push import (
    keys,
    sender,  # noqa: F401  (registers the job handlers)
)

from support import audit_refused, csrf_token_from

PUSH_SERVICE = Path(__file__).resolve().parent.parent / "node_modules" / ".bin" / \
    "web-push-testing"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",  # noqa: S310
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310  (loopback)
            text = response.read()
            try:
                return response.status, json.loads(text)
            except ValueError:
                return response.status, {"text": text.decode(errors="replace")}
    except urllib.error.HTTPError as error:
        return error.code, {}


@pytest.fixture(scope="module")
def push_service():
    port = _free_port()
    subprocess.run([str(PUSH_SERVICE), "--port", str(port), "start"], check=True,
                   capture_output=True, timeout=30)
    base = f"http://127.0.0.1:{port}"
    for _ in range(50):
        if _post(f"{base}/status", {})[0] == 200:
            break
        time.sleep(0.1)
    yield base
    subprocess.run([str(PUSH_SERVICE), "--port", str(port), "stop"], check=False,
                   capture_output=True, timeout=30)


def allow_test_push_service(app, *endpoints: str) -> None:
    """Name a push service on this machine in the test-only setting (the default list has only
    the browsers' own services, and refuses loopback)."""
    origins = {"/".join(endpoint.split("/", 3)[:3]) for endpoint in endpoints}
    app.config["FIELDAPP_TEST_PUSH_ORIGINS"] = sorted(
        origins | set(app.config.get("FIELDAPP_TEST_PUSH_ORIGINS", ())))


@pytest.fixture
def officer_device(push_service, signed_in, db, app):
    """The officer turns notifications on: the push service subscribes with our public key."""
    return turn_on_notifications(push_service, signed_in("officer"), db, app)


def turn_on_notifications(push_service, client, db, app) -> dict:
    public_key = keys.public_key(db) or keys.generate(db)
    status, body = _post(f"{push_service}/subscribe",
                         {"userVisibleOnly": "true", "applicationServerKey": public_key})
    assert status == 200
    subscription = body["data"]
    allow_test_push_service(app, subscription["endpoint"])
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    response = client.post("/push/subscriptions", headers={"X-CSRFToken": token},
                           json={"endpoint": subscription["endpoint"],
                                 "keys": subscription["keys"]})
    assert response.status_code == 201, (subscription["endpoint"], response.get_json())
    return subscription


def messages(push_service, subscription) -> list[dict]:
    status, body = _post(f"{push_service}/get-notifications",
                         {"clientHash": subscription["clientHash"]})
    assert status == 200
    return [json.loads(message) for message in body["data"]["messages"]]


def urgent_log(signed_in, world) -> None:
    client = signed_in("operative")
    token = csrf_token_from(client.get("/today").get_data(as_text=True))
    response = client.post("/api/logs", headers={"X-CSRFToken": token}, json={
        "client_id": str(uuid.uuid4()), "visit_id": world.visits["tomorrow"],
        "outcome": "completed", "distress": "none", "concerns": ["domestic_abuse"]})
    assert response.status_code == 201


def run_due_jobs(app, db, now: datetime | None = None) -> int:
    """What `fieldapp worker` does, in the app's context (its settings) as the worker runs."""
    count = 0
    with app.app_context():
        while jobs.run_one(db, now=now or datetime.now(UTC)):
            count += 1
    return count


def test_urgent_alert_is_pushed_encrypted_and_says_no_detail(push_service, officer_device, db,
                                                             signed_in, world, app):
    urgent_log(signed_in, world)
    assert run_due_jobs(app, db) == 2  # the fan-out, then the device
    [message] = messages(push_service, officer_device)
    assert message["body"] == "Urgent: a concern was logged after a visit. Open fieldapp."
    assert message["url"].startswith("/alerts/")
    assert "abuse" not in json.dumps(message).lower()
    assert db.execute("SELECT count(*) FROM jobs WHERE done_at IS NULL").fetchone()[0] == 1
    # (the one left is the escalation, due in 30 minutes)


def test_an_expired_subscription_is_deleted_on_410(push_service, officer_device, db, signed_in,
                                                   world, app):
    status, _ = _post(f"{push_service}/expire-subscription/{officer_device['clientHash']}", {})
    assert status == 200
    urgent_log(signed_in, world)
    run_due_jobs(app, db)
    assert db.execute("SELECT count(*) FROM push_subscriptions").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM jobs WHERE last_error != ''").fetchone()[0] == 0


def test_an_unreachable_push_service_is_retried_later(db, signed_in, world, app):
    allow_test_push_service(app, "http://127.0.0.1:9")
    keys.generate(db)
    db.execute("INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)"
               " SELECT ?, 'http://127.0.0.1:9/notify/x', p256dh, auth, 'now' FROM"
               " (SELECT 'BJuzId0dQlxVxY-HRO2X77Xu9MbAfftw144Ho5tzR85_J3ZceTrLBDtyc-itC35lew2qRJ"
               "HKeUEulF5VfWGqtvY' AS p256dh, '-kTMPt10xISg1Wzkk3KO4A' AS auth)",
               (world.users["officer"],))
    urgent_log(signed_in, world)
    run_due_jobs(app, db)
    failed = db.execute("SELECT * FROM jobs WHERE kind = 'push_to_device'").fetchone()
    assert failed["done_at"] is None and failed["last_error"]
    assert db.execute("SELECT count(*) FROM alerts WHERE severity = 'urgent'").fetchone()[0] == 1


def test_test_notification_reaches_the_device(push_service, officer_device, db, signed_in, app):
    client = signed_in("officer")
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    assert client.post("/push/test", data={"csrf_token": token}).status_code == 303
    run_due_jobs(app, db)
    assert [m["body"] for m in messages(push_service, officer_device)] == [
        "Notifications are working on this device."]


def check_in(client, visit: int, minutes: int) -> str:
    """The operative's phone says "I'm going in", as its outbox sends it."""
    token = csrf_token_from(client.get("/today").get_data(as_text=True))
    client_id = str(uuid.uuid4())
    answer = client.post("/api/checkins", headers={"X-CSRFToken": token}, json={
        "client_id": client_id, "kind": "in", "visit_id": visit, "minutes": minutes})
    assert answer.status_code == 201, answer.get_json()
    return client_id


def test_the_check_in_reminder_reaches_the_operatives_locked_phone(push_service, signed_in, db,
                                                                    world, app):
    """The reminder comes from the server, so it reaches a phone whose browser is closed; it
    says nothing about the resident."""
    operative = signed_in("operative")
    device = turn_on_notifications(push_service, operative, db, app)
    check_in(operative, world.visits["today"], minutes=30)
    in_a = lambda minutes: datetime.now(UTC) + timedelta(minutes=minutes)  # noqa: E731

    run_due_jobs(app, db, now=in_a(19))
    assert messages(push_service, device) == []
    run_due_jobs(app, db, now=in_a(21))  # 10 minutes before the end
    [reminder] = messages(push_service, device)
    assert reminder["body"] == "Still OK? Extend or check out."
    assert reminder["url"] == f"/visits/{world.visits['today']}#check-in"
    run_due_jobs(app, db, now=in_a(29))
    assert len(messages(push_service, device)) == 1  # once (the service keeps what it got)


def test_no_reminder_after_out_safe_and_an_extension_moves_it(push_service, signed_in, db,
                                                               world, app):
    operative = signed_in("operative")
    device = turn_on_notifications(push_service, operative, db, app)
    token = csrf_token_from(operative.get("/today").get_data(as_text=True))
    in_a = lambda minutes: datetime.now(UTC) + timedelta(minutes=minutes)  # noqa: E731

    def send(kind: str, checkin: str) -> None:
        answer = operative.post("/api/checkins", headers={"X-CSRFToken": token}, json={
            "client_id": str(uuid.uuid4()), "kind": kind, "visit_id": world.visits["today"],
            "checkin": checkin, "minutes": 30})
        assert answer.status_code == 201, answer.get_json()

    send("out", check_in(operative, world.visits["today"], minutes=30))
    run_due_jobs(app, db, now=in_a(25))
    assert messages(push_service, device) == []  # out safe: nothing to remind

    send("extend", check_in(operative, world.visits["today"], minutes=30))
    run_due_jobs(app, db, now=in_a(25))
    assert messages(push_service, device) == []  # the first end moved on by 30 minutes
    run_due_jobs(app, db, now=in_a(51))
    assert [m["body"] for m in messages(push_service, device)] == [
        "Still OK? Extend or check out."]


def test_a_subscription_that_is_not_one_is_refused(signed_in):
    client = signed_in("officer")
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    response = client.post("/push/subscriptions", headers={"X-CSRFToken": token},
                           json={"endpoint": "javascript:alert(1)"})
    assert response.status_code == 400


class _Failing(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802  (the name http.server calls)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args):
        pass


@contextlib.contextmanager
def failing_push_service():
    """A push service on loopback that answers every push with 500."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/notify/abc"
    finally:
        server.shutdown()
        thread.join(timeout=5)


DEVICE = {"endpoint": "https://push.example/notify/abc", "keys": {
    "p256dh": "BJuzId0dQlxVxY-HRO2X77Xu9MbAfftw144Ho5tzR85_J3ZceTrLBDtyc-itC35lew2qRJHKeUEulF5V"
              "fWGqtvY", "auth": "-kTMPt10xISg1Wzkk3KO4A"}}


def devices(db) -> int:
    return db.execute("SELECT count(*) FROM push_subscriptions").fetchone()[0]


def test_turning_notifications_on_and_off_is_audited(signed_in, db, world, app):
    allow_test_push_service(app, DEVICE["endpoint"])
    client = signed_in("officer")
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    on = client.post("/push/subscriptions", headers={"X-CSRFToken": token}, json=DEVICE)
    assert on.status_code == 201 and on.get_json() == {"devices": 1}
    off = client.post("/push/subscriptions/delete", headers={"X-CSRFToken": token},
                      json={"endpoint": DEVICE["endpoint"]})
    assert off.status_code == 200 and off.get_json() == {"devices": 0}
    assert [tuple(row) for row in db.execute(
        "SELECT action, record_id FROM audit_log WHERE action LIKE 'push_%' ORDER BY id")] == [
        ("push_subscribed", str(world.users["officer"])),
        ("push_unsubscribed", str(world.users["officer"]))]


def test_a_device_change_whose_audit_cannot_be_written_is_not_kept(signed_in, db, app):
    allow_test_push_service(app, DEVICE["endpoint"])
    client = signed_in("officer")
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    with audit_refused(db), pytest.raises(sqlite3.IntegrityError):
        client.post("/push/subscriptions", headers={"X-CSRFToken": token}, json=DEVICE)
    assert devices(db) == 0
    assert client.post("/push/subscriptions", headers={"X-CSRFToken": token},
                       json=DEVICE).status_code == 201
    with audit_refused(db), pytest.raises(sqlite3.IntegrityError):
        client.post("/push/subscriptions/delete", headers={"X-CSRFToken": token},
                    json={"endpoint": DEVICE["endpoint"]})
    assert devices(db) == 1
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'push_unsubscribed'"
                      ).fetchone()[0] == 0


@pytest.mark.parametrize("why", ["no VAPID key", "the push service answers 500"])
def test_the_alert_is_in_the_inbox_whatever_becomes_of_its_push(signed_in, db, world, why, app):
    """The inbox is the record: a log's alert is there at once, and a push that fails (or
    cannot even be signed) neither holds it back nor takes it away."""
    if why != "no VAPID key":
        keys.generate(db)
    db.execute("INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)"
               " VALUES (?, ?, ?, ?, 'now')", (world.users["officer"], DEVICE["endpoint"],
                                               DEVICE["keys"]["p256dh"], DEVICE["keys"]["auth"]))
    urgent_log(signed_in, world)
    officer = signed_in("officer")
    assert "Urgent: Signs of domestic abuse" in officer.get("/inbox").get_data(as_text=True)
    with failing_push_service() as endpoint:
        allow_test_push_service(app, endpoint)
        db.execute("UPDATE push_subscriptions SET endpoint = ?", (endpoint,))
        run_due_jobs(app, db)
    pushed = db.execute("SELECT * FROM jobs WHERE kind = 'push_to_device'").fetchone()
    if why == "no VAPID key":
        assert pushed["done_at"] is not None  # nothing to sign with: dropped, not retried
    else:
        assert pushed["done_at"] is None and pushed["last_error"]  # retried later
    inbox = officer.get("/inbox").get_data(as_text=True)
    assert "Urgent: Signs of domestic abuse" in inbox and "1 urgent" in inbox


# ---- Only a browser's push service, on a public address, is ever sent to (SSRF) ----

class _Recording(BaseHTTPRequestHandler):
    """Counts every request it gets; answers 307 to `redirect_to` when set, else 201."""

    seen: list
    redirect_to = ""

    def do_POST(self):  # noqa: N802  (the name http.server calls)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append(self.path)
        self.send_response(307 if self.redirect_to else 201)
        if self.redirect_to:
            self.send_header("Location", self.redirect_to)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args):
        pass


@contextlib.contextmanager
def recording_listener(redirect_to: str = ""):
    handler = type("Handler", (_Recording,), {"seen": [], "redirect_to": redirect_to})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/notify/abc", handler.seen
    finally:
        server.shutdown()
        thread.join(timeout=5)


def register(client, endpoint: str, keys_: dict | None = None):
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    return client.post("/push/subscriptions", headers={"X-CSRFToken": token},
                       json={"endpoint": endpoint, "keys": keys_ or DEVICE["keys"]})


@pytest.mark.parametrize("endpoint", [
    "http://127.0.0.1:5999/notify/x",              # the attack that worked
    "http://fcm.googleapis.com/fcm/send/x",        # a push service, but not https
    "https://fcm.googleapis.com.evil.example/x",   # a push service's name inside another
    "https://evilfcm.googleapis.com/x",            # ends the same, but another name
    "https://user@fcm.googleapis.com/fcm/send/x",  # a user name in the address
    "https://fcm.googleapis.com:8443/fcm/send/x",  # another port
    "https://127.0.0.1/notify/x", "https://[::1]/notify/x", "https://169.254.169.254/latest",
    "https://10.0.0.5/x", "ftp://fcm.googleapis.com/x", "javascript:alert(1)", "https://",
])
def test_an_endpoint_that_is_not_a_push_service_is_refused_and_nothing_queued(signed_in, db,
                                                                              endpoint):
    response = register(signed_in("officer"), endpoint)
    assert response.status_code == 400
    assert "not a browser's push service" in response.get_json()["errors"]["subscription"]
    assert devices(db) == 0
    assert db.execute("SELECT count(*) FROM jobs").fetchone()[0] == 0


@pytest.mark.parametrize("host", ["localhost", "127.0.0.2", "10.1.2.3", "172.16.0.1",
                                  "192.168.1.1", "169.254.169.254", "224.0.0.1", "0.0.0.0",  # noqa: S104
                                  "100.64.0.1", "240.0.0.1", "[::1]", "[fe80::1]",
                                  "[::ffff:127.0.0.1]", "[fc00::1]", "[ff02::1]"])
def test_a_push_service_name_that_resolves_to_a_private_address_is_refused(signed_in, db, app,
                                                                           host):
    """The allow-list is set to the name itself, so only the address check stands in the way
    (each resolves on this machine: /etc/hosts or a literal address, no lookup off it)."""
    app.config["FIELDAPP_PUSH_SERVICE_HOSTS"] = (host.strip("[]"),)
    response = register(signed_in("officer"), f"https://{host}/notify/x")
    assert response.status_code == 400
    assert "not on the public internet" in response.get_json()["errors"]["subscription"]
    assert devices(db) == 0


@pytest.mark.parametrize(("address", "public"), [
    ("8.8.8.8", True), ("2606:4700:4700::1111", True), ("127.0.0.1", False),
    ("10.0.0.1", False),
    ("192.168.0.1", False), ("169.254.1.1", False), ("224.0.0.251", False),
    ("233.252.0.1", False), ("0.0.0.0", False),  # noqa: S104 ("255.255.255.255", False),
    ("100.64.0.1", False), ("::", False), ("::1", False), ("fe80::1%eth0", False),
    ("::ffff:10.0.0.1", False), ("ff0e::1", False), ("not an address", False)])
def test_only_public_addresses_count_as_public(address, public):
    from fieldapp.push.endpoints import is_public

    assert is_public(address) is public


def test_the_default_push_services_are_the_browsers_own():
    from fieldapp.push.endpoints import PUSH_SERVICE_HOSTS

    assert set(PUSH_SERVICE_HOSTS) >= {"fcm.googleapis.com", "updates.push.services.mozilla.com",
                                       "notify.windows.com", "push.apple.com"}


def test_the_test_only_push_origin_is_ignored_outside_tests(db_path):
    from fieldapp import create_app

    app = create_app({"TESTING": True, "FIELDAPP_DB": str(db_path), "FIELDAPP_ENV": "development",
                      "FIELDAPP_TEST_PUSH_ORIGINS": ["http://127.0.0.1:5999"]})
    from support import PEOPLE, sign_in_quickly

    response = register(sign_in_quickly(app, PEOPLE["officer"][0]), "http://127.0.0.1:5999/x")
    assert response.status_code == 400


def test_the_worker_checks_again_before_each_send(signed_in, db, world, app):
    """Registered while allowed, then no longer (a name that now points inside, or a row from
    before this check): the worker sends nothing and drops the device."""
    keys.generate(db)
    with recording_listener() as (endpoint, seen):
        allow_test_push_service(app, endpoint)
        assert register(signed_in("officer"), endpoint).status_code == 201
        app.config["FIELDAPP_TEST_PUSH_ORIGINS"] = []
        urgent_log(signed_in, world)
        run_due_jobs(app, db)
        assert seen == []
    assert devices(db) == 0
    assert db.execute("SELECT count(*) FROM jobs WHERE kind = 'push_to_device'"
                      " AND done_at IS NOT NULL").fetchone()[0] == 1


def test_a_name_that_resolves_inside_at_send_time_is_not_sent_to_and_tried_later(
        signed_in, db, world, app):
    keys.generate(db)
    db.execute("INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)"
               " VALUES (?, 'https://localhost/notify/x', ?, ?, 'now')",
               (world.users["officer"], DEVICE["keys"]["p256dh"], DEVICE["keys"]["auth"]))
    app.config["FIELDAPP_PUSH_SERVICE_HOSTS"] = ("localhost",)
    urgent_log(signed_in, world)
    run_due_jobs(app, db)
    job = db.execute("SELECT * FROM jobs WHERE kind = 'push_to_device'").fetchone()
    assert job["done_at"] is None and "not on the public internet" in job["last_error"]
    assert devices(db) == 1


def test_a_redirect_from_a_push_service_is_not_followed(signed_in, db, world, app):
    keys.generate(db)
    with recording_listener() as (inside, inside_seen), \
            recording_listener(redirect_to=inside) as (endpoint, seen):
        allow_test_push_service(app, endpoint)
        assert register(signed_in("officer"), endpoint).status_code == 201
        urgent_log(signed_in, world)
        run_due_jobs(app, db)
        assert seen == ["/notify/abc"] and inside_seen == []
    job = db.execute("SELECT * FROM jobs WHERE kind = 'push_to_device'").fetchone()
    assert job["done_at"] is None and job["last_error"]  # answered as a failure, tried later


def test_an_endpoint_another_user_registered_is_not_handed_over(signed_in, db, world, app):
    allow_test_push_service(app, DEVICE["endpoint"])
    assert register(signed_in("officer"), DEVICE["endpoint"]).status_code == 201
    other = register(signed_in("admin"), DEVICE["endpoint"],
                     {"p256dh": DEVICE["keys"]["p256dh"], "auth": "AAAAAAAAAAAAAAAAAAAAAA"})
    assert other.status_code == 409
    assert "turned on for another account" in other.get_json()["errors"]["subscription"]
    row = db.execute("SELECT user_id, auth FROM push_subscriptions").fetchone()
    assert tuple(row) == (world.users["officer"], DEVICE["keys"]["auth"])
    again = register(signed_in("officer"), DEVICE["endpoint"],
                     {"p256dh": DEVICE["keys"]["p256dh"], "auth": "BBBBBBBBBBBBBBBBBBBBBB"})
    assert again.status_code == 201 and again.get_json() == {"devices": 1}
    assert db.execute("SELECT auth FROM push_subscriptions").fetchone()[0] == \
        "BBBBBBBBBBBBBBBBBBBBBB"


def test_an_eleventh_device_is_refused_and_the_person_told_how_to_make_room(signed_in, db,
                                                                            world, app):
    """Every device is one more push job per alert: ten devices per person is plenty, and the
    eleventh is refused with words the settings page shows as they are."""
    allow_test_push_service(app, DEVICE["endpoint"])
    client = signed_in("operative")
    for number in range(10):
        assert register(client, f"https://push.example/notify/{number}").status_code == 201
    eleventh = register(client, "https://push.example/notify/eleventh")
    assert eleventh.status_code == 409
    assert eleventh.get_json()["errors"]["subscription"] == (
        "Notifications are already on for 10 devices, the most we allow. To add this one, "
        "remove a device you no longer use from the list on this page.")
    assert devices(db) == 10
    again = register(client, "https://push.example/notify/3",
                     {"p256dh": DEVICE["keys"]["p256dh"], "auth": "BBBBBBBBBBBBBBBBBBBBBB"})
    assert again.status_code == 201 and again.get_json() == {"devices": 10}  # a refresh is fine
    keys.generate(db)
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "up to 10 devices" in page and "remove one you no longer use" in page


def test_turning_notifications_on_is_limited_per_person(signed_in, db, app):
    """Someone sending subscription after subscription is stopped in plain words (shown by the
    settings page), and nobody else is slowed by it."""
    client = signed_in("officer")
    statuses = [register(client, "javascript:alert(1)").status_code for _ in range(20)]
    assert statuses == [400] * 20
    refused = register(client, "javascript:alert(1)")
    assert refused.status_code == 429
    assert refused.get_json()["errors"]["subscription"] == (
        "There have been too many attempts in a short time. Wait an hour, then try again.")
    assert register(signed_in("admin"), "javascript:alert(1)").status_code == 400


def test_test_notifications_are_limited_per_person(signed_in, db, app):
    client = signed_in("officer")
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    statuses = [client.post("/push/test", data={"csrf_token": token}).status_code
                for _ in range(10)]
    assert statuses == [303] * 10
    again = signed_in("officer")  # signing in afresh is the same person: the count goes on
    token = csrf_token_from(again.get("/settings/notifications").get_data(as_text=True))
    assert again.post("/push/test", data={"csrf_token": token}).status_code == 429
    assert db.execute("SELECT count(*) FROM jobs WHERE kind = 'send_push'").fetchone()[0] == 10
    other = signed_in("admin")
    token = csrf_token_from(other.get("/settings/notifications").get_data(as_text=True))
    assert other.post("/push/test", data={"csrf_token": token}).status_code == 303


# Each push service's name on the settings page, never the device's address (a capability).
SERVICES = {"https://fcm.googleapis.com/fcm/send/secret-a": "Chrome / Android (Google)",
            "https://updates.push.services.mozilla.com/wpush/v2/secret-b": "Firefox (Mozilla)",
            "https://web.push.apple.com/secret-c": "Safari (Apple)"}


def device_ids(db) -> list[int]:
    return [row[0] for row in db.execute("SELECT id FROM push_subscriptions ORDER BY id")]


def test_the_settings_page_lists_each_device_by_its_service_not_its_address(signed_in, db, app):
    allow_test_push_service(app, *SERVICES)
    client = signed_in("officer")
    for endpoint in SERVICES:
        assert register(client, endpoint).status_code == 201
    page = client.get("/settings/notifications").get_data(as_text=True)
    for endpoint, name in SERVICES.items():
        assert name in page
        assert endpoint.rsplit("/", 1)[1] not in page
    assert page.count("Turned on today at") == 3
    for device in device_ids(db):
        assert f'action="/push/subscriptions/{device}/remove"' in page
    assert page.count("<button type=\"submit\" class=\"button button--secondary\">Remove") == 3


def test_a_lost_device_is_removed_from_another_and_frees_its_place(signed_in, db, world, app):
    """The phone is lost: from any device, the person removes it from the list; the removal is
    audited, and the place it held under the cap is free again."""
    allow_test_push_service(app, DEVICE["endpoint"])
    client = signed_in("officer")
    for number in range(10):
        assert register(client, f"https://push.example/notify/{number}").status_code == 201
    assert register(client, "https://push.example/notify/new").status_code == 409
    lost = device_ids(db)[3]
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    response = client.post(f"/push/subscriptions/{lost}/remove", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/settings/notifications")
    page = client.get("/settings/notifications").get_data(as_text=True)
    assert "Device removed: push.example" in page and "no more notifications" in page
    assert lost not in device_ids(db) and devices(db) == 9
    assert [tuple(row) for row in db.execute(
        "SELECT action, record_type, record_id FROM audit_log"
        " WHERE action = 'push_device_removed'")] == [("push_device_removed", "push_subscription",
                                                       str(lost))]
    assert register(client, "https://push.example/notify/new").status_code == 201


def test_only_the_owner_can_remove_a_device(signed_in, db, app):
    allow_test_push_service(app, DEVICE["endpoint"])
    assert register(signed_in("officer"), DEVICE["endpoint"]).status_code == 201
    [device] = device_ids(db)
    other = signed_in("admin")
    token = csrf_token_from(other.get("/settings/notifications").get_data(as_text=True))
    assert other.post(f"/push/subscriptions/{device}/remove",
                      data={"csrf_token": token}).status_code == 404
    assert device_ids(db) == [device]
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'push_device_removed'"
                      ).fetchone()[0] == 0


def test_a_removal_whose_audit_cannot_be_written_is_not_kept(signed_in, db, app):
    allow_test_push_service(app, DEVICE["endpoint"])
    client = signed_in("officer")
    assert register(client, DEVICE["endpoint"]).status_code == 201
    [device] = device_ids(db)
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    with audit_refused(db), pytest.raises(sqlite3.IntegrityError):
        client.post(f"/push/subscriptions/{device}/remove", data={"csrf_token": token})
    assert device_ids(db) == [device]


def test_turning_notifications_off_is_limited_per_person(signed_in, db, app):
    """Each turn-off writes an audit row: someone sending them without end is stopped in plain
    words (shown by the settings page), and nobody else is slowed by it."""
    client = signed_in("officer")
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))

    def turn_off(who, csrf):
        return who.post("/push/subscriptions/delete", headers={"X-CSRFToken": csrf},
                        json={"endpoint": DEVICE["endpoint"]})

    assert [turn_off(client, token).status_code for _ in range(20)] == [200] * 20
    refused = turn_off(client, token)
    assert refused.status_code == 429
    assert refused.get_json()["errors"]["subscription"] == (
        "There have been too many attempts in a short time. Wait an hour, then try again.")
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'push_unsubscribed'"
                      ).fetchone()[0] == 20
    other = signed_in("admin")
    token = csrf_token_from(other.get("/settings/notifications").get_data(as_text=True))
    assert turn_off(other, token).status_code == 200
