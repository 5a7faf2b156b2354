"""Alerts to the housing officer: raised by rules from logs, read and acted on in the inbox."""

from flask import Blueprint

bp = Blueprint("alerts", __name__)
