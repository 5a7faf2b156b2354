"""All the SQL of post-visit logs: the one place a log (and its concerns) is inserted, and the
reads of stored logs. store.py beside it holds the rule for storing a log exactly once."""

import sqlite3

from fieldapp.core.db import query_all, query_one


def create_log(db, *, client_id: str, visit_id: int, author_id: int, outcome: str,
               distress: str, payload_hash: str, created_at: str,
               no_access_reason: str | None = None, note: str = "", follow_up: str = "",
               amends_log_id: int | None = None, concerns=(), log_id: int | None = None
               ) -> int | None:
    """The visit_logs row and its log_concerns; the new log's id, or None when a log with this
    client id exists already (nothing is written then). `log_id` only for bulk data that
    numbers its own rows."""
    inserted = db.execute(
        "INSERT INTO visit_logs (id, client_id, visit_id, author_id, outcome, no_access_reason,"
        " distress, note, follow_up, payload_hash, created_at, amends_log_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id) DO NOTHING",
        (log_id, client_id, visit_id, author_id, outcome, no_access_reason, distress, note,
         follow_up, payload_hash, created_at, amends_log_id))
    if inserted.rowcount == 0:
        return None
    new_id = inserted.lastrowid
    if concerns:
        db.conn.executemany("INSERT INTO log_concerns (log_id, concern) VALUES (?, ?)",
                            [(new_id, concern) for concern in concerns])
    return new_id


def log_by_client_id(db, client_id: str) -> sqlite3.Row | None:
    return query_one(db, "SELECT id, visit_id, author_id, payload_hash FROM visit_logs"
                         " WHERE client_id = ?", (client_id,))


def log_with_concerns(db, log_id: int) -> tuple[sqlite3.Row, tuple[str, ...]]:
    """A stored log and its concern codes, sorted."""
    row = query_one(db, "SELECT * FROM visit_logs WHERE id = ?", (log_id,))
    concerns = tuple(sorted(r["concern"] for r in query_all(
        db, "SELECT concern FROM log_concerns WHERE log_id = ?", (log_id,))))
    return row, concerns


def log_for_author(db, log_id: int | None, visit_id: int, author_id: int) -> sqlite3.Row | None:
    """One of this author's logs of this visit, or None."""
    return query_one(db, "SELECT * FROM visit_logs WHERE id = ? AND visit_id = ? AND"
                         " author_id = ?", (log_id, visit_id, author_id))


def current_log(db, visit_id: int, author_id: int) -> sqlite3.Row | None:
    """The author's latest version of their log of this visit, or None."""
    return query_one(db, """
        SELECT * FROM visit_logs WHERE visit_id = ? AND author_id = ?
          AND NOT EXISTS (SELECT 1 FROM visit_logs AS newer
                          WHERE newer.amends_log_id = visit_logs.id)
        ORDER BY id DESC LIMIT 1""", (visit_id, author_id))


def log_summary(db, log_id: int) -> dict:
    """What the API answers for a stored log, the same on every resend."""
    row = query_one(db, "SELECT id, client_id, visit_id, created_at FROM visit_logs WHERE id = ?",
                    (log_id,))
    alerts = query_all(db, "SELECT severity FROM alerts WHERE log_id = ? ORDER BY id", (log_id,))
    return {"id": row["id"], "client_id": row["client_id"], "visit_id": row["visit_id"],
            "created_at": row["created_at"], "alerts": [a["severity"] for a in alerts]}


LOG_HISTORY = """
    SELECT visit_logs.id, visit_logs.visit_id, visit_logs.created_at, visit_logs.outcome,
           visit_logs.no_access_reason, visit_logs.distress, visit_logs.note,
           visit_logs.follow_up, visit_logs.amends_log_id, users.name AS author_name,
           visits.trade, visits.job_ref, visits.starts_at,
           EXISTS (SELECT 1 FROM visit_logs AS newer
                   WHERE newer.amends_log_id = visit_logs.id) AS replaced,
           (SELECT group_concat(concern) FROM log_concerns
            WHERE log_concerns.log_id = visit_logs.id) AS concern_codes
    FROM visit_logs
    JOIN users ON users.id = visit_logs.author_id
    JOIN visits ON visits.id = visit_logs.visit_id
"""


def logs_of_visit(db, visit_id: int) -> list[sqlite3.Row]:
    """Every log of a visit, every version, newest first: the officer's record of it."""
    return query_all(db, LOG_HISTORY + " WHERE visit_logs.visit_id = ?"
                     " ORDER BY visit_logs.created_at DESC, visit_logs.id DESC", (visit_id,))


def logs_of_resident(db, resident_id: int, limit: int = 50) -> list[sqlite3.Row]:
    """The resident's log history, newest first (the most recent `limit`)."""
    return query_all(db, LOG_HISTORY + " WHERE visits.resident_id = ?"
                     " ORDER BY visit_logs.created_at DESC, visit_logs.id DESC LIMIT ?",
                     (resident_id, limit))


# ---- Photos of the work ----

def create_log_photo(db, *, log_id: int, position: int, content_type: str, width: int,
                     height: int, size: int, sha256: str, created_at: str, delete_after: str,
                     chunks) -> int:
    """A photo's row, then its bytes one chunk at a time (never the whole photo at once)."""
    photo_id = db.execute(
        "INSERT INTO log_photos (log_id, position, content_type, width, height, size, sha256,"
        " created_at, delete_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (log_id, position, content_type, width, height, size, sha256, created_at,
         delete_after)).lastrowid
    for seq, chunk in enumerate(chunks):
        db.execute("INSERT INTO log_photo_chunks (photo_id, seq, data) VALUES (?, ?, ?)",
                   (photo_id, seq, chunk))
    return photo_id


def photo_retention_days(db, visit_id: int) -> int:
    """How long the visit's landlord keeps photos of the work, in days."""
    row = query_one(db, """
        SELECT landlord.photo_retention_days FROM visits
        JOIN residents ON residents.id = visits.resident_id
        JOIN organisations AS landlord ON landlord.id = residents.landlord_id
        WHERE visits.id = ?""", (visit_id,))
    return row["photo_retention_days"]


def photos_of_logs(db, log_ids) -> dict[int, list[sqlite3.Row]]:
    """Each log's photos, in the order they were taken, deleted ones included (marked)."""
    ids = list(log_ids)
    if not ids:
        return {}
    rows = query_all(db, f"""
        SELECT id, log_id, position, width, height, size, created_at, delete_after, deleted_at
        FROM log_photos WHERE log_id IN ({",".join("?" * len(ids))})
        ORDER BY log_id, position""", ids)
    found: dict[int, list[sqlite3.Row]] = {}
    for row in rows:
        found.setdefault(row["log_id"], []).append(row)
    return found


PHOTO_ROW = """
    SELECT log_photos.id, log_photos.content_type, log_photos.size, log_photos.sha256,
           visit_logs.visit_id
    FROM log_photos
    JOIN visit_logs ON visit_logs.id = log_photos.log_id
    JOIN visits ON visits.id = visit_logs.visit_id
"""


def photo_for_landlord(db, visit_id: int, photo_id: int, landlord_id: int) -> sqlite3.Row | None:
    """A photo not yet deleted of one of this landlord's visits, or None."""
    return query_one(db, PHOTO_ROW + """
        JOIN residents ON residents.id = visits.resident_id
        WHERE log_photos.id = ? AND visits.id = ? AND residents.landlord_id = ?
          AND log_photos.deleted_at IS NULL""", (photo_id, visit_id, landlord_id))


def photo_for_operative(db, visit_id: int, photo_id: int, operative_id: int
                        ) -> sqlite3.Row | None:
    """A photo not yet deleted of a visit this operative attends, or None."""
    return query_one(db, PHOTO_ROW + """
        JOIN visit_operatives ON visit_operatives.visit_id = visits.id
             AND visit_operatives.user_id = ?
        WHERE log_photos.id = ? AND visits.id = ? AND log_photos.deleted_at IS NULL""",
        (operative_id, photo_id, visit_id))


def photo_chunks(db, photo_id: int):
    """The photo's bytes, a chunk at a time, read as they are sent."""
    seq = -1
    while True:
        row = query_one(db, "SELECT seq, data FROM log_photo_chunks WHERE photo_id = ?"
                            " AND seq > ? ORDER BY seq LIMIT 1", (photo_id, seq))
        if row is None:
            return
        seq = row["seq"]
        yield row["data"]


def photos_due_for_deletion(db, now: str, limit: int = 500) -> list[int]:
    return [row["id"] for row in query_all(
        db, "SELECT id FROM log_photos WHERE deleted_at IS NULL AND delete_after <= ?"
            " ORDER BY delete_after LIMIT ?", (now, limit))]


def delete_photo(db, photo_id: int, now: str) -> None:
    """The photo's bytes go; its row stays, marked, so the log still says a photo was taken."""
    db.execute("DELETE FROM log_photo_chunks WHERE photo_id = ?", (photo_id,))
    db.execute("UPDATE log_photos SET deleted_at = ? WHERE id = ?", (now, photo_id))
