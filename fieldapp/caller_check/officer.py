"""Checking a caller by phone: an officer types the spoken code a resident reads out."""

import re

from flask import Blueprint, render_template, request
from flask_login import current_user

from fieldapp.caller_check.queries import callers_with_code
from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, roles
from fieldapp.core.db import get_db

bp = Blueprint("callers", __name__)


def normalise_code(typed: str) -> str | None:
    """Six digits, however they were typed ("482 913", "482-913"); None if not six digits."""
    digits = re.sub(r"[\s-]", "", typed or "")
    return digits if re.fullmatch(r"\d{6}", digits) else None


@bp.get("/check-caller")
@roles(*OFFICE_ROLES)
def check_caller():
    typed = request.args.get("code")
    if typed is None:
        return render_template("caller_check/check_spoken_code.html", typed="", error=None,
                               matches=None)
    code = normalise_code(typed)
    if code is None:
        return render_template("caller_check/check_spoken_code.html", typed=typed, matches=None,
                               error="Enter the 6-digit code, like 482 913"), 422
    db = get_db()
    matches = callers_with_code(db, current_user.landlord_id, code)
    audit.record("spoken_code_checked", "visit", "", db=db)
    return render_template("caller_check/check_spoken_code.html", typed=typed, error=None,
                           matches=matches)
