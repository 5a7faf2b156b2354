"""The supervisor's page: escalations sent to them, today's open check-ins of their firm, and
how each of their operatives is doing after hard visits (to offer support, never to judge)."""

from datetime import UTC, datetime, timedelta

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from fieldapp.checkin import lone_worker, queries
from fieldapp.core import audit
from fieldapp.core.access import SUPERVISOR_ROLES, found_or_404, roles
from fieldapp.core.clock import day_bounds_utc, today_local
from fieldapp.core.db import get_db

bp = Blueprint("team", __name__)


@bp.app_context_processor
def team_counts() -> dict:
    """Escalations waiting for the signed-in supervisor, shown in the navigation on every page."""
    if not current_user.is_authenticated or current_user.role not in SUPERVISOR_ROLES:
        return {}
    since = lone_worker.stamp(datetime.now(UTC) - timedelta(days=1))
    return {"team_waiting": queries.unacknowledged_count(get_db(), current_user.id, since)}


@bp.get("/team")
@roles(*SUPERVISOR_ROLES)
def team():
    db = get_db()
    firm = found_or_404(queries.supervisor_firm(db, current_user.id))
    today = today_local()
    since = lone_worker.stamp(datetime.now(UTC) - timedelta(days=1))
    escalations = [dict(row, address=lone_worker.address(row),
                        steps=queries.escalation_steps(db, row["source"]))
                   for row in queries.open_escalations(db, current_user.id, since)]
    if escalations:  # addresses of residents' homes: seen like an alert, so recorded
        audit.record("team_escalations_viewed", "organisation", firm["id"], db=db)
    week_start, _end = day_bounds_utc(today - timedelta(days=today.weekday()))
    return render_template(
        "checkin/team.html", firm=firm, escalations=escalations,
        open_checkins=queries.open_checkins_of_firm(db, firm["id"], *day_bounds_utc(today)),
        support=queries.support_this_week(db, firm["id"], week_start),
        now=lone_worker.stamp(datetime.now(UTC)))


@bp.post("/team/escalations/<int:escalation_id>/acknowledge")
@roles(*SUPERVISOR_ROLES)
def acknowledge(escalation_id: int):
    db = get_db()
    escalation = found_or_404(queries.escalation_for_supervisor(db, escalation_id,
                                                                current_user.id))
    lone_worker.acknowledge(db, escalation, current_user.id, datetime.now(UTC))
    return redirect(url_for("team.team"), code=303)
