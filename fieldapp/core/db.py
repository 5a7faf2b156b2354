"""The SQLite connection: one per server thread, reused by its requests; the same pragmas on
every connection."""

import contextlib
import os
import sqlite3
import threading
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


# A new connection reads the whole schema on its first query (about 1 ms here, as much as
# rendering a page), so each server thread keeps one. It is replaced when the app points at
# another file or the file was replaced (a restore), and left with no transaction open.
_per_thread = threading.local()


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _thread_connection(path: str, busy_timeout_ms: int) -> sqlite_utils.Database:
    key = (path, busy_timeout_ms, _file_identity(path))
    cached = getattr(_per_thread, "cached", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    if cached is not None:
        cached[1].close()
    db = connect(path, busy_timeout_ms)
    # Identified after connecting: a new database file exists only once SQLite has made it.
    _per_thread.cached = ((path, busy_timeout_ms, _file_identity(path)), db)
    return db


def get_db() -> sqlite_utils.Database:
    if "db" not in g:
        g.db = _thread_connection(current_app.config["FIELDAPP_DB"],
                                  current_app.config.get("FIELDAPP_BUSY_TIMEOUT_MS",
                                                         BUSY_TIMEOUT_MS))
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """End of a request: the connection stays for the thread's next request, never with a
    transaction left open (a failed request's is rolled back)."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


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
