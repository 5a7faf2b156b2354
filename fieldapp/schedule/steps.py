"""The schedule of works: add, edit, reorder and remove a visit's steps."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, roles
from fieldapp.core.db import get_db, query_one, transaction
from fieldapp.schedule import bp
from fieldapp.schedule import queries as q
from fieldapp.schedule.forms import STEP_HINTS, StepForm

STEP_COLUMNS = ("description", "expected_minutes", *(flag for flag, _label in STEP_HINTS))


def _booked_visit_or_404(db, visit_id: int):
    visit = q.get_visit_or_404(db, visit_id, current_user.landlord_id)
    if visit["status"] != "booked":
        abort(409)
    return visit


def _step_or_404(db, visit_id: int, step_id: int):
    step = query_one(db, "SELECT * FROM work_steps WHERE id = ? AND visit_id = ?",
                     (step_id, visit_id))
    if step is None:
        abort(404)
    return step


def _back(visit_id: int):
    return redirect(url_for("schedule.visit", visit_id=visit_id) + "#steps", code=303)


@bp.post("/schedule/<int:visit_id>/steps")
@roles(*OFFICE_ROLES)
def add_step(visit_id: int):
    db = get_db()
    _booked_visit_or_404(db, visit_id)
    form = StepForm(prefix="new")
    if not form.validate():
        return render_template("schedule/step.html", form=form, visit_id=visit_id, step=None), 422
    with transaction(db):
        position = query_one(db, "SELECT coalesce(max(position), 0) + 1 AS next FROM work_steps"
                                 " WHERE visit_id = ?", (visit_id,))["next"]
        values = form.values()
        db.execute(f"INSERT INTO work_steps (visit_id, position, {', '.join(STEP_COLUMNS)})"
                   f" VALUES (?, ?, {', '.join('?' * len(STEP_COLUMNS))})",
                   (visit_id, position, *(values[c] for c in STEP_COLUMNS)))
    audit.record("work_step_added", "visit", visit_id, db=db)
    flash(f"Step {position} is added.", "success")
    return _back(visit_id)


@bp.route("/schedule/<int:visit_id>/steps/<int:step_id>/edit", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def edit_step(visit_id: int, step_id: int):
    db = get_db()
    _booked_visit_or_404(db, visit_id)
    step = _step_or_404(db, visit_id, step_id)
    form = StepForm(data=None if request.method == "POST" else {
        "description": step["description"],
        "expected_minutes": str(step["expected_minutes"] or ""),
        "hints": [flag for flag, _label in STEP_HINTS if step[flag]]})
    if form.validate_on_submit():
        values = form.values()
        with transaction(db):
            db.execute(f"UPDATE work_steps SET {', '.join(c + ' = ?' for c in STEP_COLUMNS)}"
                       " WHERE id = ?", (*(values[c] for c in STEP_COLUMNS), step_id))
        audit.record("work_step_updated", "visit", visit_id, db=db)
        flash(f"Step {step['position']} is saved.", "success")
        return _back(visit_id)
    return render_template("schedule/step.html", form=form, visit_id=visit_id, step=step), \
        422 if form.errors else 200


@bp.post("/schedule/<int:visit_id>/steps/<int:step_id>/move")
@roles(*OFFICE_ROLES)
def move_step(visit_id: int, step_id: int):
    db = get_db()
    _booked_visit_or_404(db, visit_id)
    step = _step_or_404(db, visit_id, step_id)
    direction = -1 if request.form.get("direction") == "up" else 1
    with transaction(db):
        neighbour = query_one(db, "SELECT id, position FROM work_steps WHERE visit_id = ? AND"
                                  " position = ?", (visit_id, step["position"] + direction))
        if neighbour is not None:
            # Positions are UNIQUE per visit: park one step at 0 while the two swap.
            db.execute("UPDATE work_steps SET position = 0 WHERE id = ?", (step_id,))
            db.execute("UPDATE work_steps SET position = ? WHERE id = ?",
                       (step["position"], neighbour["id"]))
            db.execute("UPDATE work_steps SET position = ? WHERE id = ?",
                       (neighbour["position"], step_id))
    audit.record("work_step_moved", "visit", visit_id, db=db)
    return _back(visit_id)


@bp.post("/schedule/<int:visit_id>/steps/<int:step_id>/delete")
@roles(*OFFICE_ROLES)
def delete_step(visit_id: int, step_id: int):
    db = get_db()
    _booked_visit_or_404(db, visit_id)
    step = _step_or_404(db, visit_id, step_id)
    with transaction(db):
        db.execute("DELETE FROM work_steps WHERE id = ?", (step_id,))
        # Close the gap so the steps stay numbered 1, 2, 3 for the operative.
        db.execute("UPDATE work_steps SET position = -(position - 1) WHERE visit_id = ? AND"
                   " position > ?", (visit_id, step["position"]))
        db.execute("UPDATE work_steps SET position = -position WHERE visit_id = ? AND"
                   " position < 0", (visit_id,))
    audit.record("work_step_removed", "visit", visit_id, db=db)
    flash(f"Step {step['position']} is removed.", "success")
    return _back(visit_id)
