"""Visit pages for officers: book a visit, see and edit it beside what the briefing will say,
cancel it."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.adjustments.queries import residents_asking_for_female_operative
from fieldapp.alerts.rules import raise_visit_alert
from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, found_or_404, roles
from fieldapp.core.clock import to_local
from fieldapp.core.db import get_db, transaction
from fieldapp.core.forms import form_status
from fieldapp.logs.history import history_of_visit
from fieldapp.messages import outbox
from fieldapp.operative.instructions import active_instructions
from fieldapp.residents.queries import resident_for_landlord
from fieldapp.schedule import bp, checks
from fieldapp.schedule import queries as q
from fieldapp.schedule.forms import (
    CANCEL_REASONS,
    NO_NEW_TIME_REASONS,
    CancelForm,
    StepForm,
    VisitForm,
)
from fieldapp.voice import officer as resident_voice

# The officer's prompt when a cancelled visit's work still needs doing.
NEW_TIME_NEEDED = "Visit cancelled: agree a new time with the resident"


def visit_or_404(db, visit_id: int):
    """The visit, if it belongs to the officer's landlord."""
    return found_or_404(q.visit_for_landlord(db, visit_id, current_user.landlord_id))


def _visit_form(db, resident_id: int, **kwargs) -> VisitForm:
    """Where the resident asked for a female operative, only operatives an admin marked as
    able to attend are offered (docs/decisions.md)."""
    operatives = q.operatives_of_landlord(db, current_user.landlord_id)
    female_requested = bool(residents_asking_for_female_operative(db, [resident_id]))
    if female_requested:
        operatives = [o for o in operatives if o["attends_female_requests"]]
    form = VisitForm(firms=q.firms_of_landlord(db, current_user.landlord_id),
                     operatives=operatives, **kwargs)
    form.female_requested = female_requested
    return form


def _valid(db, form: VisitForm, visit_id: int | None = None) -> bool:
    """The form's own checks, then the job reference, so every problem shows at once."""
    valid = form.validate_on_submit()
    return form.is_submitted() and _job_ref_free(db, form, visit_id) and valid


def _confirmed(db, form: VisitForm, resident_id: int, visit_id: int | None = None) -> bool:
    """True when the booking breaks nothing the app knows, or the officer saw exactly these
    warnings and ticked "Book anyway". Otherwise the warnings go on the form: nothing stored."""
    starts_at, ends_at = form.window_utc()
    booking = checks.BookingChecks(db, current_user.landlord_id, [resident_id], starts_at,
                                   ends_at)
    # A visit in the resident's pause needs a reason (emergency work), kept with the visit.
    form.in_pause = bool(booking.pause_of(resident_id, starts_at, ends_at))
    if visit_id is None:
        # Refusals, not warnings: "Book anyway" cannot pass them.
        form.form_errors.extend(booking.refusals(resident_id))
        if form.form_errors:
            return False
    found = booking.warnings(resident_id, starts_at, ends_at, form.operative_ids.data or [],
                             visit_id, pre_visit=bool(form.pre_visit.data))
    seen = checks.fingerprint(found)
    if not found or (form.book_anyway.data and form.confirmed.data == seen):
        if form.in_pause and not form.paused_reason.data:
            form.paused_reason.errors = ["Enter why this visit cannot wait until the pause "
                                         "ends, like emergency work for no heating"]
            form.booking_warnings, form.confirmed.data = found, seen
            return False
        return True
    form.booking_warnings, form.confirmed.data, form.book_anyway.data = found, seen, False
    return False


def _status(form: VisitForm) -> int:
    """409 while the booking waits for "Book anyway"; 422 for a problem in the form."""
    return 409 if form.booking_warnings and not form.paused_reason.errors \
        else form_status(form)


def _job_ref_free(db, form: VisitForm, visit_id: int | None = None) -> bool:
    if form.job_ref.data and q.job_ref_taken(db, current_user.landlord_id, form.job_ref.data,
                                             visit_id):
        form.job_ref.errors.append("Another visit already has this job reference")
        return False
    return True


@bp.route("/schedule/new", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def new_visit():
    db = get_db()
    resident_id = found_or_404(request.args.get("resident", type=int))
    resident = found_or_404(resident_for_landlord(db, resident_id, current_user.landlord_id))
    form = _visit_form(db, resident_id)
    if _valid(db, form) and _confirmed(db, form, resident_id):
        with transaction(db):
            visit_id = q.create_visit(db, resident_id=resident_id, created_by=current_user.id,
                                      operatives=form.operative_ids.data or [],
                                      **form.values())
            if form.in_pause:
                q.set_paused_booking_reason(db, visit_id, form.paused_reason.data)
            audit.record("visit_created", "visit", visit_id, db=db)
            outbox.queue_for_visit(db, visit_id, "booked")
        flash("The visit is booked. Add the schedule of works below.", "success")
        return redirect(url_for("schedule.visit", visit_id=visit_id), code=303)
    return _render(db, form, resident, None), _status(form)


@bp.route("/schedule/<int:visit_id>", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def visit(visit_id: int):
    db = get_db()
    row = visit_or_404(db, visit_id)
    resident = found_or_404(resident_for_landlord(db, row["resident_id"], current_user.landlord_id))
    starts, ends = to_local(row["starts_at"]), to_local(row["ends_at"])
    stored = None if request.method == "POST" else {
        **dict(row), "visit_date": starts.date(), "starts": starts.strftime("%H:%M"),
        "ends": ends.strftime("%H:%M"),
        "operative_ids": [o["id"] for o in q.attending(db, visit_id)]}
    form = _visit_form(db, row["resident_id"], booked_date=starts.date(), data=stored)
    if request.method == "POST" and row["status"] != "booked":
        abort(409)
    if _valid(db, form, visit_id) and _confirmed(db, form, row["resident_id"], visit_id):
        with transaction(db):
            q.update_visit(db, visit_id, form.values(), form.operative_ids.data or [])
            if form.in_pause:
                q.set_paused_booking_reason(db, visit_id, form.paused_reason.data)
            audit.record("visit_updated", "visit", visit_id, db=db)
            outbox.queue_for_visit(db, visit_id, "changed")
        flash("Changes to the visit are saved.", "success")
        return redirect(url_for("schedule.visit", visit_id=visit_id), code=303)
    return _render(db, form, resident, row), _status(form)


def _render(db, form, resident, visit):
    attending = q.attending(db, visit["id"]) if visit else []
    return render_template(
        "schedule/visit.html", form=form, resident=resident, visit=visit,
        instructions=active_instructions(db, [resident["id"]]).get(resident["id"], []),
        steps=q.steps_of_visit(db, visit["id"]) if visit else [],
        attending=attending,
        # Booked before the resident asked for a female operative, or before the admin's mark
        # changed: said plainly, since saving the form leaves them off.
        not_offered=[a["name"] for a in attending if a["id"] not in form.operatives],
        voice=resident_voice.for_visit(db, visit["id"]) if visit else None,
        messages=outbox.for_visit(db, visit["id"], current_user.landlord_id) if visit else [],
        logs=history_of_visit(db, visit["id"]) if visit else [],
        step_form=StepForm(prefix="new"), cancel_reasons=dict(CANCEL_REASONS))


@bp.get("/schedule/<int:visit_id>/cancel")
@roles(*OFFICE_ROLES)
def confirm_cancel(visit_id: int):
    """Cancelling takes a second, deliberate tap: the resident may be waiting in for it."""
    db = get_db()
    row = visit_or_404(db, visit_id)
    if row["status"] != "booked":
        return redirect(url_for("schedule.visit", visit_id=visit_id))
    return render_template("schedule/cancel.html", visit=row, form=CancelForm(),
                           attending=q.attending(db, visit_id))


@bp.post("/schedule/<int:visit_id>/cancel")
@roles(*OFFICE_ROLES)
def cancel(visit_id: int):
    db = get_db()
    row = visit_or_404(db, visit_id)
    if row["status"] != "booked":
        abort(409)  # already cancelled: nothing to do, and nothing more to audit
    form = CancelForm()
    if not form.validate_on_submit():
        return render_template("schedule/cancel.html", visit=row, form=form,
                               attending=q.attending(db, visit_id)), form_status(form)
    with transaction(db):
        q.cancel_visit(db, visit_id, form.reason.data, form.note.data or "")
        audit.record("visit_cancelled", "visit", visit_id, db=db)
        outbox.queue_for_visit(db, visit_id, "cancelled")
        if form.reason.data not in NO_NEW_TIME_REASONS:  # the message says they will hear
            raise_visit_alert(db, row, "reach_out", NEW_TIME_NEEDED)
    flash("The visit is cancelled. The operative's day shows it as cancelled, and its ID card "
          "check stops working.", "success")
    return redirect(url_for("residents.resident", resident_id=row["resident_id"]), code=303)
