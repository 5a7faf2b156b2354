"""The briefing an operative reads before knocking, and the distress card, for one visit."""

from flask import Blueprint, render_template
from flask_login import current_user

from fieldapp.checkin.lone_worker import panel as checkin_panel
from fieldapp.core import audit
from fieldapp.core.access import OPERATIVE_ROLES, found_or_404, roles
from fieldapp.core.catalogues import (
    DISTRESS_CARD_HELPS,
    STEP_ADJUSTMENTS,
    STEP_HINTS,
    catalogue,
)
from fieldapp.core.db import get_db
from fieldapp.operative.instructions import active_instructions, by_section
from fieldapp.operative.queries import (
    colleagues,
    is_visit_day,
    log_of_visit,
    visit_day_label,
    visit_for_operative,
    visit_window_local,
    work_steps,
)
from fieldapp.referrals.queries import active_routes

bp = Blueprint("briefing", __name__)


def step_guidance(step, codes: set[str]) -> list[str]:
    """What to do differently on this step, from its hints and the resident's adjustments."""
    minutes = step["expected_minutes"] or "a few"
    guidance = [text.format(minutes=minutes) for code, hint, text in STEP_ADJUSTMENTS
                if code in codes and (hint is None or step[hint])]
    return guidance + [advice for column, _tag, advice in STEP_HINTS if step[column] and advice]


def step_tags(step) -> list[str]:
    return [tag for column, tag, _advice in STEP_HINTS if step[column]]


def attending_sentence(names: list[str]) -> str:
    if not names:
        return "You are attending on your own."
    people = "colleague" if len(names) == 1 else "colleagues"
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"You are attending with {len(names)} {people}: {listed}."


def full_address(visit) -> str:
    parts = (visit["address_line1"], visit["address_line2"], visit["town"], visit["postcode"])
    return ", ".join(part for part in parts if part)


def briefing_context(db, visit, operative_id: int) -> dict:
    """Everything the briefing shows, and nothing more: instructions, never the why."""
    instructions = active_instructions(db, [visit["resident_id"]]).get(visit["resident_id"], [])
    codes = {instruction.code for instruction in instructions}
    steps = work_steps(db, visit["id"])
    names = colleagues(db, visit["id"], operative_id)
    return {
        "visit": visit,
        # Every instruction the officer's preview lists, with its detail; step-changing ones are
        # also repeated, in short, on each step they change.
        "sections": by_section(instructions),
        "steps": [{"step": step, "tags": step_tags(step), "guidance": step_guidance(step, codes)}
                  for step in steps],
        "colleagues": names,
        "attending": attending_sentence(names),
        "address": full_address(visit),
        "window": visit_window_local(visit),
        "day_label": visit_day_label(visit),
        "visit_day": is_visit_day(visit),
        "has_password": bool(visit["doorstep_password"]),
        # One log per visit, the first sent: a colleague sees that it is done, and by whom.
        "log": log_of_visit(db, visit["id"]),
        "outcomes": catalogue(db),
        "checkin": checkin_panel(db, visit["id"], operative_id),
    }


@bp.get("/visits/<int:visit_id>")
@roles(*OPERATIVE_ROLES)
def briefing(visit_id: int):
    db = get_db()
    visit = found_or_404(visit_for_operative(db, visit_id, current_user.id))
    audit.record("briefing_viewed", "visit", visit_id, db=db)
    return render_template("operative/briefing.html",
                           **briefing_context(db, visit, current_user.id))


@bp.get("/visits/<int:visit_id>/distress")
@roles(*OPERATIVE_ROLES)
def distress(visit_id: int):
    db = get_db()
    visit = found_or_404(visit_for_operative(db, visit_id, current_user.id))
    # In the page itself, so the copy the phone keeps for no signal has them too.
    return render_template("operative/distress.html", visit=visit,
                           routes=active_routes(db, visit["landlord_id"], DISTRESS_CARD_HELPS))
