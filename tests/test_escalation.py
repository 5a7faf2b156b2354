"""Escalation by the worker: an urgent alert nobody acknowledged goes to the duty users, once,
even when the worker dies mid-job and starts again."""

import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fieldapp.alerts import escalation  # noqa: F401  (registers the job handler)
from fieldapp.core import jobs

from support import csrf_token_from

FIELDAPP = str(Path(sys.executable).parent / "fieldapp")


@pytest.fixture
def urgent_alert(signed_in, db, world):
    """An urgent log by the Acme operative; the admin is on the duty rota."""
    db.execute("UPDATE users SET on_duty = 1 WHERE id = ?", (world.users["admin"],))
    client = signed_in("operative")
    token = csrf_token_from(client.get("/today").get_data(as_text=True))
    response = client.post("/api/logs", headers={"X-CSRFToken": token}, json={
        "client_id": str(uuid.uuid4()), "visit_id": world.visits["tomorrow"],
        "outcome": "stopped_distress", "distress": "significant", "concerns": []})
    assert response.status_code == 201
    while jobs.run_one(db):  # the push jobs queued with the alert are due at once
        pass
    return db.execute("SELECT id FROM alerts WHERE log_id = ? AND severity = 'urgent'",
                      (response.get_json()["id"],)).fetchone()["id"]


def later(minutes: int) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


def duty_alerts(db, alert_id: int) -> list:
    return db.execute("SELECT officer_id, reasons FROM alerts WHERE escalated_from = ?",
                      (alert_id,)).fetchall()


def test_urgent_alert_queues_its_escalation_for_after_the_window(urgent_alert, db):
    job = db.execute("SELECT * FROM jobs WHERE kind = 'escalate_alert'").fetchone()
    due = datetime.fromisoformat(job["run_after"])
    assert timedelta(minutes=29) < due - datetime.now(UTC) <= timedelta(minutes=30)
    assert not jobs.run_one(db, now=later(10))  # nothing is due yet


def test_unacknowledged_alert_goes_to_the_duty_users_after_the_window(urgent_alert, db, world):
    assert jobs.run_one(db, now=later(31))
    assert db.execute("SELECT escalated_at FROM alerts WHERE id = ?", (urgent_alert,)
                      ).fetchone()[0]
    rows = duty_alerts(db, urgent_alert)
    assert [r["officer_id"] for r in rows] == [world.users["admin"]]
    assert rows[0]["reasons"].startswith("Escalated, not yet acknowledged:")


def test_acknowledged_alert_is_not_escalated(urgent_alert, db):
    db.execute("UPDATE alerts SET status = 'acknowledged' WHERE id = ?", (urgent_alert,))
    assert jobs.run_one(db, now=later(31))
    assert duty_alerts(db, urgent_alert) == []


def test_a_worker_that_dies_mid_job_is_replaced_and_escalates_once(urgent_alert, db):
    claimed = jobs.claim(db, now=later(31))  # this worker is killed before finishing
    assert claimed is not None
    assert not jobs.run_one(db, now=later(32))  # the lease still holds
    assert jobs.run_one(db, now=later(34))  # lease expired: a new worker takes the job
    while jobs.run_one(db, now=later(35)):  # and the duty user's push
        pass
    assert len(duty_alerts(db, urgent_alert)) == 1
    assert db.execute("SELECT count(*) FROM jobs WHERE kind = 'escalate_alert' AND"
                      " done_at IS NULL").fetchone()[0] == 0


def test_the_worker_command_runs_due_jobs_after_a_restart(urgent_alert, db, db_path):
    db.execute("UPDATE jobs SET run_after = ?", (later(-1).isoformat(timespec="seconds"),))
    result = subprocess.run([FIELDAPP, "worker", "--once"], capture_output=True, text=True,
                            timeout=60, check=False,
                            env={**os.environ, "FIELDAPP_DB": str(db_path)})
    assert result.returncode == 0, result.stderr
    assert "Ran " in result.stdout  # the escalation, then the duty user's push
    assert len(duty_alerts(db, urgent_alert)) == 1


def test_a_failing_job_is_retried_later_with_its_error_kept(db):
    @jobs.handler("always_fails_for_test")
    def fail(_db, _payload, _now):
        raise RuntimeError("push service down")

    job_id = jobs.enqueue(db, "always_fails_for_test", {})
    assert jobs.run_one(db)
    row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
    assert row["done_at"] is None and "push service down" in row["last_error"]
    assert datetime.fromisoformat(row["run_after"]) > datetime.now(UTC)


def test_an_admin_puts_an_officer_on_the_duty_rota(signed_in, db, world):
    from admin_support import new_user_answers
    from support import post_form

    response = post_form(signed_in("admin"), "/admin/users/new", new_user_answers(
        world, role="officer", organisation_id=str(world.orgs["riverside"]), badge_number="",
        on_duty="y", email="duty@riverside.test"))
    assert response.status_code == 303
    assert db.execute("SELECT on_duty FROM users WHERE email = 'duty@riverside.test'"
                      ).fetchone()[0] == 1
    refused = post_form(signed_in("admin"), "/admin/users/new", new_user_answers(
        world, on_duty="y", email="op@acme.test"))
    assert refused.status_code == 422
    assert "Only officers and administrators can be on the duty rota" in refused.get_data(
        as_text=True)


@pytest.mark.parametrize("why", ["no officer", "officer's account disabled"])
def test_an_alert_with_no_active_officer_goes_to_the_duty_users_at_once(signed_in, db, world,
                                                                        why):
    """Nobody's inbox would show it otherwise: it must not wait 30 minutes to be seen."""
    db.execute("UPDATE users SET on_duty = 1 WHERE id = ?", (world.users["admin"],))
    if why == "no officer":
        db.execute("UPDATE residents SET officer_id = NULL")
    else:
        db.execute("UPDATE users SET active = 0 WHERE id = ?", (world.users["officer"],))
    client = signed_in("operative")
    token = csrf_token_from(client.get("/today").get_data(as_text=True))
    response = client.post("/api/logs", headers={"X-CSRFToken": token}, json={
        "client_id": str(uuid.uuid4()), "visit_id": world.visits["tomorrow"],
        "outcome": "stopped_unsafe", "distress": "none"})
    assert response.status_code == 201
    alert = db.execute("SELECT * FROM alerts WHERE log_id = ? AND escalated_from IS NULL",
                       (response.get_json()["id"],)).fetchone()
    assert alert["officer_id"] is None and alert["escalated_at"]
    rows = duty_alerts(db, alert["id"])
    assert [r["officer_id"] for r in rows] == [world.users["admin"]]
    assert rows[0]["reasons"] == "No officer is assigned to this resident: Visit stopped: unsafe"
    pushes = db.execute("SELECT payload FROM jobs WHERE kind = 'send_push'").fetchall()
    assert [json.loads(p["payload"])["user_id"] for p in pushes] == [world.users["admin"]]
