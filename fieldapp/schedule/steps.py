"""The schedule of works: add, edit, reorder and remove a visit's steps."""

from flask import abort, flash, redirect, request, url_for

from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, roles
from fieldapp.core.db import get_db, transaction
from fieldapp.core.forms import render_form
from fieldapp.schedule import bp
from fieldapp.schedule import queries as q
from fieldapp.schedule.forms import STEP_HINTS, StepForm
from fieldapp.schedule.routes import visit_or_404


def _booked_visit_or_404(db, visit_id: int):
    visit = visit_or_404(db, visit_id)
    if visit["status"] != "booked":
        abort(409)
    return visit


def _back(visit_id: int):
    return redirect(url_for("schedule.visit", visit_id=visit_id) + "#steps", code=303)


STEPS_CHANGED = ("The steps changed while you were working on them (someone else moved, "
                 "removed or edited one), so nothing was changed. Here they are now: check "
                 "them and try again if you still need to.")


def _steps_changed(visit_id: int, typed: str = ""):
    """A step gone by the time our change runs: say so and show the steps as they are."""
    kept = f" What you typed: \u201c{typed}\u201d." if typed else ""
    flash(STEPS_CHANGED + kept, "warning")
    return _back(visit_id)


def _step_or_gone(db, visit_id: int, step_id: int):
    """The visit's step, or None when it is gone (removed a moment ago: the steps changed);
    a step of another visit is a 404, as if it did not exist."""
    step = q.step_of_visit(db, visit_id, step_id)
    if step is None and q.step_exists(db, step_id):
        abort(404)
    return step


def _step_now(db, visit_id: int, step_id: int):
    """The step as it is under the write lock (the visit still booked), or None if it is gone:
    what was read before the transaction may already be out of date."""
    _booked_visit_or_404(db, visit_id)
    return _step_or_gone(db, visit_id, step_id)


@bp.post("/schedule/<int:visit_id>/steps")
@roles(*OFFICE_ROLES)
def add_step(visit_id: int):
    db = get_db()
    _booked_visit_or_404(db, visit_id)
    form = StepForm(prefix="new")
    if not form.validate():
        return render_form("schedule/step.html", form, visit_id=visit_id, step=None)
    with transaction(db):
        position = q.append_step(db, visit_id, form.values())
        audit.record("work_step_added", "visit", visit_id, db=db)
    flash(f"Step {position} is added.", "success")
    return _back(visit_id)


@bp.route("/schedule/<int:visit_id>/steps/<int:step_id>/edit", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def edit_step(visit_id: int, step_id: int):
    db = get_db()
    _booked_visit_or_404(db, visit_id)
    step = _step_or_gone(db, visit_id, step_id)
    if step is None:  # removed since the page was drawn: nothing to edit, what was typed shown
        return _steps_changed(visit_id, request.form.get("description", "").strip()[:200])
    form = StepForm(data=None if request.method == "POST" else {
        "description": step["description"],
        "expected_minutes": str(step["expected_minutes"] or ""),
        "hints": [flag for flag, _label in STEP_HINTS if step[flag]]})
    if form.validate_on_submit():
        with transaction(db):
            step = _step_now(db, visit_id, step_id)
            if step is None:
                return _steps_changed(visit_id, form.description.data)
            q.update_step(db, step_id, form.values())
            audit.record("work_step_updated", "visit", visit_id, db=db)
        flash(f"Step {step['position']} is saved.", "success")
        return _back(visit_id)
    return render_form("schedule/step.html", form, visit_id=visit_id, step=step)


@bp.post("/schedule/<int:visit_id>/steps/<int:step_id>/move")
@roles(*OFFICE_ROLES)
def move_step(visit_id: int, step_id: int):
    db = get_db()
    _booked_visit_or_404(db, visit_id)
    direction = -1 if request.form.get("direction") == "up" else 1
    with transaction(db):
        step = _step_now(db, visit_id, step_id)
        if step is None:
            return _steps_changed(visit_id)
        q.move_step(db, visit_id, step, direction)
        audit.record("work_step_moved", "visit", visit_id, db=db)
    return _back(visit_id)


@bp.post("/schedule/<int:visit_id>/steps/<int:step_id>/delete")
@roles(*OFFICE_ROLES)
def delete_step(visit_id: int, step_id: int):
    db = get_db()
    _booked_visit_or_404(db, visit_id)
    with transaction(db):
        step = _step_now(db, visit_id, step_id)
        if step is None:
            return _steps_changed(visit_id)
        q.remove_step(db, visit_id, step)
        audit.record("work_step_removed", "visit", visit_id, db=db)
    flash(f"Step {step['position']} is removed.", "success")
    return _back(visit_id)
