"""Who can help: the admin's directory of referral routes (add, edit, disable, enable) and
the officer's "refer" from an alert, recorded as the action taken."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.alerts import queries as alerts
from fieldapp.core import audit
from fieldapp.core.access import ADMIN_ROLES, OFFICE_ROLES, found_or_404, roles
from fieldapp.core.catalogues import REFERRAL_HELPS
from fieldapp.core.db import get_db, transaction, utc_now
from fieldapp.core.forms import render_form
from fieldapp.referrals import bp
from fieldapp.referrals import queries as q
from fieldapp.referrals.forms import ReferForm, RouteForm

HELPS = dict(REFERRAL_HELPS)


@bp.get("/admin/referral-routes")
@roles(*ADMIN_ROLES)
def directory():
    return render_template("referrals/directory.html", helps=HELPS,
                           routes=q.routes_for_admin(get_db(), current_user.landlord_id))


def _accepted(db, form: RouteForm, route_id: int | None = None) -> bool:
    if not form.is_submitted():
        return False
    form.validate()
    if form.name.data and not form.name.errors and q.route_name_taken(
            db, current_user.landlord_id, form.name.data, route_id):
        form.name.errors.append("Another route already has this name")
    return not form.errors


@bp.route("/admin/referral-routes/new", methods=["GET", "POST"])
@roles(*ADMIN_ROLES)
def new_route():
    db = get_db()
    form = RouteForm()
    if _accepted(db, form):
        with transaction(db):
            route_id = q.create_route(db, current_user.landlord_id, form.values(), utc_now())
            audit.record("referral_route_created", "referral_route", route_id, db=db)
        flash(f"{form.name.data} is added to who can help.", "success")
        return redirect(url_for("referrals.directory"), code=303)
    return render_form("referrals/route_form.html", form, route=None)


@bp.route("/admin/referral-routes/<int:route_id>/edit", methods=["GET", "POST"])
@roles(*ADMIN_ROLES)
def edit_route(route_id: int):
    db = get_db()
    route = found_or_404(q.own_route(db, route_id, current_user.landlord_id))
    form = RouteForm(data=None if request.method == "POST" else {
        **route, "helps_with": route["helps"]})
    if _accepted(db, form, route_id):
        with transaction(db):
            q.update_route(db, route_id, form.values(), utc_now())
            audit.record("referral_route_updated", "referral_route", route_id, db=db)
        flash(f"Changes to {form.name.data} are saved.", "success")
        return redirect(url_for("referrals.directory"), code=303)
    return render_form("referrals/route_form.html", form, route=route)


@bp.post("/admin/referral-routes/<int:route_id>/disable")
@roles(*ADMIN_ROLES)
def disable_route(route_id: int):
    return _set_active(route_id, False)


@bp.post("/admin/referral-routes/<int:route_id>/enable")
@roles(*ADMIN_ROLES)
def enable_route(route_id: int):
    return _set_active(route_id, True)


def _set_active(route_id: int, active: bool):
    db = get_db()
    route = found_or_404(q.own_route(db, route_id, current_user.landlord_id))
    with transaction(db):
        q.set_route_active(db, route_id, active, utc_now())
        audit.record("referral_route_" + ("enabled" if active else "disabled"),
                     "referral_route", route_id, db=db)
    flash(f"{route['name']} is {'back on' if active else 'taken off'} the distress card and "
          "the alert pages.", "success")
    return redirect(url_for("referrals.directory"), code=303)


@bp.route("/alerts/<int:alert_id>/refer", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def refer(alert_id: int):
    """Records who the officer referred the resident to: a referral row, and the alert's action
    taken (acknowledging it if nobody had), audited in the same transaction."""
    db = get_db()
    alert = found_or_404(alerts.alert_for_officer(db, alert_id, current_user.id))
    routes = q.active_routes(db, current_user.landlord_id)
    form = ReferForm(routes=routes)
    if alert["status"] != "closed" and form.validate_on_submit():
        route = form.routes[form.route_id.data]
        action = f"Referred to {route['name']}" + (f": {form.note.data}" if form.note.data
                                                    else "")
        with transaction(db):
            referral_id = q.create_referral(db, alert_id, route["id"], current_user.id,
                                            form.note.data or "", utc_now())
            alerts.record_action(db, alert_id, current_user.id, action, utc_now())
            audit.record("referral_made", "referral", referral_id, db=db)
        flash(f"The referral to {route['name']} is recorded on the alert.", "success")
        return redirect(url_for("alerts.alert", alert_id=alert_id), code=303)
    if alert["status"] == "closed" and form.is_submitted():
        form.form_errors.append("This alert is already closed")
    return render_form("referrals/refer.html", form, alert=alert, helps=HELPS,
                       referrals=q.referrals_of_alert(db, alert_id))
