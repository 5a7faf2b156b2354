"""Pauses (officer side): a resident away in hospital, in crisis or staying elsewhere; their
visits wait, reminders stop, no-access does not count, and the officer checks in on return."""

from flask import Blueprint

bp = Blueprint("pauses", __name__)
