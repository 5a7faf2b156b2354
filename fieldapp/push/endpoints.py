"""Which push endpoints we will send to: only a browser's own push service, over https.

A subscription's endpoint comes from the browser, but anyone signed in can post any URL as one,
and the worker then POSTs to it with our VAPID signature: without this check that is a way to
make the server call addresses inside our network (server-side request forgery). So:

- https only, on the default port, no user name or password in the address;
- the host is one of the push services' names (PUSH_SERVICE_HOSTS, a host or a parent domain;
  FIELDAPP_PUSH_SERVICE_HOSTS replaces the list);
- every address the name resolves to is a public one: never loopback, private, link-local,
  multicast, unspecified, reserved or shared (carrier NAT) space;
- checked when the device is registered and again by the worker just before each send, since
  a name can change what it points to.

Tests run a push service on loopback; they name its origin in FIELDAPP_TEST_PUSH_ORIGINS, a
setting honoured only by an app created for tests (TESTING and FIELDAPP_ENV=test), never read
from the environment.
"""

import hashlib
import ipaddress
import socket
from urllib.parse import urlsplit

from flask import current_app, has_app_context

# The services browsers subscribe with (checked against each vendor's endpoints, 2026):
# Chrome, Edge on Android, Opera, Samsung Internet and Brave use Firebase Cloud Messaging
# (fcm.googleapis.com; subscriptions from before 2016 still say android.googleapis.com);
# Firefox uses Mozilla's autopush; Edge on Windows uses WNS (*.notify.windows.com); Safari on
# macOS and iOS uses Apple's (web.push.apple.com, under push.apple.com).
PUSH_SERVICE_HOSTS = ("fcm.googleapis.com", "android.googleapis.com",
                      "updates.push.services.mozilla.com", "notify.windows.com",
                      "push.apple.com")

# What the settings page calls a device: its push service's name, never its address (the
# endpoint is a capability, and a long one). A host under none of these is named as it is.
SERVICE_NAMES = (("fcm.googleapis.com", "Chrome / Android (Google)"),
                 ("android.googleapis.com", "Chrome / Android (Google)"),
                 ("push.services.mozilla.com", "Firefox (Mozilla)"),
                 ("notify.windows.com", "Edge / Windows (Microsoft)"),
                 ("push.apple.com", "Safari (Apple)"))

NOT_A_PUSH_SERVICE = ("That address is not a browser's push service, so we cannot send "
                      "notifications to it. Turn notifications on from this page in Chrome, "
                      "Edge, Firefox or Safari.")
NOT_PUBLIC = ("That push service's address is not on the public internet, so we will not send "
              "to it. Try again later; if it keeps happening, tell your administrator.")
UNRESOLVED = ("We could not look up your browser's push service just now. Try again in a few "
              "minutes.")


class EndpointRefused(ValueError):
    """An endpoint we will not send to; `permanent` when no later try can change that."""

    def __init__(self, message: str, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


def service_hosts() -> tuple[str, ...]:
    if has_app_context():
        return tuple(current_app.config.get("FIELDAPP_PUSH_SERVICE_HOSTS") or PUSH_SERVICE_HOSTS)
    return PUSH_SERVICE_HOSTS


def _test_origins() -> tuple[str, ...]:
    if not has_app_context():
        return ()
    config = current_app.config
    if not (current_app.testing and config.get("FIELDAPP_ENV") == "test"):
        return ()
    return tuple(config.get("FIELDAPP_TEST_PUSH_ORIGINS") or ())


def _origin(parts) -> str:
    return f"{parts.scheme}://{parts.netloc}".lower()


def check(endpoint: str) -> None:
    """Raises EndpointRefused unless we may send to this endpoint now."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise EndpointRefused(NOT_A_PUSH_SERVICE, permanent=True) from None
    if _origin(parts) in _test_origins():
        return
    host = (parts.hostname or "").rstrip(".").lower()
    if parts.scheme != "https" or port not in (None, 443) or parts.username is not None \
            or parts.password is not None or not _on_a_service(host):
        raise EndpointRefused(NOT_A_PUSH_SERVICE, permanent=True)
    for address in _addresses(host):
        if not is_public(address):
            raise EndpointRefused(NOT_PUBLIC, permanent=False)


def service_name(endpoint: str) -> str:
    """A device's label: the push service its browser uses ("Firefox (Mozilla)")."""
    try:
        host = (urlsplit(endpoint).hostname or "").rstrip(".").lower()
    except ValueError:
        host = ""
    for suffix, name in SERVICE_NAMES:
        if host == suffix or host.endswith("." + suffix):
            return name
    return host or "A push service"


def fingerprint(endpoint: str) -> str:
    """What the settings page's script compares with this browser's own endpoint to mark "This
    device", without the page carrying the address itself."""
    return hashlib.sha256(endpoint.encode()).hexdigest()


def _on_a_service(host: str) -> bool:
    return any(host == suffix or host.endswith("." + suffix)
               for suffix in (s.strip().lower().lstrip(".") for s in service_hosts()) if suffix)


def _addresses(host: str) -> list[str]:
    try:
        found = socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise EndpointRefused(UNRESOLVED, permanent=False) from None
    addresses = [info[4][0] for info in found]
    if not addresses:
        raise EndpointRefused(UNRESOLVED, permanent=False)
    return addresses


def is_public(text: str) -> bool:
    """True for an address on the public internet; False for loopback, private, link-local,
    multicast, unspecified, reserved and shared space (IPv4-mapped IPv6 unwrapped first)."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (
        address.is_multicast or address.is_private or address.is_loopback
        or address.is_link_local or address.is_reserved or address.is_unspecified)
