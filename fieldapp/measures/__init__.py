"""Measures for a landlord: waste (no access, repeats, cancellations) and resident experience
(feeling safe, listened to, in control), not just volumes. Charts are SVG drawn here."""

from flask import Blueprint

bp = Blueprint("measures", __name__)
