"""Alerts to the housing officer: raised by rules from logs, read and acted on in the inbox."""

from flask import Blueprint

bp = Blueprint("alerts", __name__)

from . import routes  # noqa: E402,F401  (routes register on bp)


@bp.app_context_processor
def inbox_counts() -> dict:
    """New alerts for the signed-in officer, shown in the navigation on every page."""
    from flask_login import current_user

    from ..db import get_db
    from .routes import open_counts

    if not current_user.is_authenticated or current_user.role not in ("officer", "admin"):
        return {}
    return {"inbox_counts": open_counts(get_db(), current_user.id)}
