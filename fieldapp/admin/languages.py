"""Admin: the languages residents may read their pages and messages in, with how much of each
catalogue is translated and how much a qualified translator has checked."""

from flask import render_template

from fieldapp.admin import bp
from fieldapp.admin.queries import languages_for_admin
from fieldapp.core.access import ADMIN_ROLES, roles
from fieldapp.core.db import get_db
from fieldapp.core.translation_status import language_status


@bp.get("/languages")
@roles(*ADMIN_ROLES)
def languages():
    rows = languages_for_admin(get_db())
    statuses = {row["code"]: language_status(row["code"]) for row in rows
                if row["pages_enabled"] and row["code"] != "en"}
    return render_template("admin/languages.html", languages=rows, statuses=statuses)
