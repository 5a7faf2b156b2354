"""Backups with SQLite's online backup: a consistent copy while the app keeps writing, and a
restore that checks the copy before it replaces anything.

Used by `fieldapp backup PATH` and `fieldapp restore PATH` (docs/operations.md).
"""

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from fieldapp.core import migrations

# The tables whose row counts are printed, so an operator can compare a backup and a restore.
COUNTED = ("users", "residents", "adjustments", "visits", "visit_logs", "alerts", "audit_log")


class BackupProblem(Exception):
    """Something an operator must fix; the message says what."""


def backup(source: str, target: str) -> dict[str, int]:
    if Path(target).exists():
        raise BackupProblem(f"{target} exists already: choose a new file name for each backup.")
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        # One step: the copy is a single snapshot of the database, however busy the app is.
        live.backup(copy)
    return check(target)


def check(path: str) -> dict[str, int]:
    """A readable fieldapp database in good order, from this version or an older one."""
    if not Path(path).is_file():
        raise BackupProblem(f"There is no file at {path}.")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupProblem(f"{path} is damaged (integrity check failed).")
            applied = {row[0] for row in db.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = 'fieldapp'")}
            counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                      for table in COUNTED}
    except sqlite3.DatabaseError as error:
        raise BackupProblem(f"{path} is not a fieldapp database ({error}).") from error
    # Every migration this version knows: all of them are pending on an empty database.
    known = {migration.name for migration in migrations.migrations.pending(
        Database(memory=True))}
    if not applied or applied - known:
        raise BackupProblem(f"{path} comes from a newer or different fieldapp: "
                            "restore it with the version that made it.")
    return counts


def restore(backup_path: str, target: str, force: bool = False) -> dict[str, int]:
    counts = check(backup_path)
    if Path(target).exists() and not force:
        raise BackupProblem(f"{target} exists. Stop the app and the worker, keep a copy of it, "
                            "then run again with --force to replace it.")
    with sqlite3.connect(backup_path) as copy, sqlite3.connect(target) as live:
        # Written through SQLite, so the target's journal (WAL) stays consistent.
        copy.backup(live)
    return counts
