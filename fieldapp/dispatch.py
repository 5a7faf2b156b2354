"""One deployment, several landlords: a WSGI application that hands each request to the app of
the landlord whose host name it came to (Flask's "application dispatching" pattern).

Each landlord's app is made on its first request and kept; an unknown host gets 404 and reaches
no app at all. With no landlord map (FIELDAPP_LANDLORDS unset), `create_wsgi()` is simply the
one app over FIELDAPP_DB.
"""

import os
import threading

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from fieldapp import create_app
from fieldapp.core import landlords as landlord_map


class LandlordDispatcher:
    def __init__(self, landlords: dict[str, landlord_map.Landlord],
                 test_config: dict | None = None):
        self.landlords = landlords
        self.test_config = test_config
        self.apps: dict[str, Flask] = {}
        self.lock = threading.Lock()

    def app_for(self, host: str) -> Flask | None:
        landlord = self.landlords.get(host)
        if landlord is None:
            return None
        with self.lock:
            if host not in self.apps:
                self.apps[host] = create_app(self.test_config, landlord=landlord)
            return self.apps[host]

    def __call__(self, environ, start_response):
        host = landlord_map.host_name(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))
        app = self.app_for(host)
        if app is None:
            return NotFound()(environ, start_response)
        return app(environ, start_response)


def create_wsgi(test_config: dict | None = None):
    """What gunicorn serves: the landlord dispatcher when a map is configured, else the app."""
    landlords = landlord_map.configured()
    if not landlords:
        return create_app(test_config)
    dispatcher = LandlordDispatcher(landlords, test_config)
    trusted = int(os.environ.get("FIELDAPP_TRUSTED_PROXIES", "0") or 0)
    # Behind a proxy the host the client asked for may come as X-Forwarded-Host; each
    # landlord's app reads the client's address itself (create_app's ProxyFix).
    return ProxyFix(dispatcher, x_for=0, x_proto=0, x_host=trusted) if trusted else dispatcher
