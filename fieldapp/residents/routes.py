"""Resident pages: search, the resident's page, add and edit, private notes."""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, found_or_404, roles
from fieldapp.core.catalogues import INTERPRETER_ARRANGEMENTS, catalogue
from fieldapp.core.db import get_db, transaction, utc_now
from fieldapp.core.extensions import htmx
from fieldapp.core.forms import render_form
from fieldapp.logs.history import history_of_resident
from fieldapp.messages import outbox as messages
from fieldapp.operative.instructions import active_instructions
from fieldapp.residents import bp
from fieldapp.residents import queries as q
from fieldapp.residents.forms import NoteForm, ResidentForm
from fieldapp.residents.notes import add_private_note, private_notes


def _resident_or_404(db, resident_id: int):
    return found_or_404(q.resident_for_landlord(db, resident_id, current_user.landlord_id))


def _valid(db, form: ResidentForm, resident_id: int | None = None) -> bool:
    """The form's checks, then the tenancy reference's: one resident per reference."""
    valid = form.validate_on_submit()
    if form.is_submitted() and form.tenancy_ref.data and not form.tenancy_ref.errors and \
            q.tenancy_ref_taken(db, current_user.landlord_id, form.tenancy_ref.data, resident_id):
        form.tenancy_ref.errors.append("Another resident already has this tenancy reference. "
                                       "Check the reference, or find that resident first")
        return False
    return valid


@bp.get("/residents")
@roles(*OFFICE_ROLES)
def search():
    text = request.args.get("q", "").strip()[:100]
    rows = q.search_residents(get_db(), current_user.landlord_id, current_user.id, text)
    # A history-cache miss also comes as an htmx request, but htmx swaps the whole page then.
    fragment = htmx and not htmx.history_restore_request
    template = "residents/_results.html" if fragment else "residents/search.html"
    response = make_response(render_template(template, rows=rows, text=text,
                                             limit=q.SEARCH_LIMIT))
    response.vary.update(("HX-Request", "HX-History-Restore-Request"))
    return response


@bp.route("/residents/new", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def new_resident():
    db = get_db()
    form = ResidentForm(officers=q.officers_of_landlord(db, current_user.landlord_id),
                        languages=catalogue(db).languages,
                        data=None if request.method == "POST" else {
                            "officer_id": current_user.id, "language": "en",
                            "interpreter": "not_needed", "preferred_contact": "phone"})
    if _valid(db, form):
        with transaction(db):
            resident_id = q.create_resident(db, current_user.landlord_id, form.values())
            audit.record("resident_created", "resident", resident_id, db=db)
        flash(f"{form.name.data} is added. Add their adjustments below.", "success")
        return redirect(url_for("residents.resident", resident_id=resident_id), code=303)
    return render_form("residents/form.html", form, resident=None)


@bp.get("/residents/<int:resident_id>")
@roles(*OFFICE_ROLES)
def resident(resident_id: int):
    db = get_db()
    row = _resident_or_404(db, resident_id)
    audit.record("resident_viewed", "resident", resident_id, db=db)
    return render_template(
        "residents/resident.html", resident=row,
        adjustments=q.adjustments_of_resident(db, resident_id),
        instructions=active_instructions(db, [resident_id]).get(resident_id, []),
        interpreter_labels={code: label for code, label, _ in INTERPRETER_ARRANGEMENTS},
        visits=q.visits_of_resident(db, resident_id),
        pauses=q.pauses_of_resident(db, resident_id), now=utc_now(),
        messages=messages.for_resident(db, resident_id, current_user.landlord_id),
        logs=history_of_resident(db, resident_id))


@bp.route("/residents/<int:resident_id>/edit", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def edit_resident(resident_id: int):
    db = get_db()
    row = _resident_or_404(db, resident_id)
    form = ResidentForm(officers=q.officers_of_landlord(db, current_user.landlord_id),
                        languages=catalogue(db).languages,
                        advocate_named=q.has_active_adjustment(db, resident_id,
                                                               "advocate_present"),
                        data=None if request.method == "POST" else dict(row))
    if _valid(db, form, resident_id):
        with transaction(db):
            q.update_resident(db, resident_id, form.values())
            audit.record("resident_updated", "resident", resident_id, db=db)
        flash("Changes are saved.", "success")
        return redirect(url_for("residents.resident", resident_id=resident_id), code=303)
    return render_form("residents/form.html", form, resident=row)


@bp.route("/residents/<int:resident_id>/notes", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def notes(resident_id: int):
    """Private notes: officer side only, never in a briefing, export, push or offline cache."""
    db = get_db()
    row = _resident_or_404(db, resident_id)
    form = NoteForm()
    if form.validate_on_submit():
        with transaction(db):
            note_id = add_private_note(db, resident_id, current_user.id, form.body.data)
            audit.record("private_note_added", "resident_note", note_id, db=db)
        flash("The note is saved.", "success")
        return redirect(url_for("residents.notes", resident_id=resident_id), code=303)
    audit.record("private_notes_viewed", "resident", resident_id, db=db)
    return render_form("residents/notes.html", form, resident=row,
                       notes=private_notes(db, resident_id))
