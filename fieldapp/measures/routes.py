"""/measures for the landlord's officers and admins, and its CSV exports (audited)."""

from flask import Response, request
from flask_login import current_user

from fieldapp.accounts.organisations import organisations_for_landlord
from fieldapp.checkin.queries import checkin_figures
from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, roles
from fieldapp.core.catalogues import catalogue
from fieldapp.core.csvout import csv_text
from fieldapp.core.db import get_db
from fieldapp.core.forms import render_form
from fieldapp.measures import bp, charts, export
from fieldapp.measures.forms import MeasuresForm
from fieldapp.measures.queries import figures


def _filter_form(db) -> MeasuresForm:
    """The period and firm asked for, checked: a problem with chosen dates shows the default
    period with the problem, never an empty page."""
    firms = [row for row in organisations_for_landlord(db, current_user.landlord_id)
             if row["kind"] == "contractor"]
    form = MeasuresForm(firms, formdata=request.args)
    form.validate()
    return form


@bp.get("/measures")
@roles(*OFFICE_ROLES)
def measures():
    db = get_db()
    return _page(db, _filter_form(db))


def _page(db, form: MeasuresForm):
    firm = form.firm_id()
    result = figures(db, current_user.landlord_id, form.chosen_period(), firm)
    working_alone = [row for row in checkin_figures(db, *form.chosen_period().bounds,
                                                    current_user.landlord_id)
                     if firm is None or row["firm_id"] == firm]
    return render_form(
        "measures/measures.html", form, result=result, firm=firm, catalogue=catalogue(db),
        working_alone=working_alone,
        export_args={k: v for k, v in request.args.items() if k != "what"},
        chart=charts.weekly_bars(result.weeks, "weekly"))


@bp.get("/measures/export.csv")
@roles(*OFFICE_ROLES)
def export_csv():
    db = get_db()
    form = _filter_form(db)
    if form.errors:  # the same refusal as the page, not four weeks' figures in its place
        return _page(db, form)
    period, firm = form.chosen_period(), form.firm_id()
    what = request.args.get("what") if request.args.get("what") in export.KINDS else "figures"
    rows = export.rows(db, what, current_user.landlord_id, period, firm)
    audit.record("measures_exported", "landlord", current_user.landlord_id, db=db)
    filename = f"fieldapp-{what}-{period.first}-{period.last}.csv"
    return Response(csv_text(rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
