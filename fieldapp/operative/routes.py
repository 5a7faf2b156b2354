"""The operative's day: their visits today and tomorrow, each with its adjustments at a glance."""

from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user

from fieldapp.core.access import OPERATIVE_ROLES, roles
from fieldapp.core.catalogues import catalogue
from fieldapp.core.clock import today_local
from fieldapp.core.db import get_db
from fieldapp.operative.queries import visits_for_operative

bp = Blueprint("operative", __name__)


@bp.get("/today")
@roles(*OPERATIVE_ROLES)
def today():
    day = today_local()
    db = get_db()
    visits = visits_for_operative(db, current_user.id, day, with_cancelled=True)
    return render_template(
        "operative/today.html",
        today_visits=[v for v in visits if v["local_day"] == day],
        tomorrow_visits=[v for v in visits if v["local_day"] == day + timedelta(days=1)],
        day=day, outcomes=catalogue(db))
