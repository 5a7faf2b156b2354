"""Passkeys: the account page that lists, adds and removes them, signing in with one, and the
passkey an administrator's session needs before an admin page opens (core.access).

The ceremonies run in the browser (static/js/passkeys.js, navigator.credentials); each is two
JSON posts: the options (with a stored, single-use challenge), then the browser's answer.
Every add, use, refusal of a known passkey and removal is audited in the change's transaction.
"""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user
from werkzeug.datastructures import MultiDict

from fieldapp.accounts import credentials
from fieldapp.accounts.forms import PasskeyNameForm
from fieldapp.accounts.queries import User
from fieldapp.accounts.routes import home_url_for, safe_next
from fieldapp.accounts.sessions import mark_second_factor, start_session
from fieldapp.core import audit
from fieldapp.core.access import SECOND_FACTOR_ROLES, public, signed_in
from fieldapp.core.db import get_db, transaction
from fieldapp.core.limits import limiter
from fieldapp.core.security import JsonRefused, json_body

bp = Blueprint("passkeys", __name__)

CONFIRM_FIRST = ("You already have a passkey: use it first, on the page that asks for it, "
                 "then add or remove passkeys.")
NO_CREDENTIAL = "Send the passkey your browser gave"


def _may_change_passkeys(db) -> bool:
    """A person with a passkey changes their passkeys only in a session that used one: a
    password alone must not be enough to swap an administrator's second factor."""
    return current_user.second_factor or not credentials.has_passkey(db, current_user.id)


def _refused(message: str, status: int = 400):
    return jsonify(errors={"passkey": message}), status


def _options(options_json: str) -> Response:
    return Response(options_json, mimetype="application/json")


def _credential_body() -> tuple[dict, dict | None]:
    try:
        body = json_body()
    except JsonRefused:
        return {}, None
    return body if isinstance(body, dict) else {}, credentials.credential_from(body)


def _audit_refusal(db, refused: credentials.PasskeyRefused) -> None:
    if refused.passkey is not None:
        audit.record("passkey_refused", "passkey", refused.passkey["passkey_id"],
                     user_id=refused.passkey["id"], db=db)


# The account page: the person's passkeys

@bp.get("/account")
@signed_in
def account():
    db = get_db()
    passkeys = credentials.passkeys_of_user(db, current_user.id)
    added = next((passkey for passkey in passkeys
                  if passkey["id"] == request.args.get("added", type=int)), None)
    return render_template("accounts/account.html", form=PasskeyNameForm(), passkeys=passkeys,
                           added=added, may_change=_may_change_passkeys(db))


@bp.post("/account/passkeys/options")
@signed_in
def add_options():
    db = get_db()
    if not _may_change_passkeys(db):
        return _refused(CONFIRM_FIRST, 403)
    form = PasskeyNameForm()
    if not form.validate():
        return jsonify(errors={name: errors[0] for name, errors in form.errors.items()}), 422
    return _options(credentials.registration_options(db, current_user))


@bp.post("/account/passkeys")
@signed_in
def add_passkey():
    db = get_db()
    if not _may_change_passkeys(db):
        return _refused(CONFIRM_FIRST, 403)
    body, credential = _credential_body()
    form = PasskeyNameForm(formdata=MultiDict({"name": str(body.get("name", ""))}),
                           meta={"csrf": False})
    if not form.validate():
        return jsonify(errors={name: errors[0] for name, errors in form.errors.items()}), 422
    if credential is None:
        return _refused(NO_CREDENTIAL)
    try:
        verified = credentials.check_registration(db, current_user.id, credential)
    except credentials.PasskeyRefused as refused:
        return _refused(str(refused))
    with transaction(db):
        passkey_id = credentials.create_passkey(
            db, user_id=current_user.id, credential_id=credentials.credential_id_text(verified),
            public_key=verified.credential_public_key, sign_count=verified.sign_count,
            name=form.name.data)
        audit.record("passkey_added", "passkey", passkey_id, db=db)
        # The new passkey was just used (with the fingerprint or face that unlocks it), so
        # this session has passed the second factor.
        mark_second_factor(db, current_user.session_token)
    next_url = safe_next(body.get("next"))
    if next_url is None:
        # Said by the account page itself: on a phone, the service worker may fetch other
        # pages meanwhile (the day's briefings), and one of them would take a flashed message.
        return jsonify(redirect=url_for("passkeys.account", added=passkey_id))
    flash(f"Passkey added: {form.name.data.strip()}. Next time, sign in with it.", "success")
    return jsonify(redirect=next_url)


@bp.post("/account/passkeys/<int:passkey_id>/remove")
@signed_in
def remove_passkey(passkey_id: int):
    db = get_db()
    passkey = credentials.passkey_of_user(db, passkey_id, current_user.id)
    if passkey is None:
        abort(404)
    if not _may_change_passkeys(db):
        flash(CONFIRM_FIRST, "error")
        return redirect(url_for("passkeys.confirm", next=url_for("passkeys.account")), code=303)
    with transaction(db):
        credentials.remove_passkey(db, passkey_id, current_user.id)
        audit.record("passkey_removed", "passkey", passkey_id, db=db)
    flash(f"Passkey removed: {passkey['name']}. It cannot be used to sign in any more.",
          "success")
    return redirect(url_for("passkeys.account"), code=303)


# Signing in with a passkey (anyone's: the passkey says whose it is). Limited per address to
# keep the challenge table small; an office behind one address signs in together.

@bp.post("/login/passkey/options")
@public
@limiter.limit("300 per 10 minutes")
def sign_in_options():
    return _options(credentials.authentication_options(get_db(), "sign_in"))


@bp.post("/login/passkey")
@public
@limiter.limit("300 per 10 minutes")
def sign_in():
    db = get_db()
    body, credential = _credential_body()
    if credential is None:
        return _refused(NO_CREDENTIAL)
    try:
        row, sign_count = credentials.check_assertion(db, credential, "sign_in")
    except credentials.PasskeyRefused as refused:
        _audit_refusal(db, refused)
        return _refused(str(refused))
    session.clear()  # a fresh cookie on every sign-in: no session fixation
    with transaction(db):
        credentials.record_use(db, row["passkey_id"], sign_count)
        user = User(row, start_session(db, row["id"], second_factor=True))
        audit.record("sign_in", "user", user.id, user_id=user.id, db=db)
        audit.record("passkey_used", "passkey", row["passkey_id"], user_id=user.id, db=db)
    session.permanent = True
    login_user(user)
    return jsonify(redirect=safe_next(body.get("next")) or home_url_for(user))


# The second factor: an administrator signed in with a password uses their passkey

@bp.get("/account/confirm")
@signed_in
def confirm():
    db = get_db()
    next_url = safe_next(request.args.get("next"))
    if current_user.second_factor:
        return redirect(next_url or home_url_for(current_user))
    has_passkey = credentials.has_passkey(db, current_user.id)
    if not has_passkey and current_user.role not in SECOND_FACTOR_ROLES:
        return redirect(url_for("passkeys.account"))  # nothing to confirm with, nor needed
    return render_template("accounts/confirm.html", form=PasskeyNameForm(), next_url=next_url,
                           has_passkey=has_passkey)


@bp.post("/account/confirm/options")
@signed_in
def confirm_options():
    db = get_db()
    if not credentials.has_passkey(db, current_user.id):
        return _refused("Add a passkey first, on your account page")
    return _options(credentials.authentication_options(db, "second_factor", current_user.id))


@bp.post("/account/confirm")
@signed_in
def confirm_passkey():
    db = get_db()
    body, credential = _credential_body()
    if credential is None:
        return _refused(NO_CREDENTIAL)
    try:
        row, sign_count = credentials.check_assertion(db, credential, "second_factor",
                                                      current_user.id)
    except credentials.PasskeyRefused as refused:
        _audit_refusal(db, refused)
        return _refused(str(refused))
    with transaction(db):
        credentials.record_use(db, row["passkey_id"], sign_count)
        mark_second_factor(db, current_user.session_token)
        audit.record("passkey_used", "passkey", row["passkey_id"], db=db)
    return jsonify(redirect=safe_next(body.get("next")) or home_url_for(current_user))
