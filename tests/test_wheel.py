"""What users install: the wheel, in a new virtual environment, in a folder that holds nothing of
the checkout, driven by the README's deployment commands.

An editable install finds templates and modules in the checkout, so it hides a wheel that lacks
them; this test is the only one that sees the package as a server gets it.
"""

import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long enough password for the wheel test"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def deployment_section() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## Deployment\n", 1)[1].split("\n## ", 1)[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(command: list[str], cwd: Path, env: dict, timeout: int = 300) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


class Browser:
    """Just enough of a browser for the sign-in page: cookies, and no redirects followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), self._NoRedirect)

    def get(self, path: str):
        return self._open(urllib.request.Request(self.base_url + path))

    def post(self, path: str, fields: dict):
        body = urllib.parse.urlencode(fields).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=body))

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def installed(tmp_path):
    """fieldapp built as a wheel and installed, with the locked versions, into a new venv."""
    work = tmp_path
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("FIELDAPP_", "PYTHON", "VIRTUAL_ENV"))}
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work / "dist"),
         str(ROOT)], cwd=work, env=env)
    wheel = next((work / "dist").glob("fieldapp-*.whl"))
    run([sys.executable, "-m", "venv", str(work / "venv")], cwd=work, env=env)
    pip = str(work / "venv" / "bin" / "pip")
    for lock in ("pip", "app"):  # the README's order: the pinned pip, then the app's lock file
        lock_file = str(ROOT / f"requirements/{lock}.txt")
        run([pip, "install", "--quiet", "--require-hashes", "-r", lock_file], cwd=work, env=env)
    run([pip, "install", "--quiet", "--no-deps", str(wheel)], cwd=work, env=env)
    site = work / "site"  # an empty folder: nothing of the checkout is reachable from here
    site.mkdir()
    return work, site, env


def assert_the_wheel_carries_its_templates_static_files_and_service_worker(work, site, env):
    where = run([str(work / "venv/bin/python"), "-c",
                 "import fieldapp.core.config as c; print(c.ASSETS_DIR, c.INSTALLED)"],
                cwd=site, env=env).split()
    assets = Path(where[0])
    assert where[1] == "True" and work / "venv" in assets.parents
    for path in ("templates/base.html", "templates/operative/briefing.html",
                 "static/css/app.css", "static/vendor/htmx-2.0.11.min.js", "offline/sw.js"):
        assert (assets / path).is_file(), f"the wheel is missing {path}"


# One test, not two: building and installing the wheel is most of its time, and pytest-xdist
# would do it once for each worker that runs a test of this module.
def test_the_readmes_deployment_runs_from_the_wheel_and_the_admin_signs_in(installed):
    work, site, env = installed
    assert_the_wheel_carries_its_templates_static_files_and_service_worker(work, site, env)
    readme = deployment_section()
    bin_dir = work / "venv" / "bin"
    port = free_port()
    env = {**env, "FIELDAPP_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
           "FIELDAPP_DB": str(site / "fieldapp.db"), "FIELDAPP_BASE_URL": f"http://127.0.0.1:{port}"}

    def fieldapp(*args: str, **extra) -> str:
        assert f"fieldapp {args[0]}" in readme, f"the README's deployment has no `{args[0]}`"
        return run([str(bin_dir / "fieldapp"), *args], cwd=site, env={**env, **extra})

    assert fieldapp("--version").strip() == f"fieldapp {VERSION}"
    assert "Applied" in fieldapp("migrate")
    fieldapp("vapid")
    assert "id 1" in fieldapp("create-landlord", "--name", "Riverside Homes")
    fieldapp("create-user", "--email", "admin@example.org", "--name", "A Admin", "--role", "admin",
             "--organisation", "1", FIELDAPP_PASSWORD=PASSWORD)
    assert "fieldapp serve --host 127.0.0.1 --port" in readme
    server = subprocess.Popen([str(bin_dir / "fieldapp"), "serve", "--host", "127.0.0.1",
                               "--port", str(port)], cwd=site, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        status, _, page = _wait_for_login(browser, server)
        assert status == 200
        stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)[1]
        assert browser.get(stylesheet)[0] == 200
        status, headers, worker = browser.get("/sw.js")
        assert status == 200 and "javascript" in headers["Content-Type"]
        assert "addEventListener" in worker
        status, _, manifest = browser.get("/manifest.webmanifest")
        assert status == 200 and '"start_url"' in manifest
        # The compiled catalogues came with the wheel: a resident's page opens in Arabic.
        status, _, refused = browser.get("/verify/not-a-token?lang=ar")
        assert status == 200 and '<html lang="ar" dir="rtl">' in refused
        assert "لا يمكننا تأكيد هذا الزائر" in refused

        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
        status, headers, _ = browser.post("/login", {"csrf_token": token,
                                                     "email": "admin@example.org",
                                                     "password": PASSWORD})
        assert status in (302, 303) and "/login" not in headers["Location"]
        # An administrator with no passkey yet is led to add one before an admin page opens.
        for _hop in range(3):
            target = urllib.parse.urlsplit(headers["Location"])
            status, headers, home = browser.get(target.path + (
                f"?{target.query}" if target.query else ""))
            if status not in (302, 303):
                break
        assert status == 200 and "A Admin" in home and "passkey" in home
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_for_login(browser: Browser, server: subprocess.Popen):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"fieldapp serve stopped: {server.stderr.read().decode()}")
        try:
            return browser.get("/login")
        except OSError:
            time.sleep(0.3)
    pytest.fail("fieldapp serve did not answer within 60 s")
