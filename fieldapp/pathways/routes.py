"""Pathway pages: the officer sets a resident's visit pathway with their agreement; the admin
names the team inbox."""

from datetime import date

from flask import flash, redirect, request, url_for
from flask_login import current_user

from fieldapp.core import audit
from fieldapp.core.access import ADMIN_ROLES, OFFICE_ROLES, found_or_404, roles
from fieldapp.core.db import get_db, transaction, utc_now
from fieldapp.core.forms import render_form
from fieldapp.pathways import bp
from fieldapp.pathways import queries as q
from fieldapp.pathways.forms import PathwayForm, TeamInboxForm


@bp.route("/residents/<int:resident_id>/pathway", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def pathway(resident_id: int):
    db = get_db()
    resident = found_or_404(q.resident_pathway(db, resident_id, current_user.landlord_id))
    stored = None if request.method == "POST" else {
        **dict(resident), "pathway_consent_on": date.fromisoformat(
            resident["pathway_consent_on"]) if resident["pathway_consent_on"] else None,
        "pathway_consent_given_by": resident["pathway_consent_given_by"] or None,
        "pathway_consent_how": resident["pathway_consent_how"] or None}
    form = PathwayForm(advocate_phone=resident["advocate_phone"], data=stored)
    if form.validate_on_submit():
        with transaction(db):
            q.set_pathway(db, resident_id, form.values(), current_user.id, utc_now())
            audit.record("pathway_set", "resident", resident_id, db=db)
        flash("The visit pathway is saved.", "success")
        return redirect(url_for("residents.resident", resident_id=resident_id), code=303)
    return render_form("pathways/pathway.html", form, resident=resident)


@bp.route("/admin/team-inbox", methods=["GET", "POST"])
@roles(*ADMIN_ROLES)
def team_inbox():
    db = get_db()
    landlord_id = current_user.landlord_id
    named = q.team_inbox_of_landlord(db, landlord_id)
    form = TeamInboxForm(users=q.office_users_of_landlord(db, landlord_id),
                         data=None if request.method == "POST" else {
                             "user_id": named["id"] if named and named["active"] else 0})
    if form.validate_on_submit():
        with transaction(db):
            q.set_team_inbox(db, landlord_id, form.user_id.data, utc_now())
            audit.record("team_inbox_named", "organisation", landlord_id, db=db)
        flash("The team inbox is saved.", "success")
        return redirect(url_for("pathways.team_inbox"), code=303)
    return render_form("pathways/team_inbox.html", form, named=named,
                       without_contact=q.residents_without_contact(db, landlord_id))
