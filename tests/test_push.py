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


@pytest.fixture
def officer_device(push_service, signed_in, db):
    """The officer turns notifications on: the push service subscribes with our public key."""
    public_key = keys.generate(db)
    status, body = _post(f"{push_service}/subscribe",
                         {"userVisibleOnly": "true", "applicationServerKey": public_key})
    assert status == 200
    subscription = body["data"]
    client = signed_in("officer")
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    response = client.post("/push/subscriptions", headers={"X-CSRFToken": token},
                           json={"endpoint": subscription["endpoint"],
                                 "keys": subscription["keys"]})
    assert response.status_code == 201
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


def run_due_jobs(db) -> int:
    count = 0
    while jobs.run_one(db):
        count += 1
    return count


def test_urgent_alert_is_pushed_encrypted_and_says_no_detail(push_service, officer_device, db,
                                                             signed_in, world):
    urgent_log(signed_in, world)
    assert run_due_jobs(db) == 2  # the fan-out, then the device
    [message] = messages(push_service, officer_device)
    assert message["body"] == "Urgent: a concern was logged after a visit. Open fieldapp."
    assert message["url"].startswith("/alerts/")
    assert "abuse" not in json.dumps(message).lower()
    assert db.execute("SELECT count(*) FROM jobs WHERE done_at IS NULL").fetchone()[0] == 1
    # (the one left is the escalation, due in 30 minutes)


def test_an_expired_subscription_is_deleted_on_410(push_service, officer_device, db, signed_in,
                                                   world):
    status, _ = _post(f"{push_service}/expire-subscription/{officer_device['clientHash']}", {})
    assert status == 200
    urgent_log(signed_in, world)
    run_due_jobs(db)
    assert db.execute("SELECT count(*) FROM push_subscriptions").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM jobs WHERE last_error != ''").fetchone()[0] == 0


def test_an_unreachable_push_service_is_retried_later(db, signed_in, world):
    keys.generate(db)
    db.execute("INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)"
               " SELECT ?, 'http://127.0.0.1:9/notify/x', p256dh, auth, 'now' FROM"
               " (SELECT 'BJuzId0dQlxVxY-HRO2X77Xu9MbAfftw144Ho5tzR85_J3ZceTrLBDtyc-itC35lew2qRJ"
               "HKeUEulF5VfWGqtvY' AS p256dh, '-kTMPt10xISg1Wzkk3KO4A' AS auth)",
               (world.users["officer"],))
    urgent_log(signed_in, world)
    run_due_jobs(db)
    failed = db.execute("SELECT * FROM jobs WHERE kind = 'push_to_device'").fetchone()
    assert failed["done_at"] is None and failed["last_error"]
    assert db.execute("SELECT count(*) FROM alerts WHERE severity = 'urgent'").fetchone()[0] == 1


def test_test_notification_reaches_the_device(push_service, officer_device, db, signed_in):
    client = signed_in("officer")
    token = csrf_token_from(client.get("/settings/notifications").get_data(as_text=True))
    assert client.post("/push/test", data={"csrf_token": token}).status_code == 303
    run_due_jobs(db)
    assert [m["body"] for m in messages(push_service, officer_device)] == [
        "Notifications are working on this device."]


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


def test_turning_notifications_on_and_off_is_audited(signed_in, db, world):
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


def test_a_device_change_whose_audit_cannot_be_written_is_not_kept(signed_in, db):
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
def test_the_alert_is_in_the_inbox_whatever_becomes_of_its_push(signed_in, db, world, why):
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
        db.execute("UPDATE push_subscriptions SET endpoint = ?", (endpoint,))
        run_due_jobs(db)
    pushed = db.execute("SELECT * FROM jobs WHERE kind = 'push_to_device'").fetchone()
    if why == "no VAPID key":
        assert pushed["done_at"] is not None  # nothing to sign with: dropped, not retried
    else:
        assert pushed["done_at"] is None and pushed["last_error"]  # retried later
    inbox = officer.get("/inbox").get_data(as_text=True)
    assert "Urgent: Signs of domestic abuse" in inbox and "1 urgent" in inbox
