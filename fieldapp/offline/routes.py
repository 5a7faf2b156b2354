"""The installable, offline app: the web manifest, the service worker, the list of pages an
operative's phone keeps for no signal, and the pages the phone shows when it has none.

What is stored on the phone, for how long and why: docs/offline.md.
"""

import hashlib
import json
from functools import cache

from flask import Blueprint, Response, jsonify, render_template, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from fieldapp.accounts.queries import get_photo
from fieldapp.core.access import OPERATIVE_ROLES, public, roles, signed_in
from fieldapp.core.catalogues import catalogue
from fieldapp.core.clock import today_local
from fieldapp.core.config import ASSETS_DIR
from fieldapp.core.db import get_db
from fieldapp.operative.queries import visits_for_operative

bp = Blueprint("offline", __name__)

SERVICE_WORKER = ASSETS_DIR / "offline" / "sw.js"
STATIC = ASSETS_DIR / "static"
# The app shell: what every page needs, cached when the service worker installs. No user data.
SHELL_FILES = ["css/app.css", "js/outbox.js", "js/photos.js", "js/app.js", "js/checkin.js",
               "icons/icon-192.png"]
THEME_COLOUR = "#0b3d5c"


@cache
def _shell_version(htmx_file: str) -> str:
    """Changes whenever a shell file or the worker changes, so phones fetch the new shell."""
    digest = hashlib.sha256(SERVICE_WORKER.read_bytes())
    for name in [*SHELL_FILES, htmx_file]:
        digest.update((STATIC / name).read_bytes())
    return digest.hexdigest()[:12]


def _shell_urls(htmx_file: str) -> list[str]:
    files = [url_for("static", filename=name) for name in [*SHELL_FILES, htmx_file]]
    return [*files, url_for("offline.offline_page")]


@bp.get("/sw.js")
@public
def service_worker():
    """Served from the root so its scope is the whole app; the shell list is filled in here."""
    from fieldapp.core.extensions import HTMX_VERSION

    htmx_file = f"vendor/htmx-{HTMX_VERSION}.min.js"
    source = (SERVICE_WORKER.read_text()
              .replace('"__VERSION__"', json.dumps(_shell_version(htmx_file)))
              .replace('["__SHELL__"]', json.dumps(_shell_urls(htmx_file))))
    response = Response(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
@public
def manifest():
    icons = [{"src": url_for("static", filename=f"icons/{name}"), "sizes": size,
              "type": "image/png", "purpose": purpose}
             for name, size, purpose in [("icon-192.png", "192x192", "any"),
                                         ("icon-512.png", "512x512", "any"),
                                         ("icon-maskable-512.png", "512x512", "maskable")]]
    body = {"name": "fieldapp", "short_name": "fieldapp", "id": "/today",
            "description": "Your visits, briefings, ID card and logs, with or without signal.",
            "start_url": "/today", "scope": "/", "display": "standalone",
            "background_color": "#ffffff", "theme_color": THEME_COLOUR, "lang": "en-GB",
            "icons": icons}
    return Response(json.dumps(body), mimetype="application/manifest+json")


@bp.get("/offline")
@public
def offline_page():
    """Cached by the service worker with the shell; it lists what this phone has saved."""
    return render_template("offline/offline.html")


@bp.get("/outbox")
@public
def outbox():
    """Logs kept on this phone: the list is drawn by the page's script from the phone's outbox.
    Open without a session too: an operative who was signed out or disabled with logs unsent
    can still read what they wrote and show it to their supervisor. The page itself holds no
    one's data, only the catalogue's words for the codes a log is kept in."""
    words = catalogue(get_db())
    return render_template("offline/outbox.html", words={
        "outcome": {code: o.label for code, o in words.outcomes.items()},
        "no_access_reason": words.no_access_reasons, "distress": words.distress_levels,
        "concerns": {code: c.label for code, c in words.concerns.items()}})


@bp.get("/api/session")
@signed_in
def session_info():
    """Who is signed in, and a CSRF token for this session: the outbox asks before it sends,
    so logs written before a sign-in expired still send after signing in again."""
    return jsonify(user=current_user.id, csrf_token=generate_csrf())


@bp.get("/api/offline-pack")
@roles(*OPERATIVE_ROLES)
def offline_pack():
    """The pages this operative's phone keeps for no signal: their own visits today and
    tomorrow, and nothing else. Each page has the day after which the phone deletes it."""
    day = today_local()
    db = get_db()
    pages = [_page("operative.today", "My day", day),
             _page("offline.outbox", "Logs on this phone", None)]
    if get_photo(db, current_user.id) is not None:
        pages.append(_page("idcard.my_photo", "", None))
    for visit in visits_for_operative(db, current_user.id, day):
        when = "today" if visit["local_day"] == day else "tomorrow"
        label = f"{visit['trade']}, {visit['window']} {when}"
        pages.append(_page("briefing.briefing", f"Briefing: {label}", visit["local_day"],
                           visit_id=visit["id"]))
        # Reached from the briefing, so the no-signal page does not list them again.
        for endpoint in ("idcard.id_card", "briefing.distress", "logs.log_form"):
            pages.append(_page(endpoint, "", visit["local_day"], visit_id=visit["id"]))
    return jsonify(user=current_user.id, day=day.isoformat(), pages=pages)


def _page(endpoint: str, title: str, day, **values) -> dict:
    return {"url": url_for(endpoint, **values), "title": title,
            "day": day.isoformat() if day else None}
