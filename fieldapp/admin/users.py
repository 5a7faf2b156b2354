"""Admin: list, add, edit, disable and re-enable users of the admin's landlord and its firms."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.accounts import queries as accounts
from fieldapp.accounts.organisations import organisations_for_landlord
from fieldapp.admin import bp
from fieldapp.admin.forms import UserForm
from fieldapp.admin.queries import visits_booked_today
from fieldapp.core import audit, jobs
from fieldapp.core.access import ADMIN_ROLES, found_or_404, roles
from fieldapp.core.clock import today_local
from fieldapp.core.db import get_db, transaction
from fieldapp.core.forms import render_form
from fieldapp.core.photos import MAX_UPLOAD_BYTES, PhotoError, prepare_photo


def get_user_for_admin_or_404(db, user_id: int):
    """The user, only if they belong to the signed-in admin's landlord or one of its firms."""
    row = accounts.get_user(db, user_id)
    if row is None or row["landlord_id"] != current_user.landlord_id:
        abort(404)
    return row


@bp.get("/users")
@roles(*ADMIN_ROLES)
def users():
    db = get_db()
    return render_template("admin/users.html",
                           users=accounts.users_for_landlord(db, current_user.landlord_id),
                           failed_jobs=jobs.counts(db)["failed"])


@bp.route("/users/new", methods=["GET", "POST"])
@roles(*ADMIN_ROLES)
def new_user():
    db = get_db()
    form = UserForm(organisations=organisations_for_landlord(db, current_user.landlord_id))
    if _accepted(db, form):
        with transaction(db):
            user_id = accounts.create_user(
                db, name=form.name.data, email=form.email.data, password=form.password.data,
                role=form.role.data, organisation_id=form.organisation_id.data,
                badge_number=form.badge_number.data,
                supervisor_phone=form.supervisor_phone.data, phone=form.phone.data or "")
            accounts.set_on_duty(db, user_id, form.on_duty.data)
            accounts.set_attends_female_requests(db, user_id, form.attends_female_requests.data)
            if form.prepared_photo:
                accounts.save_photo(db, user_id, "image/jpeg", form.prepared_photo)
            audit.record("user_created", "user", user_id, db=db)
        flash(f"{form.name.data} can now sign in.", "success")
        return redirect(url_for("admin.users"), code=303)
    return render_form("admin/user_form.html", form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles(*ADMIN_ROLES)
def edit_user(user_id: int):
    db = get_db()
    user = get_user_for_admin_or_404(db, user_id)
    form = UserForm(organisations=organisations_for_landlord(db, current_user.landlord_id),
                    new_user=False, data=None if request.method == "POST" else dict(user))
    if _accepted(db, form, user_id):
        with transaction(db):
            accounts.update_user(
                db, user_id, name=form.name.data, email=form.email.data, role=form.role.data,
                organisation_id=form.organisation_id.data, badge_number=form.badge_number.data,
                supervisor_phone=form.supervisor_phone.data, phone=form.phone.data or "")
            accounts.set_on_duty(db, user_id, form.on_duty.data)
            accounts.set_attends_female_requests(db, user_id, form.attends_female_requests.data)
            if form.password.data:
                accounts.set_password(db, user_id, form.password.data)
            if form.prepared_photo:
                accounts.save_photo(db, user_id, "image/jpeg", form.prepared_photo)
            audit.record("user_updated", "user", user_id, db=db)
        flash(f"Changes to {form.name.data} are saved.", "success")
        return redirect(url_for("admin.users"), code=303)
    return render_form("admin/user_form.html", form, user=user)


def _not_yourself():
    flash("You cannot disable your own account. Ask another administrator.", "error")
    return redirect(url_for("admin.users"), code=303)


@bp.get("/users/<int:user_id>/disable")
@roles(*ADMIN_ROLES)
def confirm_disable_user(user_id: int):
    """A page, not a script's confirm(): it works without JavaScript and can say what the
    person is booked on today, which disabling leaves without anyone the check confirms."""
    db = get_db()
    user = get_user_for_admin_or_404(db, user_id)
    if user["id"] == current_user.id:
        return _not_yourself()
    return render_template("admin/disable_user.html", user=user,
                           visits=visits_booked_today(db, user_id, today_local()))


@bp.post("/users/<int:user_id>/disable")
@roles(*ADMIN_ROLES)
def disable_user(user_id: int):
    db = get_db()
    user = get_user_for_admin_or_404(db, user_id)
    if user["id"] == current_user.id:
        return _not_yourself()
    with transaction(db):
        passkeys = accounts.set_active(db, user_id, False)
        audit.record("user_disabled", "user", user_id, db=db)
        if passkeys:
            audit.record("passkeys_removed", "user", user_id, db=db)
    flash(f"{user['name']} is disabled and signed out everywhere"
          f"{', and their passkeys are removed' if passkeys else ''}.", "success")
    return redirect(url_for("admin.users"), code=303)


@bp.post("/users/<int:user_id>/enable")
@roles(*ADMIN_ROLES)
def enable_user(user_id: int):
    db = get_db()
    user = get_user_for_admin_or_404(db, user_id)
    with transaction(db):
        accounts.set_active(db, user_id, True)
        audit.record("user_enabled", "user", user_id, db=db)
    flash(f"{user['name']} can sign in again.", "success")
    return redirect(url_for("admin.users"), code=303)


@bp.get("/users/<int:user_id>/photo")
@roles(*ADMIN_ROLES)
def user_photo(user_id: int):
    db = get_db()
    get_user_for_admin_or_404(db, user_id)
    photo = found_or_404(accounts.get_photo(db, user_id))
    return photo["image"], 200, {"Content-Type": photo["content_type"]}


def _accepted(db, form: UserForm, user_id: int | None = None) -> bool:
    """Every check runs, so the error summary lists every problem at once, not one per try.

    Sets `form.prepared_photo`: the re-encoded photo, or None when none was chosen.
    """
    form.prepared_photo = None
    if not form.is_submitted():
        return False
    form.validate()
    if user_id == current_user.id and form.role.data and form.role.data != "admin":
        # Otherwise the last administrator could lock everyone out of the users page.
        form.role.errors = ["You cannot change your own role. Ask another administrator."]
    if not form.email.errors and accounts.email_taken(db, form.email.data,
                                                      except_user_id=user_id):
        form.email.errors.append("That email address is already used by another account")
    upload = form.photo.data
    if upload and getattr(upload, "filename", ""):
        try:
            # One byte past the limit is enough for prepare_photo to refuse it.
            form.prepared_photo = prepare_photo(upload.read(MAX_UPLOAD_BYTES + 1))
        except PhotoError as error:
            form.photo.errors = [str(error)]
    return not form.errors

