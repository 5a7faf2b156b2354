"""One deployment, several landlords: a WSGI application that hands each request to the app of
the landlord whose host name it came to (Flask's "application dispatching" pattern).

Every landlord's app is made when the server process starts, with its templates loaded, and
kept; an unknown host gets 404 and reaches no app at all. With no landlord map
(FIELDAPP_LANDLORDS unset), `create_wsgi()` is simply the one app over FIELDAPP_DB.
"""

import os

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from fieldapp import create_app
from fieldapp.core import landlords as landlord_map
from fieldapp.core import templates


class LandlordDispatcher:
    def __init__(self, landlords: dict[str, landlord_map.Landlord],
                 test_config: dict | None = None):
        # Made now, not on each landlord's first request: made then, an app and its templates
        # (about 25 ms and 10 ms, the first app's templates 400 ms) were paid for by that
        # landlord's first visitors in each server process, while the other requests waited
        # on the lock that made it once (docs/performance.md, many landlords).
        self.apps: dict[str, Flask] = {
            host: ready(create_app(test_config, landlord=landlord))
            for host, landlord in landlords.items()}

    def app_for(self, host: str) -> Flask | None:
        return self.apps.get(host)

    def __call__(self, environ, start_response):
        host = landlord_map.host_name(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))
        app = self.app_for(host)
        if app is None:
            return NotFound()(environ, start_response)
        return app(environ, start_response)


def ready(app: Flask) -> Flask:
    """The app with every page template loaded (compiled once per process, shared by every
    landlord's app: core.templates), so no visitor waits for one."""
    templates.warm(app)
    return app


def create_wsgi(test_config: dict | None = None):
    """What gunicorn serves: the landlord dispatcher when a map is configured, else the app."""
    landlords = landlord_map.configured()
    if not landlords:
        return ready(create_app(test_config))
    dispatcher = LandlordDispatcher(landlords, test_config)
    trusted = int(os.environ.get("FIELDAPP_TRUSTED_PROXIES", "0") or 0)
    # Behind a proxy the host the client asked for may come as X-Forwarded-Host; each
    # landlord's app reads the client's address itself (create_app's ProxyFix).
    return ProxyFix(dispatcher, x_for=0, x_proto=0, x_host=trusted) if trusted else dispatcher
