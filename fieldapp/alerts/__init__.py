"""Alerts to the housing officer: raised by rules from logs, read and acted on in the inbox."""

from flask import Blueprint

bp = Blueprint("alerts", __name__)

from . import routes  # noqa: E402,F401  (routes register on bp)
