"""The fieldapp command, run as a user would run it: a real process on a real database file."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from fieldapp.cli import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
FIELDAPP = str(Path(sys.executable).parent / "fieldapp")


def run(tmp_path, *args, env=None, check=True):
    environment = {**os.environ, "FIELDAPP_DB": str(tmp_path / "cli.db"),
                   "FIELDAPP_ENV": "development", **(env or {})}
    result = subprocess.run([FIELDAPP, *args], capture_output=True, text=True, env=environment,
                            timeout=60, check=False)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_every_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for command in COMMANDS:
        assert f"fieldapp {command.name}" in readme, f"document `fieldapp {command.name}`"


def test_a_new_installation_from_the_command_line(tmp_path):
    assert "Applied" in run(tmp_path, "migrate").stdout
    assert "id 1" in run(tmp_path, "create-landlord", "--name", "Riverside Homes").stdout
    created = run(tmp_path, "create-user", "--email", "a@example.org", "--name", "A Admin",
                  "--role", "admin", "--organisation", "1",
                  env={"FIELDAPP_PASSWORD": "a long enough password"})
    assert "Created admin a@example.org" in created.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--organisation", "1", "--email", "a@example.org"], "already has an account"),
    (["--organisation", "99", "--email", "b@example.org"], "no organisation with id 99"),
])
def test_create_user_refuses_clearly(tmp_path, args, message):
    run(tmp_path, "create-landlord", "--name", "Riverside Homes")
    run(tmp_path, "create-user", "--email", "a@example.org", "--name", "A", "--role", "admin",
        "--organisation", "1", env={"FIELDAPP_PASSWORD": "a long enough password"})
    result = run(tmp_path, "create-user", "--name", "B", "--role", "admin", *args,
                 env={"FIELDAPP_PASSWORD": "a long enough password"}, check=False)
    assert result.returncode != 0 and message in result.stderr


def test_create_user_refuses_a_short_password(tmp_path):
    run(tmp_path, "create-landlord", "--name", "Riverside Homes")
    result = run(tmp_path, "create-user", "--email", "a@example.org", "--name", "A", "--role",
                 "admin", "--organisation", "1", env={"FIELDAPP_PASSWORD": "short"}, check=False)
    assert result.returncode != 0 and "12 characters" in result.stderr


def test_demo_prints_the_accounts_and_refuses_a_real_database(tmp_path):
    output = run(tmp_path, "demo").stdout
    for email in ("admin@demo.test", "officer2@demo.test", "operative2@demo.test"):
        assert email in output
    other = tmp_path / "real"
    other.mkdir()
    run(other, "create-landlord", "--name", "Real Homes")
    run(other, "create-user", "--email", "a@example.org", "--name", "A", "--role", "admin",
        "--organisation", "1", env={"FIELDAPP_PASSWORD": "a long enough password"})
    refused = run(other, "demo", check=False)
    assert refused.returncode != 0 and "not a demo database" in refused.stderr


def test_demo_is_refused_in_production(tmp_path):
    result = run(tmp_path, "demo", env={"FIELDAPP_ENV": "production",
                                         "SECRET_KEY": "k" * 48}, check=False)
    assert result.returncode != 0 and "production" in result.stderr


def test_serve_runs_gunicorn_and_answers(tmp_path):
    port = _free_port()
    environment = {**os.environ, "FIELDAPP_DB": str(tmp_path / "serve.db"),
                   "FIELDAPP_ENV": "development"}
    server = subprocess.Popen([FIELDAPP, "serve", "--port", str(port), "--workers", "1"],
                              env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/login")
        assert response.status == 200
        assert response.headers["Server"].startswith("gunicorn")
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serve_with_granian_serves_the_same_app(tmp_path):
    pytest.importorskip("granian")  # the bench extra: not installed by requirements/test.txt
    port = _free_port()
    environment = {**os.environ, "FIELDAPP_DB": str(tmp_path / "serve.db"),
                   "FIELDAPP_ENV": "development"}
    server = subprocess.Popen([FIELDAPP, "serve", "--port", str(port), "--workers", "1",
                               "--server", "granian"],
                              env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        response = _wait_for(f"http://127.0.0.1:{port}/login")
        assert response.status == 200
        assert not response.headers.get("Server", "").startswith("gunicorn")
        assert "Sign in" in response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return urllib.request.urlopen(url, timeout=2)  # noqa: S310  (loopback test URL)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
