"""Scheduling visits (officer side): book, edit, cancel, the schedule of works, CSV import."""

from flask import Blueprint

bp = Blueprint("schedule", __name__)

from . import import_routes, routes, steps  # noqa: E402,F401  (routes register on bp)
