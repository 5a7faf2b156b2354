"""Visit import pages: upload a CSV, see every row checked, then import the good rows."""

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField

from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, found_or_404, roles
from fieldapp.core.db import get_db, transaction
from fieldapp.core.forms import render_form
from fieldapp.schedule import bp, checks, importer
from fieldapp.schedule import queries as q


class UploadForm(FlaskForm):
    file = FileField("CSV file")


def _decode(raw: bytes) -> str:
    """Spreadsheets save CSV as UTF-8 (with or without a BOM) or, on older Windows, cp1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


@bp.route("/schedule/import", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        upload_file = form.file.data
        if not upload_file or not getattr(upload_file, "filename", ""):
            form.file.errors.append("Select a CSV file")
        else:
            text = _decode(upload_file.read())
            try:
                importer.read_rows(text)
            except (importer.ImportFileError, ValueError) as error:
                form.file.errors.append(str(error))
            else:
                return redirect(url_for("schedule.preview", import_id=_store(
                    upload_file.filename, text)), code=303)
    return render_form("schedule/import.html", form)


def _store(filename: str, text: str) -> int:
    db = get_db()
    with transaction(db):
        import_id = q.store_import(db, current_user.landlord_id, current_user.id, filename,
                                   text)
        audit.record("visit_import_uploaded", "visit_import", import_id, db=db)
    return import_id


def _plan(db, stored) -> list:
    try:
        return importer.plan(stored["content"], importer.Lookups(db, current_user.landlord_id))
    except importer.ImportFileError:
        abort(404)  # stored only after it was read once; unreadable now means it is not ours


def _import_or_404(db, import_id: int):
    return found_or_404(q.import_for_landlord(db, import_id, current_user.landlord_id))


@bp.get("/schedule/import/<int:import_id>")
@roles(*OFFICE_ROLES)
def preview(import_id: int):
    db = get_db()
    stored = _import_or_404(db, import_id)
    return _preview(stored, _plan(db, stored)), 200


def _preview(stored, planned, refusal: str = ""):
    counts = {action: sum(1 for p in planned if not p.errors and p.action == action)
              for action in ("new", "update", "unchanged")}
    warnings = importer.warnings_of(planned)
    return render_template("schedule/import_preview.html", stored=stored, planned=planned,
                           counts=counts, refused=sum(1 for p in planned if p.errors),
                           summary=json.loads(stored["summary"] or "{}"),
                           warned=sum(1 for p in planned if p.warnings),
                           confirmed=checks.fingerprint(warnings), refusal=refusal)


@bp.post("/schedule/import/<int:import_id>")
@roles(*OFFICE_ROLES)
def run_import(import_id: int):
    db = get_db()
    stored = _import_or_404(db, import_id)
    # Checked again now: the database may have changed since the preview.
    planned = _plan(db, stored)
    warnings = importer.warnings_of(planned)
    if warnings and not (request.form.get("book_anyway") == "y" and
                         request.form.get("confirmed") == checks.fingerprint(warnings)):
        # The same rule as the visit form: nothing is stored until these warnings are confirmed.
        return _preview(stored, planned, refusal=(
            "Nothing is imported yet. Tick \"Book anyway\" to import the rows with warnings "
            "as they are, or fix them in the file and upload it again.")), 409
    with transaction(db):
        counts = importer.apply(db, planned, current_user.id)
        q.mark_imported(db, import_id, counts)
        audit.record("visit_import_applied", "visit_import", import_id, db=db)
    flash(f"Imported: {counts['new']} new, {counts['update']} updated, {counts['unchanged']} "
          f"unchanged. {counts['refused']} rows with problems were not imported.", "success")
    return redirect(url_for("schedule.preview", import_id=import_id), code=303)


@bp.get("/schedule/import/format")
@roles(*OFFICE_ROLES)
def import_format():
    """The CSV format, served by the app, so a refused row's message links to how to fix it."""
    return render_template("schedule/import_format.html", columns=importer.COLUMN_GUIDE)
