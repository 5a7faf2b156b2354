"""Server-side sign-in sessions and the sign-in lock-out.

The cookie carries only a random token; the database decides whether it is still valid, so
signing out, disabling a user or changing a password ends a session everywhere, at once.
"""

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app

from fieldapp.accounts.queries import USER_COLUMNS, User
from fieldapp.core.db import query_one, transaction, utc_now


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db, user_id: int, second_factor: bool = False) -> str:
    """A new session; `second_factor` when it began with a passkey (an admin needs one)."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    expires = now + current_app.config["PERMANENT_SESSION_LIFETIME"]
    with transaction(db):
        db.execute("DELETE FROM user_sessions WHERE user_id = ? AND expires_at <= ?",
                   (user_id, now.isoformat(timespec="seconds")))
        db.execute("INSERT INTO user_sessions (token_hash, user_id, created_at, expires_at, "
                   "second_factor_at) VALUES (?, ?, ?, ?, ?)",
                   (_token_hash(token), user_id, now.isoformat(timespec="seconds"),
                    expires.isoformat(timespec="seconds"),
                    now.isoformat(timespec="seconds") if second_factor else None))
    return token


def user_for_session(db, token: str) -> User | None:
    if not token:
        return None
    row = query_one(db, f"SELECT {USER_COLUMNS}, user_sessions.second_factor_at "
                        "FROM user_sessions "
                        "JOIN users ON users.id = user_sessions.user_id "
                        "JOIN organisations ON organisations.id = users.organisation_id "
                        "WHERE user_sessions.token_hash = ? AND user_sessions.expires_at > ? "
                        "AND users.active = 1",
                    (_token_hash(token), utc_now()))
    return User(row, token) if row else None


def mark_second_factor(db, token: str) -> None:
    """This session has now used a passkey (checked by the caller)."""
    with transaction(db):
        db.execute("UPDATE user_sessions SET second_factor_at = ? WHERE token_hash = ?",
                   (utc_now(), _token_hash(token)))


def end_session(db, token: str) -> None:
    with transaction(db):
        db.execute("DELETE FROM user_sessions WHERE token_hash = ?", (_token_hash(token),))


def _window_start() -> str:
    start = datetime.now(UTC) - current_app.config["LOGIN_LOCK_WINDOW"]
    return start.isoformat(timespec="seconds")


@dataclass(frozen=True)
class SignInPause:
    """Why this sign-in is not tried now: "locked" (this email from this address, for the
    window) or "slow" (this address, for a few seconds), and for how many seconds."""

    kind: str
    seconds: int


def sign_in_pause(db, email: str, address: str) -> SignInPause | None:
    """None when this sign-in may be tried now.

    Counted per (email, address) pair, whether or not the account exists (so the answer says
    nothing about accounts): LOGIN_MAX_FAILURES for the pair in the window pauses that email
    from that address only. An address with many failures over any emails (LOGIN_ADDRESS_SLOW_AFTER,
    an office behind one NAT has many people) is slowed, never blocked: it waits
    LOGIN_ADDRESS_WAIT after its last failure. See docs/decisions.md.
    """
    config = current_app.config
    since = _window_start()
    by_pair = query_one(db, "SELECT count(*) AS n FROM login_failures WHERE email = ?"
                            " AND address = ? AND failed_at > ?",
                        (email.strip(), address, since))["n"]
    if by_pair >= config["LOGIN_MAX_FAILURES"]:
        return SignInPause("locked", int(config["LOGIN_LOCK_WINDOW"].total_seconds()))
    by_address = query_one(db, "SELECT count(*) AS n, max(failed_at) AS last FROM login_failures"
                               " WHERE address = ? AND failed_at > ?", (address, since))
    if by_address["n"] < config["LOGIN_ADDRESS_SLOW_AFTER"]:
        return None
    ready = datetime.fromisoformat(by_address["last"]) + config["LOGIN_ADDRESS_WAIT"]
    seconds = math.ceil((ready - datetime.now(UTC)).total_seconds())
    return SignInPause("slow", seconds) if seconds > 0 else None


def record_sign_in_failure(db, email: str, address: str) -> None:
    old = (datetime.now(UTC) - timedelta(days=1)).isoformat(timespec="seconds")
    with transaction(db):
        db.execute("INSERT INTO login_failures (email, address, failed_at) VALUES (?, ?, ?)",
                   (email.strip()[:320], address, utc_now()))
        # Failures older than a day say nothing about a current attack; keep the table small.
        db.execute("DELETE FROM login_failures WHERE failed_at < ?", (old,))


def clear_sign_in_failures(db, email: str, address: str) -> None:
    """After a sign-in that worked: this pair starts again; failures for the same email from
    other addresses still count there (the owner signing in does not reset a guesser)."""
    with transaction(db):
        db.execute("DELETE FROM login_failures WHERE email = ? AND address = ?",
                   (email.strip(), address))
