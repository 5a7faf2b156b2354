"""The scanners that run here, against the real app on a loopback port (run by scripts/audit):

- bandit over fieldapp/: no finding of high severity;
- sqlmap (Debian's) against the resident search and the JSON log endpoint, signed in:
  no injectable parameter;
- every page of the demo, as each role, carries the security headers; the pages anyone opens
  without a form (no signal, not found, the QR code's answer) set no cookie;
- the W3C Nu Html Checker (npm vnu-jar, on Debian's Java) over the HTML of those pages: no error.

Prints what it did and found; exits 1 on any finding.
"""

import json
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
from lighthouse import cookie_header, signed_in_opener  # noqa: E402
from load import free_port, start_server  # noqa: E402

from markup import html_errors  # noqa: E402

VERBOSE = "-v" in sys.argv
REQUIRED_HEADERS = ["Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                    "Referrer-Policy", "Permissions-Policy", "Cross-Origin-Opener-Policy"]
PAGES = {"officer@demo.test": ["/inbox", "/residents", "/residents?q=Brennan", "/residents/new",
                               "/schedule/new", "/schedule/import", "/adjustments/due",
                               "/measures", "/measures/export.csv", "/settings/notifications"],
         "operative@demo.test": ["/today", "/outbox", "/offline", "/api/session",
                                 "/api/offline-pack", "/me/photo", "/no-such-page"],
         "admin@demo.test": ["/admin/users", "/admin/users/new", "/admin/organisations"],
         None: ["/login", "/check-caller", "/manifest.webmanifest", "/sw.js", "/today",
                "/static/css/app.css"]}


def bandit() -> bool:
    result = subprocess.run([str(ROOT / ".venv/bin/bandit"), "-r", "fieldapp", "-q", "-f",
                             "json"], cwd=ROOT, capture_output=True, text=True)
    found = json.loads(result.stdout)["results"]
    by_severity = {level: [f for f in found if f["issue_severity"] == level]
                   for level in ("HIGH", "MEDIUM", "LOW")}
    print("bandit: " + ", ".join(f"{len(v)} {k.lower()}" for k, v in by_severity.items()))
    for finding in by_severity["HIGH"] + by_severity["MEDIUM"]:
        print(f"  {finding['filename']}:{finding['line_number']} {finding['issue_text']}")
    return not by_severity["HIGH"]


def signed_in(base: str, email: str):
    """An opener signed in as this person, its cookie header, CSRF token and home page."""
    opener = signed_in_opener(base, email)
    home = opener.open(f"{base}/").read().decode()
    return (opener, cookie_header(opener), re.search(r'"X-CSRFToken": "([^"]+)"', home)[1],
            home)


def sqlmap(name: str, url: str, cookie: str, extra: list[str]) -> bool:
    with tempfile.TemporaryDirectory() as output:
        result = subprocess.run(
            ["sqlmap", "-u", url, "--cookie", cookie, "--batch", "--level", "2", "--risk", "1",
             "--flush-session", "--disable-coloring", "--output-dir", output,
             "--skip", "csrf_token", *extra], capture_output=True, text=True, timeout=1200)
    text = result.stdout
    if VERBOSE:
        print(text)
    injectable = re.findall(r"Parameter: (.+) \(", text)
    tested = sorted(set(re.findall(
        r"testing if (?:\(custom\) )?(?:\w+ )?parameter '([^']+)' is dynamic", text)))
    print(f"sqlmap {name}: parameters tested {', '.join(tested) or 'none'}; "
          f"injectable: {', '.join(injectable) or 'none'}")
    if not tested:
        print(text[-2000:])
    return bool(tested) and not injectable


def answer(opener, url: str):
    """The headers and body of the answer, whatever its status: error pages need them too."""
    try:
        with opener.open(url) as response:
            return response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.headers, error.read()


def headers_everywhere(base: str, html_folder: Path) -> bool:
    missing = []
    for email, paths in PAGES.items():
        opener = signed_in(base, email)[0] if email else urllib.request.build_opener()
        for path in paths:
            headers, body = answer(opener, base + path)
            if headers.get_content_type() == "text/html":
                name = re.sub(r"\W+", "-", f"{email or 'anonymous'}{path}")
                (html_folder / f"{name}.html").write_bytes(body)
            absent = [h for h in REQUIRED_HEADERS if h not in headers]
            if email and headers.get("Cache-Control") != "no-store":
                absent.append("Cache-Control: no-store")
            if absent:
                missing.append(f"{path} ({email or 'anonymous'}): {', '.join(absent)}")
    count = sum(len(p) for p in PAGES.values())
    print(f"security headers: {count} pages checked, {len(missing)} missing something")
    for line in missing:
        print("  " + line)
    return not missing


def no_cookie_without_a_form(base: str) -> bool:
    """Someone with no account who opens a page with no form is given no cookie (a real QR
    code's answer is checked in tests/test_security.py)."""
    paths = ["/offline", "/no-such-page", "/verify/not-a-token", "/f/not-a-token",
             "/r/not-a-token"]
    cookies = [path for path in paths
               if "Set-Cookie" in answer(urllib.request.build_opener(), base + path)[0]]
    print(f"cookies: {len(paths)} public pages without a form checked, {len(cookies)} set one"
          + (f": {', '.join(cookies)}" if cookies else ""))
    return not cookies


def nu_html_checker(html_folder: Path) -> bool:
    pages = sorted(html_folder.glob("*.html"))
    errors = html_errors(pages)
    print(f"Nu Html Checker: {len(pages)} pages checked, {len(errors)} errors")
    for line in errors:
        print("  " + line)
    return not errors


def main() -> int:
    ok = bandit()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "audit.db"
        subprocess.run([str(ROOT / ".venv/bin/fieldapp"), "demo"], check=True,
                       env={"FIELDAPP_DB": str(db), "PATH": "/usr/bin:/bin"},
                       stdout=subprocess.DEVNULL)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(db, port, workers=2, threads=4)
        try:
            html_folder = Path(folder) / "html"
            html_folder.mkdir()
            ok &= headers_everywhere(base, html_folder)
            ok &= nu_html_checker(html_folder)
            ok &= no_cookie_without_a_form(base)
            _, cookie, _, _ = signed_in(base, "officer@demo.test")
            ok &= sqlmap("resident search", f"{base}/residents?q=Brennan", cookie, [])
            _, cookie, token, today = signed_in(base, "operative@demo.test")
            visit = int(re.search(r'href="/visits/(\d+)"', today)[1])
            body = json.dumps({"client_id": "0b6f6f8e-6d5e-4c1a-9f0e-2f7d1c3b5a79",
                               "visit_id": visit, "outcome": "completed", "distress": "none",
                               "concerns": [], "note": "Fitted", "follow_up": ""})
            ok &= sqlmap("log API (JSON)", f"{base}/api/logs", cookie,
                         ["--data", body, "--headers", f"X-CSRFToken: {token}\n"
                          "Content-Type: application/json"])
        finally:
            server.terminate()
            server.wait(timeout=10)
    print("audit: " + ("nothing found" if ok else "FINDINGS above"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
