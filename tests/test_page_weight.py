"""The app compresses its own responses, and the operative's pages fit the first round trip.

A page under about 14 KB compressed arrives in the first TCP flight: one round trip on a poor
signal. The first load of the app (page, styles, scripts, icon) stays under 50 KB.
"""

import gzip
import re

import pytest
from test_briefing import seed_case  # noqa: F401  (a fixture: the seed's resident and visit)

FIRST_FLIGHT = 14 * 1024
FIRST_LOAD = 50 * 1024
GZIP = {"Accept-Encoding": "gzip"}
# What Chromium sends. Static files are streamed from disk, compressed with brotli or zstandard.
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def compressed_size(response) -> int:
    assert response.status_code == 200, response.status_code
    assert response.headers.get("Content-Encoding") in {"gzip", "br", "zstd"}
    assert "Accept-Encoding" in response.headers.get("Vary", "")
    return len(response.get_data())


def test_pages_are_sent_gzip_compressed_and_read_back_whole(signed_in):
    client = signed_in("operative")
    plain = client.get("/today").get_data()
    response = client.get("/today", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()).count(b"<main") == plain.count(b"<main") == 1
    assert len(response.get_data()) < len(plain) / 2


def test_a_client_that_does_not_ask_for_compression_gets_plain_html(signed_in):
    response = signed_in("operative").get("/today")
    assert "Content-Encoding" not in response.headers
    assert response.get_data().lstrip().startswith(b"<!doctype html>")


@pytest.mark.parametrize("path", ["/static/css/app.css", "/static/js/app.js",
                                  "/static/vendor/htmx-2.0.11.min.js"])
def test_styles_and_scripts_are_sent_compressed(client, path):
    plain = len(client.get(path).get_data())
    assert compressed_size(client.get(path, headers=BROWSER)) < plain / 2


@pytest.mark.parametrize("suffix", ["", "/id-card", "/distress", "/log"])
def test_each_visit_page_fits_in_the_first_round_trip(seed_case, signed_in, suffix):  # noqa: F811
    size = compressed_size(signed_in("operative").get(f"/visits/{seed_case}{suffix}",
                                                       headers=GZIP))
    assert size <= FIRST_FLIGHT, f"{size} bytes"


def test_today_fits_in_the_first_round_trip(seed_case, signed_in):  # noqa: F811
    assert compressed_size(signed_in("operative").get("/today", headers=GZIP)) <= FIRST_FLIGHT


def test_first_load_of_the_app_fits_the_budget(seed_case, signed_in):  # noqa: F811
    client = signed_in("operative")
    page = client.get("/today", headers=GZIP)
    html = gzip.decompress(page.get_data()).decode()
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/static/[^"]+)"', html)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    total = compressed_size(page)
    for asset in assets:
        response = client.get(asset, headers=BROWSER)
        # Images are compressed already: they travel as they are.
        is_image = asset.endswith(".png")
        total += len(response.get_data()) if is_image else compressed_size(response)
    assert total <= FIRST_LOAD, f"{total} bytes"
