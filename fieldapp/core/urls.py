"""Addresses for templates, built with less work than a `url_for` each time.

A page's layout asks for the same dozen addresses on every request (the style sheet, scripts,
icons, the menu), and a list asks for one address per row. Each `url_for` walks werkzeug's
URL builder and quotes the path; on `/today` that was a tenth of the page's time.

- `fixed_url(endpoint, **values)`: for addresses that are the same on every request (an
  endpoint with fixed values, like `static` with a filename): built once per app and path prefix,
  then kept. Not for addresses with a row's value in them (the cache would grow with the rows).
- `url_for_each(endpoint, name)`: for one address per row that differs only by an integer (an
  `<int:...>` rule): `url_for` once, then each row's number put in its place.
"""

from collections.abc import Callable

from flask import current_app, has_request_context, request, url_for

MARKER = 987654321  # stands in for a row's number while the address is built once


def fixed_url(endpoint: str, **values) -> str:
    if not has_request_context():  # a page made for an email or a file: no prefix to key on
        return url_for(endpoint, **values)
    cache = current_app.extensions.setdefault("fieldapp_fixed_urls", {})
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    url = cache.get(key)
    if url is None:
        url = cache[key] = url_for(endpoint, **values)
    return url


def url_for_each(endpoint: str, name: str, **values) -> Callable[[int], str]:
    before, marker, after = url_for(endpoint, **{name: MARKER}, **values).partition(str(MARKER))
    assert marker, f"{endpoint}'s {name} is not in its address"  # noqa: S101  (a template bug)
    return lambda number: f"{before}{int(number)}{after}"
