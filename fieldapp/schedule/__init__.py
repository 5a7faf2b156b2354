"""Scheduling visits (officer side): book, edit, cancel, the schedule of works, CSV import."""

from flask import Blueprint

bp = Blueprint("schedule", __name__)
