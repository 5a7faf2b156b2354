"""Checking a caller by phone: an officer types the spoken code a resident reads out.

The code is POSTed: in an address it would sit in browser history, bookmarks and proxy logs,
where anyone could replay the look-up."""

from flask import Blueprint
from flask_login import current_user

from fieldapp.caller_check.forms import SpokenCodeForm
from fieldapp.caller_check.queries import callers_with_code
from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, roles
from fieldapp.core.db import get_db
from fieldapp.core.forms import render_form

bp = Blueprint("callers", __name__)
PAGE = "caller_check/check_spoken_code.html"


@bp.get("/check-caller")
@roles(*OFFICE_ROLES)
def check_caller():
    """The empty form; a code in the address is ignored, never looked up."""
    return render_form(PAGE, SpokenCodeForm(formdata=None), matches=None)


@bp.post("/check-caller")
@roles(*OFFICE_ROLES)
def look_up_caller():
    form = SpokenCodeForm()
    if not form.validate():
        return render_form(PAGE, form, matches=None)
    db = get_db()
    matches = callers_with_code(db, current_user.landlord_id, form.spoken_code)
    audit.record("spoken_code_checked", "visit", "", db=db)
    return render_form(PAGE, form, matches=matches)
