"""Several landlords on one service: one SQLite file each, chosen by the host name a request
came to.

The map lives in a TOML file named by FIELDAPP_LANDLORDS:

    [landlords."repairs.riverside.example"]
    db = "/var/lib/fieldapp/riverside.db"
    # base_url = "https://repairs.riverside.example"   (the default: https://<host>)

Each landlord is served by an app of its own (fieldapp.dispatch), made with the overrides
`app_config()` gives: its file, its web address, and a signing key derived from SECRET_KEY and
its host. So a session cookie, a caller token, a feedback link or any other signed link made
for one landlord does not verify for another, and everything kept in a file (sessions, push
subscriptions, jobs, sign-in lock-outs) stays with that landlord. With no map, the app serves
the one FIELDAPP_DB, as before.
"""

import hashlib
import hmac
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from fieldapp.core.config import ConfigError

MAP_VARIABLE = "FIELDAPP_LANDLORDS"
CHOSEN_VARIABLE = "FIELDAPP_LANDLORD"


@dataclass(frozen=True)
class Landlord:
    host: str
    db: str
    base_url: str


def configured() -> dict[str, Landlord]:
    """The landlords of this deployment by host name; empty when it serves one database."""
    path = os.environ.get(MAP_VARIABLE, "").strip()
    return read_map(Path(path)) if path else {}


def read_map(path: Path) -> dict[str, Landlord]:
    try:
        entries = tomllib.loads(path.read_text()).get("landlords")
    except (OSError, tomllib.TOMLDecodeError) as problem:
        raise ConfigError(f"{MAP_VARIABLE} names {path}, which could not be read: "
                          f"{problem}") from problem
    if not isinstance(entries, dict) or not entries:
        raise ConfigError(f"{path} lists no landlords: add a [landlords.\"<host>\"] table with"
                          " db = \"<file>\" for each.")
    landlords, files = {}, {}
    for host, entry in entries.items():
        landlord = _landlord(path, host, entry)
        if landlord.db in files:
            raise ConfigError(f"{path}: {host} and {files[landlord.db]} name the same database"
                              f" file {landlord.db}; each landlord needs a file of its own.")
        files[landlord.db] = host
        landlords[landlord.host] = landlord
    return landlords


def _landlord(path: Path, host: str, entry) -> Landlord:
    name = host.strip().lower()
    if not name or ":" in name or "/" in name:
        raise ConfigError(f"{path}: {host!r} is not a host name (no scheme, port or path).")
    if not isinstance(entry, dict) or not str(entry.get("db", "")).strip():
        raise ConfigError(f"{path}: landlord {host} has no db = \"<file>\".")
    db = str(Path(str(entry["db"])).expanduser().resolve())
    base_url = str(entry.get("base_url") or f"https://{name}").rstrip("/")
    return Landlord(host=name, db=db, base_url=base_url)


def host_name(host_header: str) -> str:
    """The host a request came to, without its port, as the map writes it."""
    host = host_header.strip().lower()
    if host.startswith("["):  # an IPv6 literal: [::1]:8000
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def signing_key(secret_key: str, host: str) -> str:
    """A key of the landlord's own, derived from the deployment's: what one landlord's app signs,
    no other landlord's app accepts."""
    return hmac.new(secret_key.encode(), f"fieldapp.landlord:{host}".encode(),
                    hashlib.sha256).hexdigest()


def app_config(landlord: Landlord, secret_key: str) -> dict:
    """The settings that make an app serve this landlord and nobody else."""
    return {"FIELDAPP_DB": landlord.db, "FIELDAPP_BASE_URL": landlord.base_url,
            "FIELDAPP_LANDLORD_HOST": landlord.host,
            "SECRET_KEY": signing_key(secret_key, landlord.host)}
