"""Signing in and out, and sending each person to the home page of their role."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import LoginManager, current_user, login_url, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired, Length

from fieldapp.accounts.queries import User, check_credentials
from fieldapp.accounts.sessions import (
    clear_sign_in_failures,
    end_session,
    record_sign_in_failure,
    sign_in_pause,
    start_session,
    user_for_session,
)
from fieldapp.core import audit
from fieldapp.core.access import public, signed_in
from fieldapp.core.db import get_db, transaction

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"

ROLE_HOMES = {"operative": "operative.today", "officer": "residents.search",
              "admin": "admin.users", "supervisor": "team.team"}
WRONG_CREDENTIALS = "Enter a correct email address and password"
LOCKED_OUT = ("There have been too many wrong passwords for this email address from this "
              "network, so we have paused signing in with it here for 15 minutes. Wait, then "
              "try again, or ask your administrator to set a new password. Signing in from "
              "another network is not affected.")
SLOWED = ("Many sign-ins have gone wrong from this network in the last few minutes, so we are "
          "slowing them down. Wait {seconds} seconds, then sign in again.")


@login_manager.unauthorized_handler
def unauthorized():
    """Pages send the person to sign in; the phone's outbox gets a 401 it can act on (a
    redirect to the sign-in page would look like a success to a script)."""
    if request.path.startswith("/api/"):
        return jsonify(errors={"session": "Sign in again to send this"}), 401
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


@login_manager.user_loader
def load_user(token: str) -> User | None:
    return user_for_session(get_db(), token)


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[
        InputRequired("Enter your email address"),
        Length(max=320, message="Email address must be 320 characters or fewer")])
    password = PasswordField("Password", validators=[
        InputRequired("Enter your password"),
        Length(max=200, message="Password must be 200 characters or fewer")])


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, scheme or protocol-relative URL."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return None
    return target


def home_url_for(user: User) -> str:
    return url_for(ROLE_HOMES[user.role])


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    form = LoginForm()
    next_url = safe_next(request.values.get("next"))
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form, next_url=next_url)
    db = get_db()
    email, address = form.email.data.strip(), request.remote_addr or ""
    pause = sign_in_pause(db, email, address)
    if pause is not None:
        form.form_errors.append(LOCKED_OUT if pause.kind == "locked"
                                else SLOWED.format(seconds=pause.seconds))
        return (render_template("accounts/login.html", form=form, next_url=next_url), 429,
                {"Retry-After": str(pause.seconds)})
    row = check_credentials(db, email, form.password.data)
    if row is None:
        record_sign_in_failure(db, email, address)
        form.form_errors.append(WRONG_CREDENTIALS)
        return render_template("accounts/login.html", form=form, next_url=next_url), 200
    clear_sign_in_failures(db, email, address)
    _begin_session(db, row)
    return redirect(next_url or home_url_for(current_user), code=303)


def _begin_session(db, row) -> None:
    # A fresh cookie and a fresh server-side token on every sign-in: no session fixation.
    session.clear()
    with transaction(db):
        user = User(row, start_session(db, row["id"]))
        audit.record("sign_in", "user", user.id, user_id=user.id, db=db)
    session.permanent = True
    login_user(user)


@bp.post("/logout")
@signed_in
def logout():
    db = get_db()
    with transaction(db):
        audit.record("sign_out", "user", current_user.id, db=db)
        end_session(db, current_user.session_token)
    logout_user()
    session.clear()
    response = redirect(url_for("auth.login", signed_out=1), code=303)
    # The browser drops its HTTP cache of our pages; the service worker clears its own
    # caches when it sees this request (see offline/sw.js).
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.get("/")
@signed_in
def home():
    return redirect(home_url_for(current_user))
