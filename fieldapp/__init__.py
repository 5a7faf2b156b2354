"""fieldapp: briefings, ID checks, distress guidance and post-visit logs for repairs visits.

create_app() is the one place that knows every area: it wires the core's extensions and each
area's blueprints together. The map of the areas is docs/architecture.md.
"""

import importlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from fieldapp.core import db, i18n, security, templates, words
from fieldapp.core.access import ROLE_LABELS
from fieldapp.core.clock import today_local, when_in_words
from fieldapp.core.config import ASSETS_DIR, instance_path, load_config
from fieldapp.core.extensions import HTMX_VERSION, compress, csrf, htmx
from fieldapp.core.fields import is_real_date, sms_href, tel_href
from fieldapp.core.landlords import Landlord
from fieldapp.core.landlords import app_config as landlord_app_config
from fieldapp.core.limits import limiter
from fieldapp.core.public import public_header
from fieldapp.core.urls import fixed_url, url_for_each

try:
    __version__ = version("fieldapp")
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+unknown"

# Every module that adds routes, in the order their blueprints are registered. A package's
# __init__ makes its blueprint and imports nothing, so importing one query module never pulls
# in an area's routes.
ROUTE_MODULES = (
    "accounts.routes", "accounts.passkeys", "operative.routes", "operative.briefing",
    "operative.idcard",
    "logs.routes", "caller_check.routes", "residents.routes", "adjustments.routes",
    "schedule.routes", "schedule.steps", "schedule.import_routes", "alerts.routes",
    "caller_check.officer", "push.routes", "offline.routes", "voice.feedback", "voice.rebook",
    "voice.officer_links", "choice.resident", "choice.officer",
    "measures.routes", "admin.organisations", "admin.users", "admin.jobs",
    "admin.languages", "messages.routes",
    "pauses.routes", "pauses.partner",
    "pathways.routes", "referrals.routes",
    "checkin.routes", "checkin.team",
)


def create_app(test_config: dict | None = None, landlord: Landlord | None = None) -> Flask:
    """The app over one database: FIELDAPP_DB's, or one landlord's of a landlord map (its file,
    web address and signing key: `core.landlords.app_config`)."""
    app = Flask(__name__, template_folder=str(ASSETS_DIR / "templates"),
                static_folder=str(ASSETS_DIR / "static"), instance_path=instance_path())
    app.config.from_mapping(load_config(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    if landlord is not None:
        app.config.update(landlord_app_config(landlord, app.config["SECRET_KEY"]))
    _trust_proxies(app)
    db.init_app(app)
    _allow_photo_uploads(app)  # before CSRF protection reads the form
    csrf.init_app(app)
    htmx.init_app(app)
    security.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    i18n.init_app(app)
    _init_login(app)
    _register_blueprints(app)
    _init_templates(app)
    from fieldapp.cli import register_commands

    register_commands(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind a proxy, the client's address (for lock-out and audit) is in X-Forwarded-For."""
    count = int(app.config.get("FIELDAPP_TRUSTED_PROXIES") or 0)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _allow_photo_uploads(app: Flask) -> None:
    """A log may carry up to 5 photos, straight from the camera when JavaScript is off: its
    form and the outbox's API take a larger body than any other route, from a signed-in
    operative only. CSRF protection reads the whole form before a route's access check runs,
    so anyone else's body over the usual limit is refused (413) before it is read."""
    from flask import request
    from flask_login import current_user

    from fieldapp.core.access import OPERATIVE_ROLES
    from fieldapp.logs.photos import MAX_LOG_BODY, PHOTO_ENDPOINTS

    @app.before_request
    def larger_body_for_photos():
        if request.endpoint in PHOTO_ENDPOINTS and current_user.is_authenticated \
                and current_user.role in OPERATIVE_ROLES:
            request.max_content_length = MAX_LOG_BODY


def _init_login(app: Flask) -> None:
    from fieldapp.accounts.routes import login_manager

    login_manager.init_app(app)


def _register_blueprints(app: Flask) -> None:
    blueprints = []
    for name in ROUTE_MODULES:
        blueprint = importlib.import_module(f"fieldapp.{name}").bp
        # Modules of one area may share their package's blueprint: register each once.
        if blueprint not in blueprints:
            blueprints.append(blueprint)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def _init_templates(app: Flask) -> None:
    templates.share_compiled_templates(app)
    app.jinja_env.globals.update(htmx_version=HTMX_VERSION, tel_href=tel_href,
                                 sms_href=sms_href, role_labels=ROLE_LABELS,
                                 fixed_url=fixed_url, url_for_each=url_for_each)
    # Dates in words and plain counts, from one place (core.words); local_date and local_time
    # are the older names of date_words and time_words.
    app.jinja_env.filters.update(words.FILTERS, local_date=words.date_words,
                                 local_time=words.time_words,
                                 when_in_words=when_in_words)
    app.jinja_env.tests["real_date"] = is_real_date

    @app.context_processor
    def today():
        # public_header: the landlord's name on a page for the public, None on the app's own.
        return {"today_iso": today_local().isoformat(), "public_header": public_header()}


__all__ = ["__version__", "create_app"]
