"""Backups while the app writes, and restores that check before they replace anything: run
through the real `fieldapp` command on real database files."""

import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from support import make_demo_database

FIELDAPP = str(Path(sys.executable).parent / "fieldapp")


def fieldapp(db: Path, *args, check=True):
    result = subprocess.run([FIELDAPP, *args], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "FIELDAPP_DB": str(db),
                                 "FIELDAPP_ENV": "development"}, check=False)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
                for table in tables}


def test_a_backup_taken_while_the_app_writes_restores_exactly(tmp_path):
    live = Path(make_demo_database(tmp_path))
    stop, written = threading.Event(), []

    def keep_writing():
        with sqlite3.connect(live, timeout=10) as db:
            db.execute("PRAGMA journal_mode=WAL")
            while not stop.is_set():
                db.execute("INSERT INTO audit_log (at, action, record_type, record_id, address)"
                           " VALUES (datetime('now'), 'load', 'test', ?, 'test')",
                           (len(written),))
                db.commit()
                written.append(1)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        backup = tmp_path / "backup.db"
        result = fieldapp(live, "backup", str(backup))
        assert "integrity ok" in result.stdout
    finally:
        stop.set()
        writer.join()
    assert len(written) > 10, "the app was writing during the backup"
    copied = counts(backup)
    assert copied["audit_log"] < counts(live)["audit_log"]  # a snapshot from mid-way

    restored = tmp_path / "restored.db"
    result = fieldapp(restored, "restore", str(backup))
    assert f"Restored {backup}" in result.stdout
    assert counts(restored) == copied


def test_a_restore_checks_before_it_replaces_anything(tmp_path):
    live = Path(make_demo_database(tmp_path))
    before = counts(live)
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("not a database")
    newer = tmp_path / "newer.db"
    fieldapp(live, "backup", str(newer))
    with sqlite3.connect(newer) as db:
        db.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                   " VALUES ('fieldapp', 'm999_from_the_future', 'x')")
    good = tmp_path / "good.db"
    fieldapp(live, "backup", str(good))
    for path, message in [(tmp_path / "missing.db", "There is no file at"),
                          (not_a_database, "is not a fieldapp database"),
                          (newer, "comes from a newer or different fieldapp"),
                          (good, "exists. Stop the app and the worker")]:
        result = fieldapp(live, "restore", str(path), check=False)
        assert result.returncode != 0 and message in result.stderr, result.stderr
    assert counts(live) == before
    result = fieldapp(live, "backup", str(good), check=False)
    assert "exists already" in result.stderr
    assert "Restored" in fieldapp(live, "restore", str(good), "--force").stdout


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_backup_commands_are_named_in_the_operations_notes(command):
    notes = (Path(__file__).resolve().parents[1] / "docs" / "operations.md").read_text()
    assert f"fieldapp {command}" in notes
