"""Admin: the landlord and its contractor firms, with the phone lines the distress card uses."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.accounts.organisations import (
    PHONE_FIELDS,
    create_contractor,
    get_organisation,
    name_taken,
    organisations_for_landlord,
    set_late_from,
    set_photo_retention,
    update_organisation,
)
from fieldapp.admin import bp
from fieldapp.admin.forms import OrganisationForm
from fieldapp.core import audit
from fieldapp.core.access import ADMIN_ROLES, found_or_404, roles
from fieldapp.core.db import get_db, transaction
from fieldapp.core.forms import render_form


@bp.get("/organisations")
@roles(*ADMIN_ROLES)
def organisations():
    return render_template("admin/organisations.html",
                           organisations=organisations_for_landlord(get_db(),
                                                                    current_user.landlord_id))


@bp.route("/organisations/new", methods=["GET", "POST"])
@roles(*ADMIN_ROLES)
def new_organisation():
    db = get_db()
    form = OrganisationForm()
    if _accepted(db, form):
        with transaction(db):
            organisation_id = create_contractor(db, landlord_id=current_user.landlord_id,
                                               **_values(form))
            audit.record("organisation_created", "organisation", organisation_id, db=db)
        flash(f"{form.name.data} is added. You can now add its operatives.", "success")
        return redirect(url_for("admin.organisations"), code=303)
    return render_form("admin/organisation_form.html", form, organisation=None)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@roles(*ADMIN_ROLES)
def edit_organisation(organisation_id: int):
    db = get_db()
    organisation = found_or_404(get_organisation(db, organisation_id, current_user.landlord_id))
    form = OrganisationForm(data=None if request.method == "POST" else {
        **organisation, "photo_retention_months": _months(organisation["photo_retention_days"])})
    if _accepted(db, form, organisation):
        with transaction(db):
            update_organisation(db, organisation_id, **_values(form))
            if organisation["kind"] == "landlord" and form.late_from.data:
                set_late_from(db, organisation_id, form.late_from.data)
            if organisation["kind"] == "landlord" and form.photo_retention_months.data:
                set_photo_retention(db, organisation_id,
                                    round(form.photo_retention_months.data * 365 / 12))
            audit.record("organisation_updated", "organisation", organisation_id, db=db)
        flash(f"Changes to {form.name.data} are saved.", "success")
        return redirect(url_for("admin.organisations"), code=303)
    return render_form("admin/organisation_form.html", form, organisation=organisation)


def _months(days: int) -> int:
    """The retention in whole months, as the form asks for it (730 days: 24 months)."""
    return round(days * 12 / 365)


def _accepted(db, form: OrganisationForm, organisation=None) -> bool:
    """Every check runs, so the error summary lists every problem at once, not one per try."""
    if not form.is_submitted():
        return False
    form.validate()
    if not form.name.errors and name_taken(db, current_user.landlord_id, form.name.data,
                                           except_id=organisation["id"] if organisation
                                           else None):
        form.name.errors.append("That name is already used by another organisation")
    if organisation is not None and organisation["kind"] == "landlord":
        # The landlord's duty and safeguarding lines fill the distress card's escalation ladder.
        for field in (form.duty_phone, form.safeguarding_phone):
            if not field.data and not field.errors:
                field.errors.append(f"Enter the {field.label.text.lower()}: "
                                    "operatives call it when a visit goes wrong")
    return not form.errors


def _values(form: OrganisationForm) -> dict:
    values = {field: getattr(form, field).data or "" for field in PHONE_FIELDS}
    values.update(name=form.name.data, web_address=form.web_address.data or "")
    return values
