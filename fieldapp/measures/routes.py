"""/measures for the landlord's officers and admins, and its CSV exports (audited)."""

import csv
import io

from flask import Response, render_template, request
from flask_login import current_user

from fieldapp.accounts.organisations import organisations_for_landlord
from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, roles
from fieldapp.core.catalogues import DISTRESS_LEVELS, NO_ACCESS_REASONS, VISIT_OUTCOMES
from fieldapp.core.db import get_db
from fieldapp.measures import bp, charts, export, periods
from fieldapp.measures.queries import figures

LABELS = {
    "outcomes": {code: label for code, label, *_ in VISIT_OUTCOMES},
    "reasons": {code: label for code, label, *_ in NO_ACCESS_REASONS},
    "distress": {code: label for code, label, *_ in DISTRESS_LEVELS},
}


def _choices(db):
    """The period and firm asked for, with any problem with custom dates."""
    firms = [row for row in organisations_for_landlord(db, current_user.landlord_id)
             if row["kind"] == "contractor"]
    firm = request.args.get("firm", type=int)
    firm = firm if firm in {row["id"] for row in firms} else None
    name = request.args.get("period", "4weeks")
    errors = {}
    if name == "custom":
        period, errors = periods.custom(request.args.get("first", ""),
                                        request.args.get("last", ""))
    else:
        period = None
    if period is None:
        period = periods.preset(name if name in ("week", "quarter") else "4weeks")
    return period, firm, firms, name, errors


@bp.get("/measures")
@roles(*OFFICE_ROLES)
def measures():
    db = get_db()
    period, firm, firms, name, errors = _choices(db)
    result = figures(db, current_user.landlord_id, period, firm)
    return render_template(
        "measures/measures.html", result=result, firms=firms, firm=firm, chosen=name,
        presets=periods.PRESETS, errors=errors, labels=LABELS, args=request.args,
        export_args={k: v for k, v in request.args.items() if k != "what"},
        chart=charts.weekly_bars(result.weeks, "weekly")), 422 if errors else 200


@bp.get("/measures/export.csv")
@roles(*OFFICE_ROLES)
def export_csv():
    db = get_db()
    period, firm, _firms, _name, _errors = _choices(db)
    what = request.args.get("what") if request.args.get("what") in export.KINDS else "figures"
    rows = export.rows(db, what, current_user.landlord_id, period, firm, LABELS)
    audit.record("measures_exported", "landlord", current_user.landlord_id, db=db)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    filename = f"fieldapp-{what}-{period.first}-{period.last}.csv"
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})
