"""Faults: the server killed with SIGKILL at random moments while a phone sends logs and
retries, as the outbox does. Afterwards the database holds exactly the logs sent: none lost,
none doubled, and SQLite's integrity check passes.

CI sends 150 logs through 4 kills; `FIELDAPP_FAULT_LOGS=1000 FIELDAPP_FAULT_KILLS=25
.venv/bin/pytest tests/test_faults.py -s` runs the full drill (figures in docs/reliability.md).
"""

import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar
from pathlib import Path

from support import PASSWORD, PEOPLE

ROOT = Path(__file__).resolve().parents[1]
LOGS = int(os.environ.get("FIELDAPP_FAULT_LOGS", "150"))
KILLS = int(os.environ.get("FIELDAPP_FAULT_KILLS", "4"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`fieldapp serve` (gunicorn) in its own process group, so SIGKILL takes every worker."""

    def __init__(self, db_path: Path):
        self.db_path, self.port = db_path, free_port()
        self.process = None

    def start(self) -> None:
        env = {**os.environ, "FIELDAPP_DB": str(self.db_path), "FIELDAPP_ENV": "development"}
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/fieldapp"), "serve", "--port", str(self.port),
             "--workers", "2", "--threads", "2"], env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Generous: on a busy two-core machine a gunicorn worker can take seconds to boot.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login", timeout=2).read()
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.05)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


class Phone:
    """Sends each log until the server says 2xx, retrying on any failure, as the outbox does."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()))
        self.attempts = self.resent_after_store = self.sent = 0

    def sign_in(self, email: str) -> str:
        page = self.opener.open(f"{self.base}/login", timeout=5).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
        form = urllib.parse.urlencode({"csrf_token": token, "email": email,
                                       "password": PASSWORD}).encode()
        html = self.opener.open(f"{self.base}/login", data=form, timeout=5).read().decode()
        return re.search(r'"X-CSRFToken": "([^"]+)"', html)[1]

    def send(self, body: dict, token: str) -> None:
        while True:
            self.attempts += 1
            request = urllib.request.Request(
                f"{self.base}/api/logs", data=json.dumps(body).encode(), method="POST",
                headers={"Content-Type": "application/json", "X-CSRFToken": token})
            try:
                with self.opener.open(request, timeout=5) as response:
                    self.resent_after_store += response.status == 200
                    self.sent += 1
                    return
            except (OSError, urllib.error.URLError):
                time.sleep(0.05)  # the server is down or restarting: try again


def kill_mark(k: int) -> int:
    """How many logs the phone has sent when the server is killed for the k-th time."""
    return k * LOGS // (KILLS + 1)


def killer(server: Server, phone: "Phone", stop: threading.Event, kills: list,
           errors: list, rng: random.Random):
    """Kills the server KILLS times, spread over the stream of logs, each at a random moment
    a few milliseconds after the phone passed the mark: often in the middle of a request."""
    try:
        for k in range(1, KILLS + 1):
            while phone.sent < kill_mark(k) and not stop.is_set():
                time.sleep(0.001)
            if stop.is_set():
                return
            time.sleep(rng.uniform(0, 0.02))
            server.kill()
            kills.append(time.monotonic())
            server.start()
    except BaseException as error:  # reported by the test, not lost in a thread
        errors.append(repr(error))


def wait_for_kills(count: int, kills: list, errors: list) -> None:
    """Holds the phone at a mark until the killer has caught up, so a slow restart on a busy
    machine cannot let the phone finish before every planned kill has happened."""
    deadline = time.monotonic() + 120
    while len(kills) < count and not errors and time.monotonic() < deadline:
        time.sleep(0.01)


def test_killing_the_server_mid_stream_loses_and_doubles_nothing(world, db_path):
    server = Server(db_path)
    server.start()
    stop, kills, errors, rng = threading.Event(), [], [], random.Random(11)
    try:
        phone = Phone(f"http://127.0.0.1:{server.port}")
        token = phone.sign_in(PEOPLE["operative"][0])
        chaos = threading.Thread(target=killer, args=(server, phone, stop, kills, errors, rng),
                                 daemon=True)
        chaos.start()
        sent = [str(uuid.uuid4()) for _ in range(LOGS)]
        marks = {kill_mark(k + 1): k for k in range(1, KILLS)}  # at mark k+1, kill k is done
        for index, client_id in enumerate(sent):
            if index in marks:
                wait_for_kills(marks[index], kills, errors)
            phone.send({"client_id": client_id, "visit_id": world.visits["today"],
                        "outcome": "completed", "distress": "none", "concerns": [],
                        "note": "Sent through a server that keeps being killed.",
                        "follow_up": ""}, token)
        wait_for_kills(KILLS, kills, errors)
        stop.set()
        chaos.join()
    finally:
        stop.set()
        server.kill()

    with sqlite3.connect(db_path) as check:
        stored = [row[0] for row in check.execute(
            "SELECT client_id FROM visit_logs WHERE note LIKE 'Sent through%'")]
        integrity = check.execute("PRAGMA integrity_check").fetchone()[0]
    lost, doubled = set(sent) - set(stored), len(stored) - len(set(stored))
    print(f"\nlogs sent {len(sent)}, stored {len(stored)}, lost {len(lost)}, doubled {doubled};"
          f" server killed {len(kills)} times; requests {phone.attempts}; resends answered"
          f" 'already stored' {phone.resent_after_store}; integrity {integrity}")
    assert not errors, f"the killer stopped early: {errors}"
    assert len(kills) == KILLS, "the server was not killed as planned: the test proved less"
    assert not lost and not doubled and len(stored) == len(sent)
    assert integrity == "ok"
