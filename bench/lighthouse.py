"""Lighthouse (mobile, default Slow 4G throttling) on an operative's /today and a briefing, and
the page weights of every operative page.

Run: .venv/bin/python bench/lighthouse.py --db PATH
PATH is a database made by `fieldapp bench-data` (copied first). Lighthouse comes from
bench/package.json (bench/run installs it) and drives Debian's Chromium. Prints, per page: the
performance score, LCP, CLS, total blocking time, whether the app is installable; then each
page's gzip-compressed size and the first load (page, styles, scripts, icon). Asserts nothing.
"""

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import PASSWORD, copy_database, free_port, start_server  # noqa: E402

BENCH = Path(__file__).resolve().parent
LIGHTHOUSE = BENCH / "node_modules/.bin/lighthouse"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync")


def signed_in_opener(base: str, email: str):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    form = urllib.parse.urlencode({"csrf_token": token, "email": email,
                                   "password": PASSWORD}).encode()
    opener.open(f"{base}/login", data=form).read()
    return opener


def cookie_header(opener) -> str:
    jar = next(h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    return "; ".join(f"{c.name}={c.value}" for c in jar.cookiejar)


def lighthouse(url: str, cookie: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
             "--only-categories=performance,pwa", "--form-factor=mobile",
             f"--chrome-flags={CHROME_FLAGS}", f"--extra-headers={json.dumps({'Cookie': cookie})}"],
            check=True, env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180)
        result = json.loads(report.read_text())
    audits = result["audits"]
    return {"performance": round(result["categories"]["performance"]["score"] * 100),
            "lcp_s": audits["largest-contentful-paint"]["numericValue"] / 1000,
            "cls": audits["cumulative-layout-shift"]["numericValue"],
            "tbt_ms": audits["total-blocking-time"]["numericValue"],
            "installable": audits["installable-manifest"]["score"] == 1}


def gzip_size(opener, url: str) -> int:
    return len(gzip.compress(opener.open(url).read(), compresslevel=6))


def page_weights(opener, base: str, visit: str) -> dict:
    pages = {"/today": "/today", "briefing": f"/visits/{visit}",
             "ID card": f"/visits/{visit}/id-card", "distress card": f"/visits/{visit}/distress",
             "log form": f"/visits/{visit}/log"}
    weights = {name: gzip_size(opener, base + path) for name, path in pages.items()}
    html = opener.open(f"{base}/today").read().decode()
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(/static/[^"]+)"', html)
    first_load = weights["/today"] + sum(
        len(opener.open(base + a).read()) if a.endswith(".png") else gzip_size(opener, base + a)
        for a in assets)
    return {**weights, "first load": first_load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "lighthouse.db"
        copy_database(args.db, db)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(db, port, workers=2, threads=4)
        try:
            opener = signed_in_opener(base, "operative-1@bench.test")
            visit = re.search(r'href="/visits/(\d+)"', opener.open(f"{base}/today").read()
                              .decode())[1]
            print("Lighthouse, mobile, Slow 4G (150 ms, 1.6 Mbps, CPU x4):")
            figures = {}
            for name, path in (("/today", "/today"), ("briefing", f"/visits/{visit}")):
                figures[name] = lighthouse(base + path, cookie_header(opener))
                f = figures[name]
                print(f"  {name:<10} performance {f['performance']}, LCP {f['lcp_s']:.2f} s, "
                      f"CLS {f['cls']:.3f}, TBT {f['tbt_ms']:.0f} ms, installable "
                      f"{'yes' if f['installable'] else 'no'}")
            print("Page weight, gzip-compressed (budget 14 KB a page, 50 KB the first load):")
            for name, size in page_weights(opener, base, visit).items():
                print(f"  {name:<14} {size / 1024:5.1f} KB")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
