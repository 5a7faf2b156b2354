"""The VAPID key pair that signs our pushes, kept in the settings table (`fieldapp vapid`)."""

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02, b64urlencode

from fieldapp.core.db import query_one, transaction

PRIVATE_KEY = "vapid_private_pem"


def generate(db, replace: bool = False) -> str:
    """Make and store a key pair unless one exists; returns the public key for browsers."""
    if not replace and query_one(db, "SELECT 1 FROM settings WHERE key = ?", (PRIVATE_KEY,)):
        return public_key(db)
    vapid = Vapid02()
    vapid.generate_keys()
    with transaction(db):
        db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
                   " SET value = excluded.value", (PRIVATE_KEY, vapid.private_pem().decode()))
    return public_key(db)


def signer(db) -> Vapid02 | None:
    row = query_one(db, "SELECT value FROM settings WHERE key = ?", (PRIVATE_KEY,))
    return Vapid02.from_pem(row["value"].encode()) if row else None


def public_key(db) -> str | None:
    """The applicationServerKey a browser subscribes with: the raw P-256 point, base64url."""
    vapid = signer(db)
    if vapid is None:
        return None
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962,
                                        serialization.PublicFormat.UncompressedPoint)
    return b64urlencode(raw)
