"""fieldapp: briefings, ID checks, distress guidance and post-visit logs for repairs visits."""

from pathlib import Path

from flask import Flask
from flask_compress import Compress
from flask_htmx import HTMX
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from . import db, migrations, security
from .clock import to_local, today_local
from .config import PROJECT_ROOT, load_config
from .fields import tel_href
from .limits import limiter

HTMX_VERSION = "2.0.11"
csrf = CSRFProtect()
compress = Compress()
htmx = HTMX()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"),
                instance_path=str(PROJECT_ROOT / "instance"))
    app.config.from_mapping(load_config(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    _trust_proxies(app)
    db.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    security.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    _init_login(app)
    _register_blueprints(app)
    _init_templates(app)
    from .cli import register_commands

    register_commands(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind a proxy, the client's address (for lock-out and audit) is in X-Forwarded-For."""
    count = int(app.config.get("FIELDAPP_TRUSTED_PROXIES") or 0)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _init_login(app: Flask) -> None:
    from .auth import login_manager

    login_manager.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from . import (
        adjustments,
        admin,
        alerts,
        auth,
        briefing,
        callers,
        idcard,
        logs,
        measures,
        offline,
        operative,
        push,
        residents,
        schedule,
        verify,
        voice,
    )

    for module in (auth, operative, briefing, idcard, logs, verify, residents, adjustments,
                   schedule, alerts, callers, push, offline, voice, measures, admin):
        app.register_blueprint(module.bp)


def _init_templates(app: Flask) -> None:
    app.jinja_env.globals.update(htmx_version=HTMX_VERSION, tel_href=tel_href)
    app.jinja_env.filters.update(
        local_date=lambda utc: to_local(utc).strftime("%a %-d %b %Y"),
        local_time=lambda utc: to_local(utc).strftime("%H:%M"))

    @app.context_processor
    def today():
        return {"today_iso": today_local().isoformat()}


__all__ = ["create_app", "migrations"]
