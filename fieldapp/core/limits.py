"""Rate limits for public pages that anyone can reach without signing in, and for the few
signed-in actions that queue work for the worker (counted per person: `landlord_and_person`).

Counted in memory per server process (Flask-Limiter): enough to slow down someone hammering a
public page; sign-in has its own lock-out in the database, shared by every process. The count
is kept per landlord (the host asked for) as well as per address: the landlords of one
deployment share the limiter, and one landlord's busy page never slows another's.
"""

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user


def landlord_and_address() -> str:
    return f"{request.host.lower()}|{get_remote_address()}"


def landlord_and_person() -> str:
    """For a route behind sign-in (the limit goes under its access decorator): one count per
    person of this landlord, wherever they send from, however many times they sign in (the
    user's id, not the session token `get_id()` gives)."""
    return f"{request.host.lower()}|user:{current_user.id}"


limiter = Limiter(key_func=landlord_and_address, storage_uri="memory://", default_limits=[],
                  headers_enabled=True)
