"""Messages to residents: appointment messages and our apologies, by text, email, letter or a
phone call from the officer; sent by the worker, seen by the officer exactly as sent."""

from flask import Blueprint

bp = Blueprint("messages", __name__)
