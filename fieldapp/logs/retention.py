"""Photos of the work are kept for the landlord's retention period (two years unless the
landlord changed it), then deleted by the worker. The date is set when a photo is stored.

A daily job deletes every photo past its date (its bytes; the row stays, marked, so the log
says photos were taken), audits each deletion, and queues itself for the next day. Deleting is
safe to repeat, so a job run twice after a restart changes nothing.
"""

from datetime import datetime, timedelta

from fieldapp.core import audit, jobs
from fieldapp.core.db import transaction
from fieldapp.logs.queries import delete_photo, photos_due_for_deletion

KIND = "delete_old_photos"
EVERY = timedelta(days=1)


def keep_scheduled(db, when: datetime | None = None) -> None:
    """Queue the daily deletion unless it is queued already. Call inside a transaction."""
    if not jobs.is_waiting(db, KIND):
        jobs.enqueue(db, KIND, {}, run_after=when)


@jobs.handler(KIND)
def delete_old_photos(db, _payload: dict, now: datetime) -> None:
    stamp = now.isoformat(timespec="seconds")
    while due := photos_due_for_deletion(db, stamp):
        with transaction(db):
            for photo_id in due:
                delete_photo(db, photo_id, stamp)
                audit.record("log_photo_deleted", "log_photo", photo_id, db=db)
    with transaction(db):
        # This run is still waiting until it returns: the next day's is queued regardless.
        jobs.enqueue(db, KIND, {}, run_after=now + EVERY)
