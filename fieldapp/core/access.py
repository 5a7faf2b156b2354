"""Who may open which route: every view is wrapped in exactly one of these decorators.

Each marks its view with `access_rule`, so a test can fail when a new route has no rule.
"""

from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user, login_required

# The role sets, defined here once and read by every area.
ROLES = ("operative", "officer", "admin", "supervisor")
ROLE_LABELS = {"operative": "Operative", "officer": "Housing officer", "admin": "Administrator",
               "supervisor": "Supervisor (contractor firm)"}
OPERATIVE_ROLES = ("operative",)
# A firm's supervisor: their operatives' check-ins and escalations; nothing of residents
# beyond what an escalation needs (the visit's address).
SUPERVISOR_ROLES = ("supervisor",)
# Who may turn on push on their devices: those with an inbox, and operatives for the check-in
# reminder (a timer in a closed browser never fires; the server's push does).
PUSH_ROLES = ("officer", "admin", "supervisor", "operative")
OFFICE_ROLES = ("officer", "admin")  # landlord staff: residents, visits, alerts, measures
# Who can be a resident's single point of contact: housing officers, not every office user.
OFFICER_ROLES = ("officer",)
ADMIN_ROLES = ("admin",)
# Roles whose session must have used a passkey (a second factor, OWASP ASVS 2.7/2.8) before
# any page of the role opens; the person is led to use or add one.
SECOND_FACTOR_ROLES = ("admin",)


def public(view):
    """Open to anyone, signed in or not (sign-in page, verification, static files)."""
    view.access_rule = "public"
    return view


def signed_in(view):
    """Any signed-in user, whatever their role."""
    wrapped = login_required(view)
    wrapped.access_rule = "signed_in"
    return wrapped


def roles(*allowed: str):
    """Signed-in users with one of these roles; others get 403, anonymous users the sign-in
    page; a person of SECOND_FACTOR_ROLES whose session has not used a passkey, the page that
    asks for one."""

    def decorator(view):
        @wraps(view)
        def check_role(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            if current_user.role in SECOND_FACTOR_ROLES and not current_user.second_factor:
                return redirect(url_for("passkeys.confirm", next=request.full_path.rstrip("?")))
            return view(*args, **kwargs)

        wrapped = login_required(check_role)
        wrapped.access_rule = "roles:" + ",".join(allowed)
        return wrapped

    return decorator


def found_or_404(row):
    """The row a query found for this viewer, or a 404: a query returns None both for what does
    not exist and for what is not theirs, and the viewer learns nothing about which."""
    if row is None:
        abort(404)
    return row
