"""Adjustment pages: choose from the catalogue, record with consent, edit, review, withdraw."""

import json
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.adjustments import bp
from fieldapp.adjustments import queries as q
from fieldapp.adjustments.forms import (
    REVIEW_WAYS,
    ReviewForm,
    WithdrawForm,
    default_dates,
    form_for_type,
    next_review,
)
from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, found_or_404, roles
from fieldapp.core.clock import today_local
from fieldapp.core.db import get_db, transaction
from fieldapp.core.forms import render_form
from fieldapp.core.words import date_words
from fieldapp.operative.instructions import fill, placeholders
from fieldapp.residents.queries import resident_for_landlord


def _type_or_404(db, code: str):
    return found_or_404(q.active_type(db, code))


def _adjustment_or_404(db, adjustment_id: int):
    return found_or_404(q.adjustment_for_landlord(db, adjustment_id, current_user.landlord_id))


def _values(form) -> dict:
    return {"parameters": form.parameters(), "detail": form.detail.data or "",
            "consent_given_by": form.consent_given_by.data, "consent_how": form.consent_how.data,
            "consent_on": form.consent_on.data, "review_due": form.review_due.data}


@bp.get("/residents/<int:resident_id>/adjustments/new")
@roles(*OFFICE_ROLES)
def choose_type(resident_id: int):
    db = get_db()
    resident = found_or_404(resident_for_landlord(db, resident_id, current_user.landlord_id))
    recorded = q.active_of_type(db, resident_id)
    types = [dict(t, example=fill(t["instruction_template"], {}), recorded=recorded.get(t["code"]))
             for t in q.adjustment_types(db)]
    return render_template("adjustments/choose.html", resident=resident, types=types)


@bp.route("/residents/<int:resident_id>/adjustments/new/<code>", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def add(resident_id: int, code: str):
    db = get_db()
    resident = found_or_404(resident_for_landlord(db, resident_id, current_user.landlord_id))
    adjustment_type = _type_or_404(db, code)
    recorded = q.active_of_type(db, resident_id).get(code)
    if recorded and request.method == "GET":
        # One of each: a second "call ahead" would give the operative two instructions.
        flash(f"{adjustment_type['label']} is already recorded for "
              f"{resident['preferred_name'] or resident['name']}: change it here.", "info")
        return redirect(url_for("adjustments.edit", adjustment_id=recorded))
    form = form_for_type(adjustment_type,
                         data=None if request.method == "POST" else default_dates())
    if recorded:
        form.form_errors.append(f"{adjustment_type['label']} is already recorded for this "
                                "resident. Change that one instead: nothing was saved.")
    missing = _missing_fact(resident, code) if request.method == "POST" else None
    if missing:
        form.form_errors.append(missing)
    if form.validate_on_submit() and not recorded and not missing:
        with transaction(db):
            adjustment_id = q.create_adjustment(db, resident_id, code, current_user.id,
                                                _values(form))
            audit.record("adjustment_added", "adjustment", adjustment_id, db=db)
        flash(f"{adjustment_type['label']} is recorded. Operatives will see it on every visit.",
              "success")
        return redirect(url_for("residents.resident", resident_id=resident_id), code=303)
    return render_form("adjustments/form.html", form, resident=resident,
                       adjustment_type=adjustment_type, adjustment=None,
                       example=placeholders(adjustment_type["instruction_template"]))


def _missing_fact(resident, code: str) -> str | None:
    """An adjustment that names a fact kept on the resident's details needs it there first."""
    if code == "advocate_present" and not resident["advocate_name"]:
        return ("Add the advocate's name and phone in the resident's details first, then "
                "record this: nothing was saved.")
    return None


@bp.route("/adjustments/<int:adjustment_id>/edit", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def edit(adjustment_id: int):
    db = get_db()
    adjustment = _adjustment_or_404(db, adjustment_id)
    if adjustment["status"] != "active":
        abort(409)  # a withdrawn adjustment is history: record a new one instead
    adjustment_type = _type_or_404(db, adjustment["type_code"])
    form = form_for_type(adjustment_type, data=None if request.method == "POST"
                         else _stored_values(adjustment))
    if form.validate_on_submit():
        with transaction(db):
            q.update_adjustment(db, adjustment_id, _values(form))
            audit.record("adjustment_updated", "adjustment", adjustment_id, db=db)
        flash(f"Changes to {adjustment['label']} are saved.", "success")
        return redirect(url_for("residents.resident", resident_id=adjustment["resident_id"]),
                        code=303)
    return render_form("adjustments/form.html", form, resident=_owner(adjustment),
                       adjustment_type=adjustment_type, adjustment=adjustment,
                       example=placeholders(adjustment_type["instruction_template"]))


def _stored_values(adjustment) -> dict:
    values = {f"param_{k}": v for k, v in json.loads(adjustment["parameters"]).items()}
    return {**values, "detail": adjustment["detail"],
            "consent_given_by": adjustment["consent_given_by"],
            "consent_how": adjustment["consent_how"],
            "consent_on": date.fromisoformat(adjustment["consent_on"]),
            "review_due": date.fromisoformat(adjustment["review_due"])}


def _owner(adjustment) -> dict:
    return {"id": adjustment["resident_id"], "name": adjustment["resident_name"],
            "preferred_name": adjustment["preferred_name"],
            "advocate_name": adjustment["advocate_name"],
            "advocate_phone": adjustment["advocate_phone"]}


@bp.route("/adjustments/<int:adjustment_id>/review", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def review(adjustment_id: int):
    db = get_db()
    adjustment = _adjustment_or_404(db, adjustment_id)
    decision = request.form.get("decision") if request.method == "POST" else None
    # Each form reads only what it sent: a refused withdrawal keeps the review form fresh.
    review_form = ReviewForm(formdata=request.form if decision == "still_needed" else None,
                             data={"next_review": next_review()})
    withdraw_form = WithdrawForm(formdata=request.form if decision == "withdraw" else None)
    if request.method == "POST" and adjustment["status"] != "active":
        abort(409)
    if decision == "still_needed" and review_form.validate():
        with transaction(db):
            q.mark_reviewed(db, adjustment_id, review_form.next_review.data, current_user.id,
                            review_form.how.data, review_form.how_other.data or "")
            audit.record("adjustment_reviewed", "adjustment", adjustment_id, db=db)
        flash(f"{adjustment['label']} is still needed. Next review: "
              f"{date_words(review_form.next_review.data)}.", "success")
        return _back_to_resident(adjustment)
    if decision == "withdraw" and withdraw_form.validate():
        with transaction(db):
            q.withdraw(db, adjustment_id, withdraw_form.reason.data or "")
            audit.record("adjustment_withdrawn", "adjustment", adjustment_id, db=db)
        flash(f"{adjustment['label']} is withdrawn. Operatives will no longer see it; "
              "it stays in the history.", "success")
        return _back_to_resident(adjustment)
    form = withdraw_form if decision == "withdraw" else review_form
    if request.method == "POST" and decision not in ("still_needed", "withdraw"):
        form.form_errors.append("Select whether it is still needed or should be withdrawn")
    last = q.last_review(db, adjustment_id)
    return render_form("adjustments/review.html", form, adjustment=adjustment,
                       resident=_owner(adjustment), review_form=review_form,
                       withdraw_form=withdraw_form, review_ways=dict(REVIEW_WAYS),
                       last_review=last)


def _back_to_resident(adjustment):
    return redirect(url_for("residents.resident", resident_id=adjustment["resident_id"]),
                    code=303)


@bp.get("/adjustments/due")
@roles(*OFFICE_ROLES)
def due():
    today = today_local()
    rows = q.due_for_review(get_db(), current_user.landlord_id, today)
    return render_template("adjustments/due.html", rows=rows, today=today.isoformat())
