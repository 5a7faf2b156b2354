"""Background jobs in the database: queued in the same transaction as what caused them, run by
`fieldapp worker`, never lost when the worker or the server restarts.

A worker claims a due job with a lease (UPDATE ... RETURNING). If it dies mid-job the lease
runs out and the job runs again: delivery is at least once, so every handler is safe to repeat.
"""

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fieldapp.core.db import transaction, utc_now

LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=1)
HANDLERS: dict[str, Callable] = {}


def handler(kind: str):
    def register(function):
        HANDLERS[kind] = function
        return function
    return register


def enqueue(db, kind: str, payload: dict, run_after: datetime | None = None) -> int:
    when = (run_after or datetime.now(UTC)).isoformat(timespec="seconds")
    return db.execute("INSERT INTO jobs (kind, payload, run_after, created_at) VALUES (?, ?, ?, ?)",
                      (kind, json.dumps(payload), when, utc_now())).lastrowid


def claim(db, now: datetime | None = None):
    now = now or datetime.now(UTC)
    stamp = now.isoformat(timespec="seconds")
    with transaction(db):
        return db.execute("""
            UPDATE jobs SET lease_until = ?, attempts = attempts + 1
            WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_after <= ?
                          AND (lease_until IS NULL OR lease_until < ?)
                        ORDER BY run_after, id LIMIT 1)
            RETURNING *""", ((now + LEASE).isoformat(timespec="seconds"), stamp, stamp)
        ).fetchone()


def run_one(db, now: datetime | None = None) -> bool:
    """Run the next due job, if any; True when one ran (or failed and was rescheduled)."""
    job = claim(db, now)
    if job is None:
        return False
    try:
        HANDLERS[job["kind"]](db, json.loads(job["payload"]), now or datetime.now(UTC))
    except Exception as error:  # noqa: BLE001  (any failure: record it, retry later)
        _reschedule(db, job, error)
    else:
        with transaction(db):
            db.execute("UPDATE jobs SET done_at = ?, lease_until = NULL WHERE id = ?",
                       (utc_now(), job["id"]))
    return True


def _reschedule(db, job, error: Exception) -> None:
    delay = min(timedelta(seconds=30 * 2 ** min(job["attempts"], 10)), MAX_BACKOFF)
    with transaction(db):
        db.execute("UPDATE jobs SET run_after = ?, lease_until = NULL, last_error = ?"
                   " WHERE id = ?", ((datetime.now(UTC) + delay).isoformat(timespec="seconds"),
                                     f"{type(error).__name__}: {error}"[:500], job["id"]))


def work(db, stop: Callable[[], bool], idle_seconds: float = 2.0) -> None:
    """The worker loop: run due jobs; sleep a little when there are none."""
    while not stop():
        if not run_one(db):
            time.sleep(idle_seconds)
