"""The housing officer's side: their residents (adjustments, visits and inbox build on it)."""

from flask import Blueprint, render_template
from flask_login import current_user

from .access import roles
from .db import get_db, query_all

bp = Blueprint("officer", __name__)


def residents_for_landlord(db, landlord_id: int, officer_id: int) -> list:
    """The landlord's residents, the officer's own first."""
    return query_all(db, """
        SELECT residents.id, residents.name, residents.preferred_name, residents.area,
               residents.postcode, residents.officer_id, users.name AS officer_name,
               (SELECT count(*) FROM adjustments WHERE adjustments.resident_id = residents.id
                  AND adjustments.status = 'active') AS adjustment_count
        FROM residents LEFT JOIN users ON users.id = residents.officer_id
        WHERE residents.landlord_id = ?
        ORDER BY residents.officer_id IS NOT ?, residents.name""", (landlord_id, officer_id))


@bp.get("/residents")
@roles("officer", "admin")
def residents():
    rows = residents_for_landlord(get_db(), current_user.landlord_id, current_user.id)
    return render_template(
        "officer/residents.html",
        mine=[r for r in rows if r["officer_id"] == current_user.id],
        others=[r for r in rows if r["officer_id"] != current_user.id])
