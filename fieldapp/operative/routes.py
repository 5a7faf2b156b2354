"""The operative's day: their visits today and tomorrow, each with its adjustments at a glance."""

from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user

from fieldapp.core.access import OPERATIVE_ROLES, roles
from fieldapp.core.clock import clock_time, day_bounds_utc, to_local, today_local
from fieldapp.core.db import get_db, query_all
from fieldapp.operative.instructions import active_instructions

bp = Blueprint("operative", __name__)


def visits_for_operative(db, user_id: int, first_day, days: int = 2) -> list[dict]:
    start, end = day_bounds_utc(first_day, days)
    rows = query_all(db, """
        SELECT visits.id, visits.trade, visits.starts_at, visits.ends_at, visits.pre_visit,
               visits.rebook_requested, visits.resident_id, residents.area, residents.postcode
        FROM visit_operatives
        JOIN visits ON visits.id = visit_operatives.visit_id
        JOIN residents ON residents.id = visits.resident_id
        WHERE visit_operatives.user_id = ? AND visits.status = 'booked'
          AND visits.starts_at >= ? AND visits.starts_at < ?
        ORDER BY visits.starts_at""", (user_id, start, end))
    instructions = active_instructions(db, list({row["resident_id"] for row in rows}))
    return [dict(row, chips=[i.chip for i in instructions.get(row["resident_id"], [])],
                 local_day=to_local(row["starts_at"]).date(),
                 window=f"{clock_time(row['starts_at'])}–{clock_time(row['ends_at'])}",
                 outward_code=row["postcode"].split(" ")[0])
            for row in rows]


@bp.get("/today")
@roles(*OPERATIVE_ROLES)
def today():
    day = today_local()
    visits = visits_for_operative(get_db(), current_user.id, day)
    return render_template(
        "operative/today.html",
        today_visits=[v for v in visits if v["local_day"] == day],
        tomorrow_visits=[v for v in visits if v["local_day"] == day + timedelta(days=1)],
        day=day)
