"""Residents (officer side): find, see, add and edit residents, and their private notes."""

from flask import Blueprint

bp = Blueprint("residents", __name__)

from . import routes  # noqa: E402,F401  (routes register on bp)
