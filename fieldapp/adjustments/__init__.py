"""Adjustments (officer side): recorded once with consent, reviewed, withdrawn, never lost."""

from flask import Blueprint

bp = Blueprint("adjustments", __name__)
