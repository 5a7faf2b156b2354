"""The machine-loss drill: a phone posts logs at a steady rate through the real `/api/logs`
while `fieldapp replication run` (Litestream) copies the database to object storage; the app's
machine is then lost (every process SIGKILLed, the database folder deleted); the database is
restored from object storage into a new folder and the app served from it; the phone's outbox
sends again what the restored server lacks, and each log is stored once (client ids).

Run by `bench/replication.py` (a borough-sized database) and, short, by
`tests/test_replication.py`. Every figure it returns is measured, none assumed.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

from fieldapp.core.replication import Replica, databases, replicated_position
from fieldapp.devdata.objectstore import ObjectStore, free_port

FIELDAPP = str(Path(sys.executable).parent / "fieldapp")
NOTE = "Sent while the machine was lost."


def _env(db: Path, instance: Path, store: ObjectStore, replica_path: str, **extra) -> dict:
    return {**os.environ, **store.environment(replica_path), "FIELDAPP_DB": str(db),
            "FIELDAPP_INSTANCE_PATH": str(instance), "FIELDAPP_ENV": "development",
            "FIELDAPP_REPLICA_SYNC_INTERVAL": "1s", **extra}


def _until(ready, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s")


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()  # noqa: S310  (our loopback URL)
    except (OSError, urllib.error.URLError):
        return False
    return True


def serve(db: Path, env: dict, workers: int = 2,
          timeout: float = 120) -> tuple[subprocess.Popen, str]:
    """`fieldapp serve` (gunicorn) in its own process group; returns once it answers."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603  (our own command)
        [FIELDAPP, "serve", "--port", str(port), "--workers", str(workers), "--threads", "4"],
        env={**env, "FIELDAPP_DB": str(db)}, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    _until(lambda: _answers(f"{base}/login") or process.poll() is not None, timeout,
           "the app answering")
    if process.poll() is not None:
        raise AssertionError("the app stopped while starting")
    return process, base


def kill(process: subprocess.Popen | None) -> None:
    """SIGKILL, process group and all: nothing gets to finish or flush."""
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class Phone:
    """Keeps every log it wrote with its client id: sends each until a 2xx, as the outbox
    does, and remembers when each was acknowledged."""

    def __init__(self, email: str, password: str):
        self.email, self.password = email, password
        self.acknowledged: dict[str, float] = {}  # client id -> when (time.time())
        self.written: list[str] = []
        self.requests = self.resends_answered_stored = 0

    def connect(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()))
        page = self.opener.open(f"{base}/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
        form = urllib.parse.urlencode({"csrf_token": token, "email": self.email,
                                       "password": self.password}).encode()
        html = self.opener.open(f"{base}/login", data=form, timeout=10).read().decode()
        self.token = re.search(r'"X-CSRFToken": "([^"]+)"', html)[1]
        today = self.opener.open(f"{base}/today", timeout=10).read().decode()
        self.visit_id = int(re.findall(r'href="/visits/(\d+)"', today)[0])

    def send(self, client_id: str) -> bool:
        """One attempt; True when the server answered 2xx."""
        self.requests += 1
        body = {"client_id": client_id, "visit_id": self.visit_id, "outcome": "completed",
                "distress": "none", "concerns": [], "note": NOTE, "follow_up": ""}
        request = urllib.request.Request(  # noqa: S310  (our loopback URL)
            f"{self.base}/api/logs", data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", "X-CSRFToken": self.token})
        try:
            with self.opener.open(request, timeout=5) as response:
                self.resends_answered_stored += response.status == 200
                self.acknowledged.setdefault(client_id, time.time())
                return True
        except (OSError, urllib.error.URLError):
            return False

    def post_steadily(self, rate: float, stop: threading.Event) -> None:
        """A new log every 1/rate seconds until the first failure (the machine is gone)."""
        started = time.monotonic()
        while not stop.is_set():
            client_id = str(uuid.uuid4())
            self.written.append(client_id)
            if not self.send(client_id):
                return  # kept: sent again once the app is back
            due = started + len(self.written) / rate
            time.sleep(max(0.0, due - time.monotonic()))


@dataclass
class Figures:
    acknowledged: int = 0
    restored: int = 0
    missing: int = 0
    recovery_point_s: float = 0.0  # the oldest acknowledged log missing: how long before loss
    newest_missing_s: float | None = None  # the newest acknowledged log missing
    loss_to_serving_s: float = 0.0
    restore_s: float = 0.0
    database_mb: float = 0.0
    integrity: str = ""
    resent: int = 0
    stored_once: bool = False
    drill_output: str = ""
    timings: dict = field(default_factory=dict)


def run(source_db: Path, workdir: Path, store: ObjectStore, email: str, password: str,
        seconds: float = 4.0, rate: float = 20.0, replica_path: str | None = None,
        workers: int = 2) -> Figures:
    """The whole drill on a copy of source_db; returns the figures."""
    replica_path = replica_path or f"drill-{uuid.uuid4().hex[:8]}"
    machine, restored_folder = workdir / "machine", workdir / "restored"
    machine.mkdir(parents=True)
    db = machine / "fieldapp.db"
    with sqlite3.connect(source_db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
    figures = Figures(database_mb=db.stat().st_size / 1e6)
    env = _env(db, machine, store, replica_path)
    phone = Phone(email, password)
    clock = time.monotonic()

    def lap(name):
        nonlocal clock
        figures.timings[name] = round(time.monotonic() - clock, 1)
        clock = time.monotonic()

    replicator = subprocess.Popen(  # noqa: S603  (our own command)
        [FIELDAPP, "replication", "run"], env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = None
    try:
        server, base = serve(db, env, workers)
        lap("serve")
        phone.connect(base)
        lap("sign in")
        # The first full copy has reached the store before the drill's clock starts.
        _until(lambda: _replicated_anything(env), 300, "the first copy in object storage")
        lap("first copy")
        stop = threading.Event()
        poster = threading.Thread(target=phone.post_steadily, args=(rate, stop), daemon=True)
        poster.start()
        time.sleep(seconds)  # the steady stream of logs runs for this long
        # The machine is lost: nothing is stopped gracefully, and its disk is gone.
        lost_at = time.time()
        kill(server)
        kill(replicator)
        stop.set()
        shutil.rmtree(machine)
        poster.join(timeout=30)
        lap("posting and loss")
        lost_mono = time.monotonic()
        # One command restores, checks and serves: what an operator runs on the new machine.
        restored_db, port = restored_folder / "fieldapp.db", free_port()
        output = workdir / "restore-drill.txt"
        with output.open("w") as out:
            server = subprocess.Popen(  # noqa: S603  (our own command)
                [FIELDAPP, "replication", "restore-drill", "--to", str(restored_folder),
                 "--serve", "--port", str(port), "--workers", str(workers)],
                env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        _until(lambda: _answers(f"{base}/login") or server.poll() is not None, 600,
               "the app answering on the restored database")
        figures.loss_to_serving_s = time.monotonic() - lost_mono
        figures.drill_output = output.read_text()
        if server.poll() is not None:
            raise AssertionError(f"the restore drill failed: {figures.drill_output}")
        took = re.search(r" in ([0-9.]+) s,", figures.drill_output)
        figures.restore_s = float(took[1]) if took else 0.0
        lap("restore and serve")

        restored = _client_ids(restored_db)
        acknowledged = phone.acknowledged
        missing = {cid: at for cid, at in acknowledged.items() if cid not in restored}
        figures.acknowledged, figures.restored = len(acknowledged), len(
            restored & set(acknowledged))
        figures.missing = len(missing)
        if missing:  # an answer that came back as the machine died counts as at the loss
            figures.recovery_point_s = max(0.0, lost_at - min(missing.values()))
            figures.newest_missing_s = max(0.0, lost_at - max(missing.values()))

        # The phone comes back: everything it wrote that the server lacks is sent again.
        phone.connect(base)
        to_send = [cid for cid in phone.written if cid not in restored]
        for client_id in to_send:
            _until(lambda cid=client_id: phone.send(cid), 60, "a resend being accepted")
        figures.resent = len(to_send)
        lap("resend")
        stored = _client_ids(restored_db, counted=True)
        figures.stored_once = (set(stored) == set(phone.written)
                               and all(n == 1 for n in stored.values()))
        with sqlite3.connect(restored_db) as conn:
            figures.integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        kill(server)
        kill(replicator)
    return figures


def _replicated_anything(env: dict) -> bool:
    """Read from the object store, as `fieldapp replication status` does."""
    (db_path, replica_path), = databases(env)
    return replicated_position(Replica.from_config(env), db_path, replica_path) is not None


def _client_ids(db: Path, counted: bool = False):
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT client_id, count(*) FROM visit_logs WHERE note = ? "
                            "GROUP BY client_id", (NOTE,)).fetchall()
    return dict(rows) if counted else {row[0] for row in rows}
