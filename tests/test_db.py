"""The database: pragmas on every connection, migrations, catalogues seeded as data."""

import json
import re
from datetime import datetime

import pytest
import sqlite_utils

from fieldapp.core import catalogues, migrations
from fieldapp.core.db import connect, get_db, transaction, utc_now


def test_every_connection_uses_wal_foreign_keys_and_a_busy_timeout(app):
    with app.app_context():
        db = get_db()
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_migrations_build_a_new_database_and_are_idempotent(tmp_path):
    db = connect(str(tmp_path / "new.db"))
    migrations.apply(db)
    tables = set(db.table_names())
    assert {"organisations", "users", "audit_log", "adjustment_types", "visit_outcomes",
            "no_access_reasons", "distress_levels", "concern_categories"} <= tables
    applied = db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    migrations.apply(db)
    assert db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == applied
    assert migrations.migrations.pending(db) == []


@pytest.mark.parametrize(("table", "expected"), [
    ("adjustment_types", [code for code, *_ in catalogues.ADJUSTMENT_TYPES]),
    ("visit_outcomes", [code for code, *_ in catalogues.VISIT_OUTCOMES]),
    ("no_access_reasons", [code for code, _ in catalogues.NO_ACCESS_REASONS]),
    ("distress_levels", ["none", "some", "significant"]),
])
def test_catalogues_are_seeded_in_order(db, table, expected):
    order = "rank" if table == "distress_levels" else "sort_order"
    assert [r["code"] for r in db.execute(f"SELECT code FROM {table} ORDER BY {order}")] == expected


def test_adjustment_templates_name_only_their_own_parameters(db):
    for row in db.execute("SELECT code, instruction_template, parameters FROM adjustment_types"
                          " WHERE active = 1"):
        placeholders = set(re.findall(r"{(\w+)}", row["instruction_template"]))
        names = {p["name"] for p in json.loads(row["parameters"])}
        if row["code"] == "advocate_present":
            names.add("advocate")
        if row["code"] == catalogues.TIMING_TYPE:
            names.add("when")  # written from its times and days when it is saved
        assert placeholders <= names, row["code"]


def test_concerns_cover_every_domain_group(db):
    groups = {r["group_code"] for r in db.execute("SELECT group_code FROM concern_categories")}
    assert groups == {"adult_safeguarding", "child_safeguarding", "domestic_abuse",
                      "property_hazard", "welfare", "contact"}


def test_email_is_unique_whatever_its_case(db, world):
    with pytest.raises(sqlite_utils.db.sqlite3.IntegrityError):
        db.execute("INSERT INTO users (name, email, password_hash, role, organisation_id,"
                   " created_at, updated_at) VALUES ('X', 'ADMIN@RIVERSIDE.TEST', 'h', 'admin',"
                   " ?, 'now', 'now')", (world.orgs["riverside"],))


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlite_utils.db.sqlite3.IntegrityError):
        db.execute("INSERT INTO users (name, email, password_hash, role, organisation_id,"
                   " created_at, updated_at)"
                   " VALUES ('X', 'x@x.test', 'h', 'admin', 9999, 'n', 'n')")


def test_a_failed_transaction_writes_nothing(db):
    before = db.execute("SELECT count(*) FROM settings").fetchone()[0]
    with pytest.raises(RuntimeError), transaction(db):
        db.execute("INSERT INTO settings (key, value) VALUES ('a', 'b')")
        raise RuntimeError("stop")
    assert db.execute("SELECT count(*) FROM settings").fetchone()[0] == before


def test_timestamps_are_utc_iso_8601():
    stamp = datetime.fromisoformat(utc_now())
    assert stamp.utcoffset().total_seconds() == 0
