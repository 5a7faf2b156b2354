"""Passkeys: the WebAuthn credentials a person adds, the single-use challenges, and the two
ceremonies (py_webauthn) that register a passkey and check one.

The relying party is the configured base URL's host (FIELDAPP_BASE_URL): a passkey made for
`localhost` or `repairs.example.org` works only there. Browsers refuse WebAuthn on an IP
address, so the demo is served as `localhost` (docs/decisions.md).
"""

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_client_data_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from fieldapp.accounts.queries import USER_COLUMNS
from fieldapp.core.db import query_all, query_one, transaction, utc_now

# Long enough to find the phone and touch the sensor; a challenge is also spent by its first use.
CHALLENGE_LIFETIME = timedelta(minutes=5)
NOT_RECOGNISED = ("We did not recognise that passkey. Sign in with your email address and "
                  "password instead, then add a passkey from your account page.")


class PasskeyRefused(Exception):
    """A ceremony that did not prove who the person is; the message is for them. `passkey`
    is the stored passkey's row when a known one was refused (worth an audit row: a copied
    authenticator, a replayed answer)."""

    def __init__(self, message: str, passkey: sqlite3.Row | None = None):
        super().__init__(message)
        self.passkey = passkey


def relying_party() -> tuple[str, str]:
    """(rp id, origin) from the configured base URL: the host, and scheme://host[:port]."""
    parts = urlsplit(current_app.config["FIELDAPP_BASE_URL"])
    return parts.hostname or "", f"{parts.scheme}://{parts.netloc}"


def user_handle(user_id: int) -> bytes:
    """The opaque id the authenticator keeps beside the credential (no name or email)."""
    return str(user_id).encode()


def _challenge_hash(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


def _store_challenge(db, challenge: bytes, purpose: str, user_id: int | None) -> None:
    expires = datetime.now(UTC) + CHALLENGE_LIFETIME
    with transaction(db):
        db.execute("DELETE FROM passkey_challenges WHERE expires_at <= ?", (utc_now(),))
        db.execute("INSERT INTO passkey_challenges (challenge_hash, purpose, user_id, "
                   "expires_at) VALUES (?, ?, ?, ?)",
                   (_challenge_hash(challenge), purpose, user_id,
                    expires.isoformat(timespec="seconds")))


def _take_challenge(db, credential: dict, purpose: str, user_id: int | None) -> bytes:
    """The challenge the browser signed, spent now (committed before the signature is even
    checked, so no answer can be replayed), or PasskeyRefused if it was never ours, was
    for another purpose or person, was used already, or expired."""
    try:
        client_data = parse_client_data_json(
            _bytes(credential.get("response", {}).get("clientDataJSON")))
    except (WebAuthnException, ValueError, TypeError, AttributeError) as error:
        raise PasskeyRefused(NOT_RECOGNISED) from error
    with transaction(db):
        taken = query_one(db, "DELETE FROM passkey_challenges WHERE challenge_hash = ? "
                              "AND purpose = ? AND user_id IS ? AND expires_at > ? RETURNING 1",
                          (_challenge_hash(client_data.challenge), purpose, user_id, utc_now()))
    if taken is None:
        raise PasskeyRefused("That took too long or was already used. Try again.")
    return client_data.challenge


def _bytes(value) -> bytes:
    if not isinstance(value, str):
        raise ValueError("not base64url text")
    return base64url_to_bytes(value)


# The stored passkeys

def create_passkey(db, *, user_id: int, credential_id: str, public_key: bytes, sign_count: int,
                   name: str) -> int:
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO passkeys (user_id, credential_id, public_key, sign_count, name, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (user_id, credential_id, public_key, sign_count, name.strip(), utc_now()))
    return cursor.lastrowid


def passkeys_of_user(db, user_id: int) -> list[sqlite3.Row]:
    return query_all(db, "SELECT id, name, created_at, last_used_at FROM passkeys "
                         "WHERE user_id = ? ORDER BY created_at, id", (user_id,))


def passkey_of_user(db, passkey_id: int, user_id: int) -> sqlite3.Row | None:
    return query_one(db, "SELECT id, name FROM passkeys WHERE id = ? AND user_id = ?",
                     (passkey_id, user_id))


def has_passkey(db, user_id: int) -> bool:
    return query_one(db, "SELECT 1 FROM passkeys WHERE user_id = ? LIMIT 1",
                     (user_id,)) is not None


def remove_passkey(db, passkey_id: int, user_id: int) -> None:
    with transaction(db):
        db.execute("DELETE FROM passkeys WHERE id = ? AND user_id = ?", (passkey_id, user_id))


def record_use(db, passkey_id: int, sign_count: int) -> None:
    with transaction(db):
        db.execute("UPDATE passkeys SET sign_count = ?, last_used_at = ? WHERE id = ?",
                   (sign_count, utc_now(), passkey_id))


# Registering a passkey

def registration_options(db, user) -> str:
    """The options for `navigator.credentials.create()`, as JSON; the challenge is stored."""
    rp_id, _origin = relying_party()
    existing = query_all(db, "SELECT credential_id FROM passkeys WHERE user_id = ?", (user.id,))
    options = generate_registration_options(
        rp_id=rp_id, rp_name="fieldapp", user_id=user_handle(user.id), user_name=user.email,
        user_display_name=user.name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=_bytes(row["credential_id"]))
                             for row in existing])
    _store_challenge(db, options.challenge, "register", user.id)
    return options_to_json(options)


def check_registration(db, user_id: int, credential: dict):
    """The verified new credential (py_webauthn's VerifiedRegistration), or PasskeyRefused."""
    challenge = _take_challenge(db, credential, "register", user_id)
    rp_id, origin = relying_party()
    try:
        return verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id,
            expected_origin=origin, require_user_verification=True)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyRefused("This passkey could not be added. Try again.") from error


def credential_id_text(verified) -> str:
    return bytes_to_base64url(verified.credential_id)


# Checking a passkey: to sign in (any person's), or as an admin's second factor (theirs)

def authentication_options(db, purpose: str, user_id: int | None = None) -> str:
    """Options for `navigator.credentials.get()`, as JSON. Signing in names no one (the
    passkey says whose it is); the second factor lists the person's own passkeys."""
    rp_id, _origin = relying_party()
    allowed = [] if user_id is None else [
        PublicKeyCredentialDescriptor(id=_bytes(row["credential_id"]))
        for row in query_all(db, "SELECT credential_id FROM passkeys WHERE user_id = ?",
                             (user_id,))]
    options = generate_authentication_options(
        rp_id=rp_id, allow_credentials=allowed,
        user_verification=UserVerificationRequirement.REQUIRED)
    _store_challenge(db, options.challenge, purpose, user_id)
    return options_to_json(options)


def check_assertion(db, credential: dict, purpose: str, user_id: int | None = None):
    """(the passkey's row with its user's columns, the new signature count), or
    PasskeyRefused: unknown or removed passkey, another person's, a disabled account, a bad
    signature, or a signature count that did not go up (a copied authenticator)."""
    challenge = _take_challenge(db, credential, purpose, user_id)
    row = query_one(db, f"SELECT passkeys.id AS passkey_id, passkeys.public_key, "
                        f"passkeys.sign_count, {USER_COLUMNS} FROM passkeys "
                        "JOIN users ON users.id = passkeys.user_id "
                        "JOIN organisations ON organisations.id = users.organisation_id "
                        "WHERE passkeys.credential_id = ?", (str(credential.get("id", "")),))
    if row is None or not row["active"] or (user_id is not None and row["id"] != user_id):
        raise PasskeyRefused(NOT_RECOGNISED)
    handle = credential.get("response", {}).get("userHandle")
    try:
        other_person = bool(handle) and _bytes(handle) != user_handle(row["id"])
    except (ValueError, TypeError) as error:
        raise PasskeyRefused(NOT_RECOGNISED) from error
    if other_person:
        raise PasskeyRefused(NOT_RECOGNISED)
    rp_id, origin = relying_party()
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=row["public_key"],
            credential_current_sign_count=row["sign_count"], require_user_verification=True)
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyRefused(NOT_RECOGNISED, row) from error
    return row, verified.new_sign_count


def credential_from(body) -> dict | None:
    """The browser's credential from a JSON body ({"credential": {...}}), or None."""
    credential = body.get("credential") if isinstance(body, dict) else None
    if not isinstance(credential, dict) or not isinstance(credential.get("id"), str):
        return None
    return credential
