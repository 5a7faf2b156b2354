"""Storing a log exactly once: the client id is UNIQUE, checked in the same transaction.

First store: "created". The same client id with the same content: "replayed" (a resend from a
phone that never heard back). The same client id with other content: "conflict".
"""

from fieldapp.alerts.rules import raise_alerts
from fieldapp.core.db import query_all, query_one, transaction, utc_now
from fieldapp.logs.validation import LogInput


def store_log(db, visit, author_id: int, log: LogInput,
              amends: int | None = None) -> tuple[str, int]:
    """`amends`: the id of the author's earlier log of this visit that this one corrects."""
    with transaction(db):
        inserted = db.execute(
            "INSERT INTO visit_logs (client_id, visit_id, author_id, outcome, no_access_reason,"
            " distress, note, follow_up, payload_hash, created_at, amends_log_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_id) DO NOTHING",
            (log.client_id, visit["id"], author_id, log.outcome, log.no_access_reason,
             log.distress, log.note, log.follow_up, log.payload_hash(), utc_now(), amends))
        if inserted.rowcount == 0:
            existing = query_one(db, "SELECT id, visit_id, author_id, payload_hash FROM"
                                     " visit_logs WHERE client_id = ?", (log.client_id,))
            same = (existing["payload_hash"], existing["visit_id"], existing["author_id"]) == (
                log.payload_hash(), visit["id"], author_id)
            return ("replayed" if same else "conflict"), existing["id"]
        log_id = inserted.lastrowid
        db.conn.executemany("INSERT INTO log_concerns (log_id, concern) VALUES (?, ?)",
                            [(log_id, concern) for concern in log.concerns])
        earlier = stored_input(db, amends) if amends else None
        raise_alerts(db, log_id, visit, log, earlier)
    return "created", log_id


def stored_input(db, log_id: int) -> LogInput:
    row = query_one(db, "SELECT * FROM visit_logs WHERE id = ?", (log_id,))
    concerns = tuple(sorted(r["concern"] for r in query_all(
        db, "SELECT concern FROM log_concerns WHERE log_id = ?", (log_id,))))
    return LogInput(row["client_id"], row["outcome"], row["no_access_reason"], row["distress"],
                    concerns, row["note"], row["follow_up"])


def current_log(db, visit_id: int, author_id: int):
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
