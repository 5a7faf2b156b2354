"""A full disk: the database lives on a small filesystem that fills up. A log sent then gets a
clear "storage is full, nothing was saved" (507, which the outbox treats as "try again later"),
nothing is half-saved, and once there is room the same log is stored exactly once.

Needs permission to mount a small tmpfs (root, as in CI); skipped, saying so, without it.
"""

import os
import shutil
import sqlite3
import subprocess
import uuid

import pytest

from fieldapp import create_app

from pages import check_page
from support import PEOPLE, csrf_token_from, sign_in_quickly


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs",
                              str(mount_point)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs root): "
                    + mounted.stderr.decode().strip())
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def fill(disk, leave_bytes: int = 0) -> None:
    """Fill the filesystem, leaving about `leave_bytes` free."""
    free = shutil.disk_usage(disk).free - leave_bytes
    with open(disk / "filler", "wb") as filler:
        while free > 0:
            chunk = min(free, 64 * 1024)
            try:
                filler.write(b"\0" * chunk)
                filler.flush()
                os.fsync(filler.fileno())
            except OSError:
                break
            free -= chunk


def log_body(visit_id: int) -> dict:
    return {"client_id": str(uuid.uuid4()), "visit_id": visit_id, "outcome": "completed",
            "distress": "none", "concerns": [], "note": "Fitted the new valve. " * 20,
            "follow_up": ""}


def test_a_full_disk_refuses_a_log_plainly_and_keeps_nothing_half_saved(db_path, world,
                                                                        small_disk):
    path = small_disk / "fieldapp.db"
    shutil.copy(db_path, path)
    app = create_app({"FIELDAPP_DB": str(path)})
    operative = sign_in_quickly(app, PEOPLE["operative"][0])
    page = operative.get(f"/visits/{world.visits['today']}/log").get_data(as_text=True)
    token = csrf_token_from(page)
    fill(small_disk)
    body = log_body(world.visits["today"])

    refused = [operative.post("/api/logs", json=body, headers={"X-CSRFToken": token})
               for _ in range(3)]
    form = operative.post(f"/visits/{world.visits['today']}/log", data={
        "csrf_token": token, "client_id": str(uuid.uuid4()), "outcome": "completed",
        "distress": "none"})

    for response in refused:
        assert response.status_code == 507, response.status_code
        assert "Nothing you sent was saved" in response.get_json()["errors"]["request"]
    assert form.status_code == 507
    check_page(form.get_data(as_text=True))
    os.remove(small_disk / "filler")
    stored = operative.post("/api/logs", json=body, headers={"X-CSRFToken": token})
    assert stored.status_code == 201
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT count(*) FROM visit_logs WHERE client_id = ?",
                             (body["client_id"],)).fetchone()[0] == 1
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
