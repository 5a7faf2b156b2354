"""Storing a log exactly once: the client id is UNIQUE, checked in the same transaction.

First store: "created". The same client id with the same content: "replayed" (a resend from a
phone that never heard back). The same client id with other content: "conflict". A new log of a
visit a colleague has logged already: "taken" (a visit has one log, the first sent).
"""

from datetime import UTC, datetime, timedelta

from fieldapp.alerts.rules import raise_alerts
from fieldapp.core import audit
from fieldapp.core.db import transaction, utc_now
from fieldapp.logs import retention
from fieldapp.logs.forms import LogInput
from fieldapp.logs.photos import ReadyPhoto
from fieldapp.logs.queries import (
    create_log,
    create_log_photo,
    log_by_client_id,
    log_with_concerns,
    photo_retention_days,
)
from fieldapp.messages import outbox
from fieldapp.operative.queries import log_of_visit


def store_log(db, visit, author_id: int, log: LogInput, amends: int | None = None,
              photos: list[ReadyPhoto] = ()) -> tuple[str, int]:
    """`amends`: the id of the author's earlier log of this visit that this one corrects.
    The log, its photos, its alerts and its audit row are written together or not at all: a
    log is on the server complete with its photos, or not yet."""
    with transaction(db):
        if log_by_client_id(db, log.client_id) is None:
            first = log_of_visit(db, visit["id"])
            if first is not None and first["author_id"] != author_id:
                return "taken", first["id"]
        log_id = create_log(
            db, client_id=log.client_id, visit_id=visit["id"], author_id=author_id,
            outcome=log.outcome, no_access_reason=log.no_access_reason, distress=log.distress,
            note=log.note, follow_up=log.follow_up, payload_hash=log.payload_hash(),
            created_at=utc_now(), amends_log_id=amends, concerns=log.concerns)
        if log_id is None:
            existing = log_by_client_id(db, log.client_id)
            same = (existing["payload_hash"], existing["visit_id"], existing["author_id"]) == (
                log.payload_hash(), visit["id"], author_id)
            return ("replayed" if same else "conflict"), existing["id"]
        earlier = stored_input(db, amends) if amends else None
        _store_photos(db, log_id, visit["id"], author_id, photos)
        raise_alerts(db, log_id, visit, log, earlier)
        outbox.queue_after_log(db, visit["id"], log.outcome)
        audit.record("visit_logged", "visit_log", log_id, user_id=author_id, db=db)
    return "created", log_id


def stored_input(db, log_id: int) -> LogInput:
    row, concerns = log_with_concerns(db, log_id)
    return LogInput(row["client_id"], row["outcome"], row["no_access_reason"], row["distress"],
                    concerns, row["note"], row["follow_up"])


def _store_photos(db, log_id: int, visit_id: int, author_id: int,
                  photos: list[ReadyPhoto]) -> None:
    if not photos:
        return
    now = datetime.now(UTC)
    delete_after = now + timedelta(days=photo_retention_days(db, visit_id))
    for position, photo in enumerate(photos, 1):
        create_log_photo(
            db, log_id=log_id, position=position, content_type="image/jpeg",
            width=photo.width, height=photo.height, size=photo.size, sha256=photo.sha256,
            created_at=now.isoformat(timespec="seconds"),
            delete_after=delete_after.isoformat(timespec="seconds"), chunks=photo.chunks())
    audit.record("log_photos_stored", "visit_log", log_id, user_id=author_id, db=db)
    retention.keep_scheduled(db)
