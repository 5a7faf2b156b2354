"""Signed caller tokens: the token in an ID card's QR code and the 6-digit spoken code.

A token names a visit, an operative and the visit's day, signed with the app's key. Whether it
still confirms anyone is decided from the database when it is checked (caller_check.queries).
"""

import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from itsdangerous import URLSafeSerializer

TOKEN_SALT = "fieldapp.verify-caller.v1"  # noqa: S105  (a salt, not a secret)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def read_token(token: str) -> tuple[int, int, str]:
    """The visit, operative and day a token names; BadSignature, ValueError or TypeError if it
    was not made here."""
    visit_id, operative_id, day = _serializer().loads(token)
    return visit_id, operative_id, day


def make_token(visit_id: int, operative_id: int, day: str) -> str:
    return _serializer().dumps([visit_id, operative_id, day])


def spoken_code(visit_id: int, operative_id: int, day: str) -> str:
    """Six digits a resident can read out on the phone; valid for this visit on this day only."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"spoken:{visit_id}:{operative_id}:{day}".encode(), hashlib.sha256)
    return f"{int.from_bytes(digest.digest()[:8], 'big') % 1_000_000:06d}"


def margin() -> timedelta:
    return timedelta(minutes=current_app.config["FIELDAPP_VERIFY_MARGIN_MINUTES"])
