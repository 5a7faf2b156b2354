"""The VAPID key pair that signs our pushes, kept in the settings table (`fieldapp vapid`)."""

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02, b64urlencode

from fieldapp.core.db import transaction
from fieldapp.push import queries


def generate(db, replace: bool = False) -> str:
    """Make and store a key pair unless one exists; returns the public key for browsers."""
    if not replace and queries.vapid_private_pem(db) is not None:
        return public_key(db)
    vapid = Vapid02()
    vapid.generate_keys()
    with transaction(db):
        queries.save_vapid_private_pem(db, vapid.private_pem().decode())
    return public_key(db)


def signer(db) -> Vapid02 | None:
    pem = queries.vapid_private_pem(db)
    return Vapid02.from_pem(pem.encode()) if pem else None


def public_key(db) -> str | None:
    """The applicationServerKey a browser subscribes with: the raw P-256 point, base64url."""
    vapid = signer(db)
    if vapid is None:
        return None
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962,
                                        serialization.PublicFormat.UncompressedPoint)
    return b64urlencode(raw)
