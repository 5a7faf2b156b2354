"""Admin: the landlord and its contractor firms, with the phone lines the distress card uses."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit
from ..access import roles
from ..db import get_db
from ..organisations import (
    PHONE_FIELDS,
    create_contractor,
    get_organisation,
    organisations_for_landlord,
    update_organisation,
)
from . import bp
from .forms import OrganisationForm


@bp.get("/organisations")
@roles("admin")
def organisations():
    return render_template("admin/organisations.html",
                           organisations=organisations_for_landlord(get_db(),
                                                                    current_user.landlord_id))


@bp.route("/organisations/new", methods=["GET", "POST"])
@roles("admin")
def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        organisation_id = create_contractor(get_db(), landlord_id=current_user.landlord_id,
                                           **_values(form))
        audit.record("organisation_created", "organisation", organisation_id)
        flash(f"{form.name.data} is added. You can now add its operatives.", "success")
        return redirect(url_for("admin.organisations"), code=303)
    return render_template("admin/organisation_form.html", form=form, organisation=None), \
        422 if form.errors else 200


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@roles("admin")
def edit_organisation(organisation_id: int):
    db = get_db()
    organisation = get_organisation(db, organisation_id, current_user.landlord_id)
    if organisation is None:
        abort(404)
    form = OrganisationForm(data=None if request.method == "POST" else dict(organisation))
    if form.validate_on_submit() and _landlord_lines_present(form, organisation):
        update_organisation(db, organisation_id, **_values(form))
        audit.record("organisation_updated", "organisation", organisation_id)
        flash(f"Changes to {form.name.data} are saved.", "success")
        return redirect(url_for("admin.organisations"), code=303)
    return render_template("admin/organisation_form.html", form=form,
                           organisation=organisation), 422 if form.errors else 200


def _landlord_lines_present(form: OrganisationForm, organisation) -> bool:
    """The landlord's duty and safeguarding lines fill the distress card's escalation ladder."""
    if organisation["kind"] != "landlord":
        return True
    for field in (form.duty_phone, form.safeguarding_phone):
        if not field.data:
            field.errors.append(f"Enter the {field.label.text.lower()}: "
                                "operatives call it when a visit goes wrong")
    return not form.errors


def _values(form: OrganisationForm) -> dict:
    values = {field: getattr(form, field).data or "" for field in PHONE_FIELDS}
    values.update(name=form.name.data, web_address=form.web_address.data or "")
    return values
