"""Background jobs end: a job that keeps failing stops after a set number of attempts and waits,
failed, where an admin sees it; finished jobs are pruned; `fieldapp jobs` counts them."""

import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fieldapp.core import jobs

from support import audit_refused, csrf_token_from

FIELDAPP = str(Path(sys.executable).parent / "fieldapp")
ATTEMPTS_SEEN = []


@jobs.handler("test_always_fails")
def always_fails(db, payload, now):
    ATTEMPTS_SEEN.append(payload["n"])
    raise ConnectionError("the other side did not answer")


@jobs.handler("test_succeeds")
def succeeds(db, payload, now):
    pass


def days_later(days: float) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


def run_until_idle(db) -> int:
    """Run jobs as a worker would while the hours pass, until none is due; how many ran."""
    runs, now = 0, datetime.now(UTC)
    while jobs.run_one(db, now=(now := now + timedelta(hours=2))):
        runs += 1
        assert runs < 100, "a job kept running"
    return runs


def failing_job(db, n: int = 1) -> int:
    return jobs.enqueue(db, "test_always_fails", {"n": n})


def test_a_job_that_keeps_failing_stops_after_the_maximum_attempts(db):
    job_id = failing_job(db)
    assert run_until_idle(db) == jobs.MAX_ATTEMPTS
    row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
    assert row["attempts"] == jobs.MAX_ATTEMPTS
    assert row["failed_at"] and row["done_at"] is None and row["lease_until"] is None
    assert row["last_error"] == "ConnectionError: the other side did not answer"
    assert not jobs.run_one(db, now=days_later(30))  # failed: never claimed again


def test_a_job_that_succeeds_after_failing_is_done_not_failed(db):
    job_id = jobs.enqueue(db, "test_succeeds", {})
    db.execute("UPDATE jobs SET attempts = ? WHERE id = ?", (jobs.MAX_ATTEMPTS - 1, job_id))
    assert run_until_idle(db) == 1
    row = db.execute("SELECT done_at, failed_at FROM jobs WHERE id = ?", (job_id,)).fetchone()
    assert row["done_at"] and row["failed_at"] is None


def test_counts_say_what_is_queued_running_and_failed(db):
    failing_job(db)
    run_until_idle(db)
    jobs.enqueue(db, "test_succeeds", {})
    jobs.enqueue(db, "test_succeeds", {})
    jobs.claim(db)  # a worker holds it now
    assert jobs.counts(db) == {"queued": 1, "running": 1, "failed": 1}


def test_finished_jobs_are_pruned_after_30_days_and_failed_ones_kept(db):
    old, recent = (jobs.enqueue(db, "test_succeeds", {}) for _ in range(2))
    db.execute("UPDATE jobs SET done_at = ? WHERE id = ?",
               (days_later(-31).isoformat(timespec="seconds"), old))
    db.execute("UPDATE jobs SET done_at = ? WHERE id = ?",
               (days_later(-29).isoformat(timespec="seconds"), recent))
    failed = failing_job(db)
    run_until_idle(db)
    db.execute("UPDATE jobs SET failed_at = ? WHERE id = ?",
               (days_later(-60).isoformat(timespec="seconds"), failed))
    assert jobs.prune(db) == 1
    assert [r["id"] for r in db.execute("SELECT id FROM jobs ORDER BY id")] == [recent, failed]


def test_the_admin_home_counts_failed_jobs_and_their_page_lists_them(db, signed_in):
    failing_job(db)
    run_until_idle(db)
    client = signed_in("admin")
    home = client.get("/admin/users").get_data(as_text=True)
    assert "1 background job has stopped after failing" in home
    page = client.get("/admin/jobs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Test always fails" in html and f"{jobs.MAX_ATTEMPTS} attempts" in html
    assert "ConnectionError" in html
    assert "the other side did not answer" not in html  # messages can name outside addresses


def test_the_admin_home_says_nothing_when_no_job_failed(signed_in):
    assert "background job" not in signed_in("admin").get("/admin/users").get_data(as_text=True)


def test_an_admin_can_try_a_failed_job_again(db, signed_in):
    job_id = failing_job(db)
    run_until_idle(db)
    client = signed_in("admin")
    token = csrf_token_from(client.get("/admin/jobs").get_data(as_text=True))
    response = client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": token})
    assert response.status_code == 303
    row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
    assert row["failed_at"] is None and row["attempts"] == 0
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'job_retried'"
                      " AND record_id = ?", (str(job_id),)).fetchone()[0] == 1
    assert run_until_idle(db) == jobs.MAX_ATTEMPTS  # it runs again, as many times


def test_trying_a_job_again_and_its_audit_share_a_transaction(app, db, signed_in):
    job_id = failing_job(db)
    run_until_idle(db)
    client = signed_in("admin")
    token = csrf_token_from(client.get("/admin/jobs").get_data(as_text=True))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with audit_refused(db):
        response = client.post(f"/admin/jobs/{job_id}/retry", data={"csrf_token": token})
    assert response.status_code == 500
    assert db.execute("SELECT failed_at FROM jobs WHERE id = ?", (job_id,)).fetchone()[0]


def test_a_job_that_has_not_failed_cannot_be_tried_again(db, signed_in):
    job_id = jobs.enqueue(db, "test_succeeds", {})
    client = signed_in("admin")
    token = csrf_token_from(client.get("/admin/jobs").get_data(as_text=True))
    assert client.post(f"/admin/jobs/{job_id}/retry",
                       data={"csrf_token": token}).status_code == 404


def test_fieldapp_jobs_prints_the_counts(db_path, db):
    failing_job(db)
    run_until_idle(db)
    jobs.enqueue(db, "test_succeeds", {})
    result = subprocess.run([FIELDAPP, "jobs"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "FIELDAPP_DB": str(db_path),
                                 "FIELDAPP_ENV": "development"}, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "Jobs: 1 queued, 0 running, 1 failed."


def due_pushes(db, count: int, since: datetime, kind: str = "test") -> None:
    """Pushes queued by one person over and over: each waits on a push service when it runs."""
    db.conn.executemany(
        "INSERT INTO jobs (kind, payload, run_after, created_at) VALUES (?, ?, ?, ?)",
        [("push_to_device", f'{{"user_id": 1, "kind": "{kind}", "url": "/", '
          f'"subscription_id": {n}}}', jobs._stamp(since + timedelta(seconds=n)), "now")
         for n in range(count)])


def officers_device(db, world) -> None:
    db.execute("INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)"
               " VALUES (?, 'https://push.example/notify/x', 'k', 'a', 'now')",
               (world.users["officer"],))


def the_next_two_jobs(app, db, now: datetime) -> list:
    """Runs a push's fan-out and its device's push (whichever jobs come first): what ran."""
    with app.app_context():
        assert jobs.run_one(db, now=now + timedelta(seconds=1))
        assert jobs.run_one(db, now=now + timedelta(seconds=1))
    return db.execute("SELECT kind, payload FROM jobs WHERE done_at IS NOT NULL ORDER BY id"
                      ).fetchall()


def test_a_due_check_in_escalation_runs_before_a_thousand_earlier_pushes(app, db):
    """The worker runs one job at a time: a lone worker's overrun is never held behind a
    queue of pushes, however many are due and however long they have waited."""
    from fieldapp.checkin import lone_worker  # noqa: F401  (registers the handlers)
    from fieldapp.push import sender  # noqa: F401

    now = datetime.now(UTC)
    due_pushes(db, 1000, since=now - timedelta(hours=1))
    overdue = jobs.enqueue(db, "checkin_overdue", {"checkin_id": 999_999, "due_at": "x"},
                           run_after=now - timedelta(minutes=1))
    later = jobs.enqueue(db, "checkin_duty", {"checkin_id": 999_999, "due_at": "x"},
                         run_after=now + timedelta(minutes=5))
    with app.app_context():
        assert jobs.run_one(db, now=now)
    done = [row[0] for row in db.execute("SELECT id FROM jobs WHERE done_at IS NOT NULL")]
    assert done == [overdue]
    with app.app_context():
        assert jobs.run_one(db, now=now)  # then the oldest push; the later step is not due
    assert db.execute("SELECT done_at FROM jobs WHERE id = ?", (later,)).fetchone()[0] is None
    assert db.execute("SELECT count(*) FROM jobs WHERE done_at IS NOT NULL AND kind ="
                      " 'push_to_device'").fetchone()[0] == 1


def test_a_lone_worker_push_goes_before_earlier_test_pushes(app, db, world):
    """A push about a lone worker (to the supervisor, or the operative's "Still OK?") is a
    safety job too, on its way to each device."""
    from fieldapp.push import sender

    now = datetime.now(UTC)
    due_pushes(db, 1000, since=now - timedelta(hours=1))
    officers_device(db, world)
    sender.queue_for_user(db, world.users["officer"], "lone_worker", "/team")
    done = the_next_two_jobs(app, db, now)
    assert [row["kind"] for row in done] == ["send_push", "push_to_device"]
    assert '"kind": "lone_worker"' in done[1]["payload"]


def test_an_urgent_alerts_push_goes_before_a_thousand_earlier_pushes(app, db, world,
                                                                     signed_in):
    """An urgent alert from a post-visit log (a resident at risk) reaches the officer's phone
    before any routine push that has waited longer, on its way to each device too."""
    from fieldapp.push import sender  # noqa: F401  (registers the handlers)

    now = datetime.now(UTC)
    due_pushes(db, 1000, since=now - timedelta(hours=1))
    officers_device(db, world)
    client = signed_in("operative")
    token = csrf_token_from(client.get("/today").get_data(as_text=True))
    assert client.post("/api/logs", headers={"X-CSRFToken": token}, json={
        "client_id": str(uuid.uuid4()), "visit_id": world.visits["tomorrow"],
        "outcome": "completed", "distress": "none", "concerns": ["domestic_abuse"]},
    ).status_code == 201
    done = the_next_two_jobs(app, db, now)
    assert [row["kind"] for row in done] == ["send_push", "push_to_device"]
    assert all('"kind": "urgent"' in row["payload"] for row in done)


def test_an_urgent_alerts_escalation_goes_before_a_thousand_earlier_pushes(app, db):
    """Nobody acknowledged it in time: its copy to the duty officers is not held behind a queue
    of pushes either."""
    from fieldapp.alerts import escalation

    now = datetime.now(UTC)
    due_pushes(db, 1000, since=now - timedelta(hours=1))
    with app.app_context():
        escalation.schedule(db, 999_999)
        assert jobs.run_one(db, now=now + escalation.window() + timedelta(minutes=1))
    done = [row[0] for row in db.execute("SELECT kind FROM jobs WHERE done_at IS NOT NULL")]
    assert done == ["escalate_alert"]


def test_migration_puts_queued_urgent_pushes_and_escalations_first(tmp_path):
    """Jobs queued before urgent alerts were safety jobs become so (a failed one too, should an
    admin try it again); routine ones, and jobs done, are left as they were."""
    from fieldapp.core import migrations
    from fieldapp.core.db import connect

    db = connect(str(tmp_path / "old.db"))
    name = next(m.name for m in migrations.migrations.pending(db)
                if m.name.endswith("_urgent_alerts_are_safety_jobs"))
    migrations.migrations.apply(db, stop_before=name)
    queued = [("push_to_device", '{"kind": "urgent", "subscription_id": 1}', None, None),
              ("send_push", '{"kind": "urgent", "user_id": 1}', None, None),
              ("escalate_alert", '{"alert_id": 1}', None, None),
              ("send_push", '{"kind": "reach_out", "user_id": 1}', None, None),
              ("send_push", '{"kind": "test", "user_id": 1}', None, None),
              ("send_push", '{"kind": "urgent", "user_id": 1}', "n", None),
              ("escalate_alert", '{"alert_id": 2}', None, "n")]
    db.conn.executemany("INSERT INTO jobs (kind, payload, run_after, created_at, done_at,"
                        " failed_at) VALUES (?, ?, 'n', 'n', ?, ?)", queued)
    migrations.apply(db)
    assert [row[0] for row in db.execute("SELECT safety FROM jobs ORDER BY id")] == [
        1, 1, 1, 0, 0, 0, 1]
    db.close()
