"""Security headers, set in one place for every response, and the plain-English error pages."""

import contextlib
import json
import sqlite3

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext, ngettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from fieldapp.core.db import get_db
from fieldapp.core.i18n import marked, page_language, visitor_language
from fieldapp.core.public import public_header, public_page

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=()"

# status: (heading, what happened, what to do). What a resident can meet is marked for the
# catalogue and read in their language; what only staff meet (403, 413, "ask your
# administrator": PUBLIC_TODO replaces those for a resident) stays English, as staff pages do.
ERROR_PAGES = {
    400: (marked("We could not read that request"),
          marked("Something in the request was not as expected."),
          marked("Go back and try again.")),
    403: ("You cannot open this page", "Your account does not have access to this page.",
          "If you think you should, ask your administrator."),
    404: (marked("Page not found"),
          marked("There is nothing at this address. It may have moved, or the visit or record "
                 "may have been removed."),
          "Check the address, or go back to your home page."),
    405: (marked("That did not work"), marked("This page cannot be used that way."),
          marked("Go back and try again.")),
    413: ("That file is too large", "The file you chose is larger than we accept.",
          "Choose a smaller file and try again."),
    429: (marked("Too many attempts"),
          marked("There have been too many attempts in a short time."),
          marked("Wait a few minutes, then try again.")),
    503: (marked("The system is busy"),
          marked("Too many changes are being saved at this moment. Nothing you sent was "
                 "saved."),
          marked("Wait a few seconds, then send it again.")),
    507: (marked("There is no room to save this"),
          marked("The system's storage is full. Nothing you sent was saved."),
          "Try again later. If it keeps happening, tell your administrator."),
    500: (marked("Something went wrong on our side"), marked("The problem is ours, not yours."),
          "Try again in a few minutes. If it keeps happening, tell your administrator."),
}

# What to do, for someone with no account (a resident): no administrator, no home page.
PUBLIC_TODO = {
    404: marked("Check the address, or open the link again from the message or letter you "
                "were sent."),
    500: marked("Try again in a few minutes. If it keeps happening, ring your landlord on the "
                "number from your letters."),
    507: marked("Try again later, or ring your landlord on the number from your letters."),
}


# Pages for staff who are not signed in yet: their error pages stay English, in staff words.
STAFF_SIGN_IN_BLUEPRINTS = ("auth", "passkeys")


def _for_the_public() -> bool:
    """Someone not signed in gets the public page (landlord's name, no links behind sign-in)
    in their language (the page's, if a resident's page had chosen it, else their browser's),
    and words for a resident. False for staff, signed in or signing in."""
    if current_user and current_user.is_authenticated and public_header() is None:
        return False
    if public_header() is None:
        public_page()
    if request.blueprint in STAFF_SIGN_IN_BLUEPRINTS:
        return False
    if page_language() is None:
        # An error page about the database itself stays in English.
        with contextlib.suppress(sqlite3.Error):
            visitor_language(get_db())
    return True


# A log or a push subscription is a few kilobytes; nothing the app reads as JSON comes near this.
JSON_MAX_BYTES = 64 * 1024
JSON_MAX_DEPTH = 20
JSON_TOO_LARGE = "The request is larger than we accept (64 KB). Send less in one go."
JSON_UNREADABLE = "Send the request as a JSON object."
JSON_TOO_DEEP = f"The request is nested too deeply (more than {JSON_MAX_DEPTH} levels)."


class JsonRefused(ValueError):
    """A JSON body we will not read; `status` is 400 or 413 and the message says why."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status
        self.unreadable = message == JSON_UNREADABLE  # not JSON at all (or empty)


def json_body():
    """The request's JSON body, read with a cap on its size and its nesting depth; raises
    JsonRefused instead of Flask's get_json, whose RecursionError on deep nesting escapes as
    a 500 even with silent=True."""
    if (request.content_length or 0) > JSON_MAX_BYTES:
        raise JsonRefused(JSON_TOO_LARGE, 413)
    data = request.get_data(cache=True)
    return json_from(data)


def json_from(data: bytes | str):
    """JSON text (a body, or a form field carrying JSON beside files), read with the same caps
    as json_body; raises JsonRefused."""
    if len(data) > JSON_MAX_BYTES:
        raise JsonRefused(JSON_TOO_LARGE, 413)
    try:
        body = json.loads(data)
    except RecursionError:
        raise JsonRefused(JSON_TOO_DEEP) from None
    except ValueError:
        raise JsonRefused(JSON_UNREADABLE) from None
    if _depth(body) > JSON_MAX_DEPTH:
        raise JsonRefused(JSON_TOO_DEEP)
    return body


def _depth(value) -> int:
    """How deeply lists and objects nest, counted without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            todo.extend((child, level + 1)
                        for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    # Static files hold nothing personal: no need to look up who is asking.
    if request.endpoint != "static" and current_user and current_user.is_authenticated:
        # Pages behind sign-in hold personal data: no shared or browser HTTP cache keeps them.
        headers.setdefault("Cache-Control", "no-store")
    return response


def render_error(error: HTTPException):
    if error.response is not None:  # the route chose its own answer (a limit's JSON, say)
        return error.response
    status = error.code or 500
    heading, what, todo = ERROR_PAGES.get(status, ERROR_PAGES[400 if status < 500 else 500])
    if request.path.startswith("/api/"):
        return jsonify(errors={"request": f"{what} {_wait_for(error) or todo}"}), status
    public = _for_the_public()  # chooses the page's language: words are written after it
    if public:
        todo = PUBLIC_TODO.get(status, todo)
    # Too many checks of a caller: the resident may have someone at the door right now.
    at_the_door = public and status == 429 and request.path.startswith("/verify/")
    return render_template("core/error.html", status=status, heading=gettext(heading),
                           what=gettext(what), todo=_wait_for(error) or gettext(todo),
                           at_the_door=at_the_door), status


def _wait_for(error: HTTPException) -> str | None:
    """Flask-Limiter's refusal carries the limit that was hit: name its window, so the page
    never tells someone to wait longer, or less, than the limit they met."""
    return wait_for(getattr(getattr(error, "limit", None), "limit", None))


def wait_for(limit) -> str | None:
    """'Wait 10 minutes, then try again.' for a limit (Flask-Limiter's item) of 10 minutes."""
    window = getattr(limit, "get_expiry", None)
    if window is None:
        return None
    minutes = max(1, round(window() / 60))
    if minutes % 60 == 0:
        return ngettext("Wait an hour, then try again.", "Wait %(num)s hours, then try again.",
                        minutes // 60)
    return ngettext("Wait a minute, then try again.", "Wait %(num)s minutes, then try again.",
                    minutes)


def render_csrf_error(_error: CSRFError):
    if request.path.startswith("/api/"):
        # The outbox fetches a fresh token and sends again: this is not the log's fault.
        return jsonify(errors={"csrf_token": "The form expired. Send it again."},
                       code="csrf"), 400
    return render_template("core/csrf.html", public=_for_the_public()), 400


def render_database_trouble(error: sqlite3.OperationalError):
    """Two database troubles a user can wait out, each answered plainly instead of a 500, with
    nothing half-saved (the transaction rolled back); the phone's outbox keeps a log and sends
    it again on any 5xx.

    - locked for the whole busy timeout: 503 "busy" with Retry-After;
    - the disk is full: 507, and the server's log says so for whoever looks after it.
    """
    message = str(error)
    if "locked" in message or "busy" in message:
        status, headers = 503, {"Retry-After": "5"}
    elif getattr(error, "sqlite_errorname", "") == "SQLITE_FULL" or "is full" in message:
        current_app.logger.error("The database's disk is full: %s", message)
        status, headers = 507, {"Retry-After": "60"}
    else:
        raise error
    heading, what, todo = ERROR_PAGES[status]
    if request.path.startswith("/api/"):
        response = jsonify(errors={"request": f"{what} {todo}"})
    else:
        if _for_the_public():
            todo = PUBLIC_TODO.get(status, todo)
        response = render_template("core/error.html", status=status, heading=gettext(heading),
                                   what=gettext(what), todo=gettext(todo))
    return response, status, headers


def init_app(app) -> None:
    app.register_error_handler(sqlite3.OperationalError, render_database_trouble)
    app.after_request(set_security_headers)
    app.register_error_handler(CSRFError, render_csrf_error)
    app.register_error_handler(HTTPException, render_error)
