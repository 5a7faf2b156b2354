"""Rate limits for public pages that anyone can reach without signing in.

Counted in memory per server process (Flask-Limiter): enough to slow down someone hammering a
public page; sign-in has its own lock-out in the database, shared by every process.
"""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=[],
                  headers_enabled=True)
