"""Post-visit logs: the operative's record of how a visit went, stored exactly once."""

from flask import Blueprint

bp = Blueprint("logs", __name__)

from . import routes  # noqa: E402,F401  (routes register on bp)
