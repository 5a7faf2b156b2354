"""Server-side sign-in sessions and the sign-in lock-out.

The cookie carries only a random token; the database decides whether it is still valid, so
signing out, disabling a user or changing a password ends a session everywhere, at once.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app

from fieldapp.accounts.queries import USER_COLUMNS, User
from fieldapp.core.db import query_one, transaction, utc_now


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db, user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    expires = now + current_app.config["PERMANENT_SESSION_LIFETIME"]
    with transaction(db):
        db.execute("DELETE FROM user_sessions WHERE user_id = ? AND expires_at <= ?",
                   (user_id, now.isoformat(timespec="seconds")))
        db.execute("INSERT INTO user_sessions (token_hash, user_id, created_at, expires_at) "
                   "VALUES (?, ?, ?, ?)",
                   (_token_hash(token), user_id, now.isoformat(timespec="seconds"),
                    expires.isoformat(timespec="seconds")))
    return token


def user_for_session(db, token: str) -> User | None:
    if not token:
        return None
    row = query_one(db, f"SELECT {USER_COLUMNS} FROM user_sessions "
                        "JOIN users ON users.id = user_sessions.user_id "
                        "JOIN organisations ON organisations.id = users.organisation_id "
                        "WHERE user_sessions.token_hash = ? AND user_sessions.expires_at > ? "
                        "AND users.active = 1",
                    (_token_hash(token), utc_now()))
    return User(row, token) if row else None


def end_session(db, token: str) -> None:
    with transaction(db):
        db.execute("DELETE FROM user_sessions WHERE token_hash = ?", (_token_hash(token),))


def _window_start() -> str:
    start = datetime.now(UTC) - current_app.config["LOGIN_LOCK_WINDOW"]
    return start.isoformat(timespec="seconds")


def sign_in_locked(db, email: str, address: str) -> bool:
    """True after too many failures for this email or from this address in the window.

    Counted whether or not the account exists, so the lock-out reveals nothing about accounts.
    """
    since = _window_start()
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    by_email = query_one(db, "SELECT count(*) AS n FROM login_failures "
                             "WHERE email = ? AND failed_at > ?", (email.strip(), since))["n"]
    if by_email >= limit:
        return True
    by_address = query_one(db, "SELECT count(*) AS n FROM login_failures "
                               "WHERE address = ? AND failed_at > ?", (address, since))["n"]
    return by_address >= limit


def record_sign_in_failure(db, email: str, address: str) -> None:
    old = (datetime.now(UTC) - timedelta(days=1)).isoformat(timespec="seconds")
    with transaction(db):
        db.execute("INSERT INTO login_failures (email, address, failed_at) VALUES (?, ?, ?)",
                   (email.strip()[:320], address, utc_now()))
        # Failures older than a day say nothing about a current attack; keep the table small.
        db.execute("DELETE FROM login_failures WHERE failed_at < ?", (old,))


def clear_sign_in_failures(db, email: str) -> None:
    with transaction(db):
        db.execute("DELETE FROM login_failures WHERE email = ?", (email.strip(),))
