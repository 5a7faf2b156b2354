"""Admin: the languages residents may read their pages and messages in, with how much of each
catalogue is translated and how much a qualified translator has checked. An admin adds a
language to the list an officer picks from, and offers resident pages and messages in it once
its catalogue is complete (or stops offering it: residents then read English)."""

from flask import flash, redirect, render_template, url_for

from fieldapp.admin import bp
from fieldapp.admin.forms import LanguageForm
from fieldapp.admin.queries import (
    create_language,
    get_language,
    language_on_list,
    languages_for_admin,
    set_pages_offered,
)
from fieldapp.core import audit
from fieldapp.core.access import ADMIN_ROLES, found_or_404, roles
from fieldapp.core.db import get_db, transaction
from fieldapp.core.forms import render_form
from fieldapp.core.i18n import DEFAULT_LANGUAGE
from fieldapp.core.translation_status import language_status, not_ready_to_offer


@bp.get("/languages")
@roles(*ADMIN_ROLES)
def languages():
    return _languages_page()


def _languages_page(refused: dict[str, str] | None = None):
    """The list; `refused` says, beside a language, why what the admin asked was not done."""
    rows = languages_for_admin(get_db())
    statuses = {row["code"]: language_status(row["code"]) for row in rows
                if row["code"] != DEFAULT_LANGUAGE}
    return render_template("admin/languages.html", languages=rows, statuses=statuses,
                           refused=refused or {}), 422 if refused else 200


@bp.route("/languages/new", methods=["GET", "POST"])
@roles(*ADMIN_ROLES)
def new_language():
    db = get_db()
    form = LanguageForm()
    if _accepted(db, form):
        with transaction(db):
            code = create_language(db, code=form.code.data, name=form.name.data,
                                   autonym=form.autonym.data, direction=form.direction.data)
            audit.record("language_added", "language", code, db=db)
        flash(f"{form.name.data} is added. Officers can choose it as a resident's language "
              "now. Resident pages are offered in it once it is translated.", "success")
        return redirect(url_for("admin.languages"), code=303)
    return render_form("admin/language_form.html", form)


@bp.post("/languages/<code>/offer")
@roles(*ADMIN_ROLES)
def offer_language(code: str):
    db = get_db()
    language = found_or_404(get_language(db, code))
    missing = None if code == DEFAULT_LANGUAGE else not_ready_to_offer(code, language["name"])
    if missing:
        return _languages_page({code: missing})
    with transaction(db):
        set_pages_offered(db, code, True)
        audit.record("language_offered", "language", code, db=db)
    flash(f"Resident pages and messages are offered in {language['name']}.", "success")
    return redirect(url_for("admin.languages"), code=303)


@bp.post("/languages/<code>/stop")
@roles(*ADMIN_ROLES)
def stop_language(code: str):
    db = get_db()
    language = found_or_404(get_language(db, code))
    if code == DEFAULT_LANGUAGE:
        return _languages_page({code: "English cannot be stopped: every page is written in "
                                      "English first, and other languages fall back to it."})
    with transaction(db):
        set_pages_offered(db, code, False)
        audit.record("language_stopped", "language", code, db=db)
    flash(f"Resident pages and messages are no longer offered in {language['name']}. "
          "Residents who read it now get English.", "success")
    return redirect(url_for("admin.languages"), code=303)


def _accepted(db, form: LanguageForm) -> bool:
    """Every check runs, so the error summary lists every problem at once."""
    if not form.is_submitted():
        return False
    form.validate()
    for field in (form.code, form.name):
        if field.data and not field.errors:
            taken = language_on_list(db, field.data, "") if field is form.code else \
                language_on_list(db, "", field.data)
            if taken:
                field.errors.append(f"{taken['name']} ({taken['code']}) is already on the list")
    return not form.errors
