"""Continuous replication with the real Litestream to a real S3-compatible store (SeaweedFS on
loopback, started once for the suite): the config written from the app's settings, the status
read from the replica, a point-in-time restore, and the machine-loss drill (short here;
`bench/replication.py` runs it on a borough-sized database, figures in docs/reliability.md).
"""

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result

from fieldapp import create_app
from fieldapp.core.config import ConfigError
from fieldapp.core.replication import (
    Replica,
    ReplicationProblem,
    databases,
    litestream_binary,
    litestream_config,
    litestream_environment,
    parse_moment,
    restore,
)
from fieldapp.devdata import replication_drill
from fieldapp.devdata.objectstore import ObjectStore

from support import PASSWORD, PEOPLE

FIELDAPP = str(Path(sys.executable).parent / "fieldapp")


@pytest.fixture(scope="session")
def object_store(tmp_path_factory):
    store = ObjectStore(tmp_path_factory.mktemp("objectstore")).start()
    yield store
    store.stop()


def settings(store: ObjectStore, db: Path, instance: Path) -> dict:
    return {**os.environ, **store.environment(f"test-{uuid.uuid4().hex[:8]}"),
            "FIELDAPP_DB": str(db), "FIELDAPP_INSTANCE_PATH": str(instance),
            "FIELDAPP_ENV": "development", "FIELDAPP_REPLICA_SYNC_INTERVAL": "1s"}


def command(env: dict, *args) -> Result:
    """The real `fieldapp` command, run in this process (a new process takes seconds to
    start on a busy machine): its app reads its settings from `env`, as it would at a prompt."""
    overrides = {name: value for name, value in env.items() if name.startswith("FIELDAPP_")}
    app = create_app(overrides)
    with app.app_context():  # as the `fieldapp` entry point gives its commands
        return app.test_cli_runner().invoke(args=list(args))


def until(ready, timeout=120, what="it"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


REPLICA = Replica(bucket="fieldapp-backups", path="riverside", endpoint="http://127.0.0.1:9",
                  region="eu-west-2", access_key_id="key-id-7f3a", secret_access_key="secret-9c2e",
                  sync_interval="1s")


def test_the_config_gives_each_database_file_its_own_replica_path(tmp_path):
    files = [(str(tmp_path / "riverside.db"), "riverside"),
             (str(tmp_path / "northgate.db"), "northgate")]
    config = tmp_path / "litestream.yml"
    config.write_text(litestream_config(files, REPLICA))
    assert "secret-9c2e" not in config.read_text() and "key-id-7f3a" not in config.read_text()
    listed = subprocess.run([litestream_binary(), "databases", "-config", str(config)],
                            capture_output=True, text=True, timeout=60, check=True).stdout
    assert str(tmp_path / "riverside.db") in listed and str(tmp_path / "northgate.db") in listed
    with pytest.raises(Exception, match="its own replica path"):
        litestream_config([(files[0][0], "same"), (files[1][0], "same")], REPLICA)


def test_litestream_runs_with_its_keys_and_without_the_ca_bundle_variable():
    env = litestream_environment(REPLICA, {"AWS_CA_BUNDLE": "/etc/ssl/x.pem", "PATH": "/bin"})
    assert "AWS_CA_BUNDLE" not in env and env["PATH"] == "/bin"
    assert env["LITESTREAM_ACCESS_KEY_ID"] == "key-id-7f3a"
    assert env["LITESTREAM_SECRET_ACCESS_KEY"] == "secret-9c2e"


def test_the_config_command_writes_the_settings_from_the_environment(tmp_path):
    env = {**os.environ, "FIELDAPP_DB": str(tmp_path / "live.db"), "FIELDAPP_ENV": "development",
           "FIELDAPP_INSTANCE_PATH": str(tmp_path), "FIELDAPP_REPLICA_BUCKET": "borough",
           "FIELDAPP_REPLICA_PATH": "riverside", "FIELDAPP_REPLICA_ENDPOINT": "http://s3.test",
           "FIELDAPP_REPLICA_SYNC_INTERVAL": "2s"}
    text = command(env, "replication", "config").output
    for expected in (f'path: "{tmp_path / "live.db"}"', 'bucket: "borough"',
                     'path: "riverside"', 'endpoint: "http://s3.test"', "sync-interval: 2s"):
        assert expected in text
    missing = command(env, "replication", "status")
    assert missing.exit_code != 0
    assert "FIELDAPP_REPLICA_ACCESS_KEY_ID" in missing.output


def test_a_moment_is_read_in_local_time_unless_it_says_its_offset():
    now = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # British Summer Time: UTC+1
    assert parse_moment("09:05", now) == datetime(2026, 7, 1, 8, 5, tzinfo=UTC)
    assert parse_moment("2026-06-30 14:05", now) == datetime(2026, 6, 30, 13, 5, tzinfo=UTC)
    assert parse_moment("2026-06-30T14:05:00Z", now) == datetime(2026, 6, 30, 14, 5,
                                                                 tzinfo=UTC)
    with pytest.raises(ReplicationProblem, match="in the future"):
        parse_moment("14:05", now)
    with pytest.raises(ReplicationProblem, match="Enter the time like 14:05"):
        parse_moment("five past two", now)


def _audit(db: Path, marker: str, count: int) -> None:
    with sqlite3.connect(db, timeout=10) as conn:
        for n in range(count):
            conn.execute("INSERT INTO audit_log (at, action, record_type, record_id, address)"
                         " VALUES (datetime('now'), 'load', ?, ?, 'test')", (marker, n))
            conn.commit()


def _count(db: Path, marker: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM audit_log WHERE record_type = ?",
                            (marker,)).fetchone()[0]


def test_restoring_to_a_moment_keeps_what_was_written_before_it_and_nothing_after(
        object_store, db_path, tmp_path):
    env = settings(object_store, db_path, tmp_path)
    replicator = subprocess.Popen([FIELDAPP, "replication", "run"], env=env,
                                  start_new_session=True, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
    replica, [(live, replica_path)] = Replica.from_config(env), databases(env)
    checked = iter(range(10_000))

    def latest_has(marker, count):
        target = tmp_path / f"latest-{next(checked)}.db"
        try:
            restore(replica, live, replica_path, str(target))
        except ReplicationProblem:
            return False  # nothing replicated yet
        return _count(target, marker) == count

    try:
        _audit(db_path, "before", 5)
        until(lambda: latest_has("before", 5), what="the first rows reaching the replica")
        moment = datetime.now(UTC)
        time.sleep(0.05)  # the next rows are written strictly after the moment
        _audit(db_path, "after", 5)
        until(lambda: latest_has("after", 5), what="the later rows reaching the replica")
    finally:
        replicator.kill()
        replicator.wait()

    status = command(env, "replication", "status", "--max-age", "3600")
    assert status.exit_code == 0
    assert "up to transaction" in status.output and "s ago" in status.output
    assert command(env, "replication", "status", "--max-age", "0.001").exit_code == 1
    at_moment = tmp_path / "at-moment.db"
    restored = command(env, "replication", "restore", "--at", moment.isoformat(),
                       "--to", str(at_moment))
    assert "integrity ok" in restored.output, restored.output
    assert _count(at_moment, "before") == 5
    assert _count(at_moment, "after") == 0
    refused = command(env, "replication", "restore", "--at", moment.isoformat(),
                      "--to", str(at_moment))
    assert refused.exit_code != 0 and "exists already" in refused.output


def test_a_lost_machine_is_restored_from_object_storage_and_the_phones_resend_the_rest(
        object_store, db_path, world, tmp_path):
    figures = replication_drill.run(db_path, tmp_path / "drill", object_store,
                                    PEOPLE["operative"][0], PASSWORD, seconds=3, rate=20,
                                    workers=1)
    print(f"\n{figures}")
    assert "Integrity ok" in figures.drill_output
    assert "Serving fieldapp on" in figures.drill_output
    assert figures.acknowledged >= 15, "the phone was sending when the machine was lost"
    assert figures.restored > 0
    # A 1 s sync loses about a second (bench: docs/reliability.md); generous on a busy machine.
    assert figures.recovery_point_s < 10
    assert figures.integrity == "ok"
    assert figures.stored_once, "every log the phone wrote is stored exactly once"


def test_a_sync_interval_litestream_would_not_read_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("FIELDAPP_REPLICA_SYNC_INTERVAL", "every second")
    with pytest.raises(ConfigError, match="FIELDAPP_REPLICA_SYNC_INTERVAL must be a duration"):
        create_app()
