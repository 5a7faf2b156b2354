"""The SQLite connection: one per request on `g`, the same pragmas on every connection."""

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

import sqlite_utils
from flask import current_app, g

BUSY_TIMEOUT_MS = 5000


def connect(path: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite_utils.Database:
    # isolation_level=None: no implicit BEGIN, so `transaction()` controls every write
    # and can take the write lock up front with BEGIN IMMEDIATE.
    conn = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout_ms / 1000)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys=ON")
    return sqlite_utils.Database(conn)


def get_db() -> sqlite_utils.Database:
    if "db" not in g:
        g.db = connect(current_app.config["FIELDAPP_DB"],
                       current_app.config.get("FIELDAPP_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS))
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    db = g.pop("db", None)
    if db is not None:
        db.close()


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that holds the write lock from the start (no upgrade deadlocks).

    Nested use falls back to a savepoint through sqlite-utils' `atomic()`.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    else:
        db.execute("COMMIT")


def utc_now() -> str:
    """Now as UTC ISO-8601 with seconds, the one timestamp format stored in the database."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def query_one(db: sqlite_utils.Database, sql: str, params=()) -> sqlite3.Row | None:
    return db.execute(sql, params).fetchone()


def query_all(db: sqlite_utils.Database, sql: str, params=()) -> list[sqlite3.Row]:
    return db.execute(sql, params).fetchall()


def init_app(app) -> None:
    app.teardown_appcontext(close_db)
