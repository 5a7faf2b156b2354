"""User accounts and organisations: the queries behind sign-in and the admin pages."""

import sqlite3

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from fieldapp.core.access import ROLE_LABELS, ROLES
from fieldapp.core.db import query_all, query_one, transaction, utc_now

# Hashed once so that signing in with an unknown email costs the same time as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("not a real password", method="scrypt")

USER_COLUMNS = """
    users.id, users.name, users.email, users.role, users.organisation_id, users.badge_number,
    users.supervisor_phone, users.phone, users.active, users.on_duty, users.password_hash,
    users.attends_female_requests,
    organisations.name AS organisation_name, organisations.kind AS organisation_kind,
    organisations.landlord_id AS landlord_id,
    EXISTS (SELECT 1 FROM user_photos WHERE user_photos.user_id = users.id) AS has_photo
"""


class User(UserMixin):
    """A signed-in person. `get_id()` is the session token, so deleting it ends the session."""

    def __init__(self, row: sqlite3.Row, session_token: str = ""):
        self.id = row["id"]
        self.name = row["name"]
        self.email = row["email"]
        self.role = row["role"]
        self.organisation_id = row["organisation_id"]
        self.organisation_name = row["organisation_name"]
        self.organisation_kind = row["organisation_kind"]
        self.landlord_id = row["landlord_id"]
        self.badge_number = row["badge_number"]
        self.supervisor_phone = row["supervisor_phone"]
        self.session_token = session_token
        # Whether this session used a passkey: administrators need it (core.access). A Row's
        # `in` looks at values, so the keys are asked for.
        self.second_factor = bool("second_factor_at" in row.keys()  # noqa: SIM118
                                  and row["second_factor_at"])

    def get_id(self) -> str:
        return self.session_token

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def check_credentials(db, email: str, password: str) -> sqlite3.Row | None:
    """The active user with this email and password, or None; same work either way."""
    row = query_one(db, f"SELECT {USER_COLUMNS} FROM users JOIN organisations "
                        "ON organisations.id = users.organisation_id WHERE users.email = ?",
                    (email.strip(),))
    stored_hash = row["password_hash"] if row else _UNKNOWN_USER_HASH
    password_ok = check_password_hash(stored_hash, password)
    if row is None or not password_ok or not row["active"]:
        return None
    return row


def get_user(db, user_id: int) -> sqlite3.Row | None:
    return query_one(db, f"SELECT {USER_COLUMNS} FROM users JOIN organisations "
                         "ON organisations.id = users.organisation_id WHERE users.id = ?",
                     (user_id,))


def users_for_landlord(db, landlord_id: int) -> list[sqlite3.Row]:
    return query_all(db, f"SELECT {USER_COLUMNS} FROM users JOIN organisations "
                         "ON organisations.id = users.organisation_id "
                         "WHERE organisations.landlord_id = ? "
                         "ORDER BY users.active DESC, organisations.name, users.name",
                     (landlord_id,))


def email_taken(db, email: str, except_user_id: int | None = None) -> bool:
    row = query_one(db, "SELECT id FROM users WHERE email = ?", (email.strip(),))
    return row is not None and row["id"] != except_user_id


def create_user(db, *, name: str, email: str, password: str, role: str, organisation_id: int,
                badge_number: str = "", supervisor_phone: str = "", phone: str = "") -> int:
    if role not in ROLES:
        raise ValueError(f"Unknown role {role!r}")
    now = utc_now()
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO users (name, email, password_hash, role, organisation_id, badge_number, "
            "supervisor_phone, phone, active, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
            (name.strip(), email.strip(), hash_password(password), role, organisation_id,
             badge_number.strip(), supervisor_phone.strip(), phone.strip(), now, now))
    return cursor.lastrowid


def update_user(db, user_id: int, *, name: str, email: str, role: str, organisation_id: int,
                badge_number: str, supervisor_phone: str, phone: str = "") -> None:
    with transaction(db):
        db.execute(
            "UPDATE users SET name = ?, email = ?, role = ?, organisation_id = ?, "
            "badge_number = ?, supervisor_phone = ?, phone = ?, updated_at = ? WHERE id = ?",
            (name.strip(), email.strip(), role, organisation_id, badge_number.strip(),
             supervisor_phone.strip(), phone.strip(), utc_now(), user_id))


def set_on_duty(db, user_id: int, on_duty: bool) -> None:
    """On the duty rota, a user receives urgent alerts that nobody acknowledged in time."""
    with transaction(db):
        db.execute("UPDATE users SET on_duty = ? WHERE id = ?", (int(on_duty), user_id))


def set_attends_female_requests(db, user_id: int, attends: bool) -> None:
    """Whether the operative is booked where a resident asked for a female operative: an
    admin's mark, agreed with the operative; no gender is recorded."""
    with transaction(db):
        db.execute("UPDATE users SET attends_female_requests = ? WHERE id = ?",
                   (int(attends), user_id))


def set_password(db, user_id: int, password: str) -> None:
    with transaction(db):
        db.execute("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?",
                   (hash_password(password), utc_now(), user_id))
        # A new password ends every session: whoever knew the old one is signed out.
        db.execute("DELETE FROM user_sessions WHERE user_id = ?", (user_id,))


def set_active(db, user_id: int, active: bool) -> int:
    """Disabling ends every session and removes every passkey (a re-enabled person adds new
    ones); answers how many passkeys were removed."""
    removed = 0
    with transaction(db):
        db.execute("UPDATE users SET active = ?, updated_at = ? WHERE id = ?",
                   (int(active), utc_now(), user_id))
        if not active:
            db.execute("DELETE FROM user_sessions WHERE user_id = ?", (user_id,))
            removed = db.execute("DELETE FROM passkeys WHERE user_id = ?", (user_id,)).rowcount
    return removed


def save_photo(db, user_id: int, content_type: str, image: bytes) -> None:
    with transaction(db):
        db.execute(
            "INSERT INTO user_photos (user_id, content_type, image, updated_at) "
            "VALUES (?, ?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET content_type = excluded.content_type, "
            "image = excluded.image, updated_at = excluded.updated_at",
            (user_id, content_type, image, utc_now()))


def get_photo(db, user_id: int) -> sqlite3.Row | None:
    return query_one(db, "SELECT content_type, image, updated_at FROM user_photos "
                         "WHERE user_id = ?", (user_id,))
