"""Web Push: VAPID keys, each device's subscription, and sending from the worker."""

from flask import Blueprint

bp = Blueprint("push", __name__)
