"""Post-visit logs: the operative's record of how a visit went, stored exactly once."""

from flask import Blueprint

bp = Blueprint("logs", __name__)
