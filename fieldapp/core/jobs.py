"""Background jobs in the database: queued in the same transaction as what caused them, run by
`fieldapp worker`, never lost when the worker or the server restarts.

A worker claims a due job with a lease (UPDATE ... RETURNING): a due safety job first (a lone
worker's check-in steps, pushes about a lone worker, an urgent alert's pushes and escalation),
then the oldest due job of any kind. If it dies mid-job the lease runs out and the job runs
again: delivery is at least once, so every handler is safe to repeat.

A job that fails is tried again later, waiting longer each time, up to MAX_ATTEMPTS; then it
stops, marked failed, until an admin tries it again (the admin's jobs page). Finished jobs are
pruned after KEEP_DONE; failed ones are kept for the admin to see.
"""

import contextlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fieldapp.core.db import transaction, utc_now

LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=1)
# 30 s, 1, 2, 4, 8, 16, 32 min between tries: about an hour in all, long enough for a push
# service or a network to come back, short enough that a broken job is seen the same day.
MAX_ATTEMPTS = 8
KEEP_DONE = timedelta(days=30)
PRUNE_EVERY = timedelta(hours=1)
HANDLERS: dict[str, Callable] = {}
SAFETY_PREFIX = "checkin_"


def handler(kind: str):
    def register(function):
        HANDLERS[kind] = function
        return function
    return register


def enqueue(db, kind: str, payload: dict, run_after: datetime | None = None,
            safety: bool | None = None) -> int:
    """Queue a job. A safety job (by default, a lone worker's check-in steps: kinds starting
    SAFETY_PREFIX; the areas mark their own, such as an urgent alert's push) runs before any
    other that is due, however long those have waited."""
    when = _stamp(run_after or datetime.now(UTC))
    if safety is None:
        safety = kind.startswith(SAFETY_PREFIX)
    return db.execute("INSERT INTO jobs (kind, payload, run_after, created_at, safety)"
                      " VALUES (?, ?, ?, ?, ?)",
                      (kind, json.dumps(payload), when, utc_now(), int(safety))).lastrowid


# The next due job, not held by a worker's lease: the oldest due safety job if there is one
# (read from the small index of safety jobs not done, named so that the planner never reads
# every due job to find one), else the oldest due job of any kind.
_DUE = """SELECT id FROM jobs {index} WHERE done_at IS NULL AND {safety} failed_at IS NULL
            AND run_after <= :now AND (lease_until IS NULL OR lease_until < :now)
          ORDER BY run_after, id LIMIT 1"""
_SAFETY_DUE = _DUE.format(index="INDEXED BY jobs_safety_due", safety="safety = 1 AND")
CLAIM = f"""
    UPDATE jobs SET lease_until = :lease, attempts = attempts + 1
    WHERE id = coalesce(({_SAFETY_DUE}), ({_DUE.format(index="", safety="")}))
    RETURNING *"""


def claim(db, now: datetime | None = None):
    now = now or datetime.now(UTC)
    with transaction(db):
        return db.execute(CLAIM, {"lease": _stamp(now + LEASE), "now": _stamp(now)}).fetchone()


def run_one(db, now: datetime | None = None) -> bool:
    """Run the next due job, if any; True when one ran (or failed and was rescheduled)."""
    now = now or datetime.now(UTC)
    job = claim(db, now)
    if job is None:
        return False
    try:
        HANDLERS[job["kind"]](db, json.loads(job["payload"]), now)
    except Exception as error:  # noqa: BLE001  (any failure: record it, retry later)
        _reschedule(db, job, error, now)
    else:
        with transaction(db):
            db.execute("UPDATE jobs SET done_at = ?, lease_until = NULL WHERE id = ?",
                       (utc_now(), job["id"]))
    return True


def _reschedule(db, job, error: Exception, now: datetime) -> None:
    message = f"{type(error).__name__}: {error}"[:500]
    with transaction(db):
        if job["attempts"] >= MAX_ATTEMPTS:
            db.execute("UPDATE jobs SET failed_at = ?, lease_until = NULL, last_error = ?"
                       " WHERE id = ?", (_stamp(now), message, job["id"]))
            return
        delay = min(timedelta(seconds=30 * 2 ** (job["attempts"] - 1)), MAX_BACKOFF)
        db.execute("UPDATE jobs SET run_after = ?, lease_until = NULL, last_error = ?"
                   " WHERE id = ?", (_stamp(now + delay), message, job["id"]))


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def counts(db, now: datetime | None = None) -> dict[str, int]:
    """Jobs waiting to run, being run by a worker now, and stopped after failing."""
    stamp = _stamp(now or datetime.now(UTC))
    row = db.execute("""
        SELECT sum(failed_at IS NULL AND (lease_until IS NULL OR lease_until < ?)) AS queued,
               sum(failed_at IS NULL AND lease_until >= ?) AS running,
               sum(failed_at IS NOT NULL) AS failed
        FROM jobs WHERE done_at IS NULL""", (stamp, stamp)).fetchone()
    return {key: row[key] or 0 for key in ("queued", "running", "failed")}


def failed_jobs(db, limit: int = 100) -> list:
    return db.execute("SELECT id, kind, attempts, last_error, created_at, failed_at FROM jobs"
                      " WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id DESC LIMIT ?",
                      (limit,)).fetchall()


def retry(db, job_id: int, now: datetime | None = None) -> bool:
    """Queue a failed job again with a fresh set of attempts; False if it had not failed."""
    return db.execute("UPDATE jobs SET failed_at = NULL, attempts = 0, run_after = ?"
                      " WHERE id = ? AND failed_at IS NOT NULL",
                      (_stamp(now or datetime.now(UTC)), job_id)).rowcount == 1


def prune(db, now: datetime | None = None) -> int:
    """Forget jobs that finished more than KEEP_DONE ago; the number forgotten."""
    with transaction(db):
        return db.execute("DELETE FROM jobs WHERE done_at < ?",
                          (_stamp((now or datetime.now(UTC)) - KEEP_DONE),)).rowcount


def work(db, stop: Callable[[], bool], idle_seconds: float = 2.0) -> None:
    """The worker loop for one database."""
    work_every([(contextlib.nullcontext, db)], stop, idle_seconds)


def work_every(sites: list, stop: Callable[[], bool], idle_seconds: float = 2.0) -> None:
    """The worker loop over every landlord's database: one due job of each in turn, so a busy
    landlord never holds up another; a little sleep when none had work; prune hourly.
    A site is (a function giving the landlord app's context, its database)."""
    next_prune = datetime.now(UTC)
    while not stop():
        prune_now = datetime.now(UTC) >= next_prune
        ran = False
        for context, db in sites:
            with context():
                if prune_now:
                    prune(db)
                ran = run_one(db) or ran
        if prune_now:
            next_prune = datetime.now(UTC) + PRUNE_EVERY
        if not ran:
            time.sleep(idle_seconds)


def is_waiting(db, kind: str) -> bool:
    """True when a job of this kind is queued or running (not finished, not failed)."""
    return db.execute("SELECT 1 FROM jobs WHERE kind = ? AND done_at IS NULL"
                      " AND failed_at IS NULL LIMIT 1", (kind,)).fetchone() is not None
