"""Signed links for health and support partners: each names one partner of one landlord, has
its own salt, and is checked against the database when opened, so a stopped link stops."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from fieldapp.pauses import queries

SALT = "fieldapp.partner-link.v1"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make(link_id: int) -> str:
    return _serializer().dumps(link_id)


def link_for(db, token: str):
    """The partner link a token names, or None for a token that is not ours."""
    try:
        link_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(link_id, int):
        return None
    return queries.partner_link(db, link_id)
