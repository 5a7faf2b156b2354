"""Adjustments (officer side): recorded once with consent, reviewed, withdrawn, never lost."""

from flask import Blueprint

bp = Blueprint("adjustments", __name__)

from . import routes  # noqa: E402,F401  (routes register on bp)
