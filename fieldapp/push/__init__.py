"""Web Push: VAPID keys, each device's subscription, and sending from the worker."""

from flask import Blueprint

bp = Blueprint("push", __name__)

from . import routes  # noqa: E402,F401  (routes register on bp)
