"""Several landlords on one service, one SQLite file each, chosen by host name: nothing made for
one landlord (a session, a caller token, a feedback link, an alert) opens anything of another's.

The three files start as copies of the same test world, so the same ids exist in each: a token
or cookie refused on another host is refused because it was made for another landlord, not
because its visit or alert is missing there.
"""

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from fieldapp.alerts.queries import insert_alert
from fieldapp.core import jobs, landlords, templates
from fieldapp.core.clock import today_local
from fieldapp.core.config import ConfigError
from fieldapp.core.db import connect, transaction, utc_now
from fieldapp.core.signing import make_token
from fieldapp.dispatch import LandlordDispatcher
from fieldapp.voice.tokens import feedback_url

from support import PASSWORD, PEOPLE, csrf_token_from

HOSTS = {"riverside.test": "Riverside Homes", "elm.test": "Elm Housing",
         "oak.test": "Oak Living"}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, world_template):
    """Three landlords' files (the test world, each landlord named apart), their map, and the
    dispatcher serving them on a loopback port."""
    folder = tmp_path_factory.mktemp("landlords")
    lines = []
    for host, name in HOSTS.items():
        path = folder / f"{host}.db"
        shutil.copyfile(world_template[0], path)
        db = connect(str(path))
        db.execute("UPDATE organisations SET name = ? WHERE name = 'Riverside Homes'", (name,))
        db.close()
        lines.append(f'[landlords."{host}"]\ndb = "{path}"\n')
    landlord_map = folder / "landlords.toml"
    landlord_map.write_text("\n".join(lines))
    dispatcher = LandlordDispatcher(landlords.read_map(landlord_map),
                                    {"TESTING": True, "FIELDAPP_ENV": "test"})
    server = make_server("127.0.0.1", 0, dispatcher, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "map": landlord_map,
           "dispatcher": dispatcher, "folder": folder}
    server.shutdown()
    thread.join(timeout=5)


def get(deployment, host: str, path: str, cookie: str = "") -> requests.Response:
    headers = {"Host": host, **({"Cookie": cookie} if cookie else {})}
    return requests.get(deployment["url"] + path, headers=headers, allow_redirects=False,
                        timeout=10)


def sign_in_at(deployment, host: str, person: str) -> str:
    """Signs in through the real form at that host; the session cookie it set."""
    page = get(deployment, host, "/login")
    cookie = "; ".join(f"{c.name}={c.value}" for c in page.cookies)
    answer = requests.post(deployment["url"] + "/login", data={
        "csrf_token": csrf_token_from(page.text), "email": PEOPLE[person][0],
        "password": PASSWORD}, headers={"Host": host, "Cookie": cookie},
        allow_redirects=False, timeout=10)
    assert answer.status_code in (302, 303), answer.text[:300]
    return f"fieldapp_session={answer.cookies['fieldapp_session']}"


def app_of(deployment, host: str):
    return deployment["dispatcher"].app_for(host)


def test_each_host_serves_its_own_landlord_and_an_unknown_host_gets_404(deployment,
                                                                         world_template):
    world = world_template[1]
    for host, name in HOSTS.items():
        with app_of(deployment, host).app_context():
            token = make_token(world.visits["today"], world.users["operative"],
                               today_local().isoformat())
        page = get(deployment, f"{host}:8443", f"/verify/{token}")  # a port is ignored
        assert "is booked to visit you" in page.text and name in page.text, host
        assert not [other for other in HOSTS.values() if other != name and other in page.text]
    assert get(deployment, "unknown.test", "/login").status_code == 404
    assert get(deployment, "127.0.0.1", "/login").status_code == 404


def test_a_session_cookie_from_one_landlord_signs_nobody_in_at_another(deployment):
    cookie = sign_in_at(deployment, "riverside.test", "officer")
    assert get(deployment, "riverside.test", "/inbox", cookie).status_code == 200
    for other in ("elm.test", "oak.test"):
        answer = get(deployment, other, "/inbox", cookie)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], other


def test_a_caller_token_from_one_landlord_confirms_nobody_at_another(deployment, world_template):
    world = world_template[1]
    visit, operative = world.visits["today"], world.users["operative"]
    with app_of(deployment, "riverside.test").app_context():
        token = make_token(visit, operative, today_local().isoformat())
    genuine = get(deployment, "riverside.test", f"/verify/{token}")
    assert genuine.status_code == 200 and "is booked to visit you" in genuine.text
    for other in ("elm.test", "oak.test"):
        refused = get(deployment, other, f"/verify/{token}")
        assert "is booked to visit you" not in refused.text, other
        assert "We cannot confirm this caller" in refused.text, other


def test_a_feedback_link_from_one_landlord_opens_nothing_at_another(deployment, world_template):
    visit = world_template[1].visits["today"]
    app = app_of(deployment, "riverside.test")
    with app.test_request_context(base_url="http://riverside.test"):
        path = "/" + feedback_url(visit).split("/", 3)[3]
    # At its own landlord the link is known (the form, or "closed" before the visit starts).
    assert "This link does not work" not in get(deployment, "riverside.test", path).text
    for other in ("elm.test", "oak.test"):
        assert "This link does not work" in get(deployment, other, path).text, other


def test_an_alert_of_one_landlord_is_not_found_at_another(deployment, world_template):
    world = world_template[1]
    river = connect(app_of(deployment, "riverside.test").config["FIELDAPP_DB"])
    with transaction(river):
        alert = insert_alert(river, world.residents["riverside"], world.users["officer"], None,
                             "reach_out", "Resident asked for contact", utc_now())
    river.close()
    mine = sign_in_at(deployment, "riverside.test", "officer")
    assert get(deployment, "riverside.test", f"/alerts/{alert}", mine).status_code == 200
    theirs = sign_in_at(deployment, "elm.test", "officer")
    assert get(deployment, "elm.test", f"/alerts/{alert}", theirs).status_code == 404


def run_cli(deployment, *args: str, landlord: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "FIELDAPP_LANDLORDS": str(deployment["map"]),
           "FIELDAPP_PASSWORD": "a long enough password"}
    env.pop("FIELDAPP_DB", None)
    command = [str(Path(sys.executable).parent / "fieldapp")]
    if landlord:
        command += ["--landlord", landlord]
    return subprocess.run([*command, *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_the_worker_runs_every_landlords_jobs(deployment):
    files = [landlord.db for landlord in landlords.read_map(deployment["map"]).values()]
    queued = {}
    for path in files:
        db = connect(path)
        with transaction(db):
            # An escalation of an alert that is not there: the handler has nothing to do.
            queued[path] = jobs.enqueue(db, "escalate_alert", {"alert_id": 999_999})
        db.close()
    done = run_cli(deployment, "worker", "--once")
    assert done.returncode == 0, done.stderr
    for path, job in queued.items():
        db = connect(path)
        assert db.execute("SELECT done_at FROM jobs WHERE id = ?", (job,)).fetchone()[0], path
        db.close()


def test_a_command_acts_on_the_landlord_it_names_and_asks_when_none_is_named(deployment):
    email = "new.officer@elm.test"
    made = run_cli(deployment, "create-user", "--email", email, "--name", "New Officer",
                   "--role", "officer", "--organisation", "1", landlord="elm.test")
    assert made.returncode == 0, made.stderr
    for host in HOSTS:
        db = connect(app_of(deployment, host).config["FIELDAPP_DB"])
        found = db.execute("SELECT count(*) FROM users WHERE email = ?", (email,)).fetchone()[0]
        db.close()
        assert found == (1 if host == "elm.test" else 0), host
    unnamed = run_cli(deployment, "create-user", "--email", "x@elm.test", "--name", "X",
                      "--role", "officer", "--organisation", "1")
    assert unnamed.returncode == 2
    assert "say which one with `fieldapp --landlord HOST" in unnamed.stderr
    unknown = run_cli(deployment, "jobs", landlord="nowhere.test")
    assert unknown.returncode == 2 and "No landlord is served at nowhere.test" in unknown.stderr


@pytest.mark.parametrize("text, problem", [
    ("", "lists no landlords"),
    ('[landlords."a.test"]\n', "has no db"),
    ('[landlords."a.test:80"]\ndb = "a.db"\n', "is not a host name"),
    ('[landlords."a.test"]\ndb = "same.db"\n[landlords."b.test"]\ndb = "same.db"\n',
     "name the same database file"),
    ("[landlords\n", "could not be read"),
])
def test_a_landlord_map_that_cannot_work_is_refused_with_the_reason(tmp_path, text, problem):
    path = tmp_path / "landlords.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=problem):
        landlords.read_map(path)


def test_each_landlords_signing_key_is_its_own():
    keys = {landlords.signing_key("k" * 40, host) for host in HOSTS}
    assert len(keys) == len(HOSTS) and "k" * 40 not in keys


def test_replication_keeps_each_landlords_file_apart(deployment):
    """Litestream replicates every landlord's file, each to a path of its own, and a restore
    names one landlord."""
    env = {"FIELDAPP_REPLICA_BUCKET": "fieldapp-replicas", "FIELDAPP_REPLICA_PATH": "borough"}
    os.environ.update(env)
    try:
        every = run_cli(deployment, "replication", "config")
        restore = run_cli(deployment, "replication", "restore", "--to", "x.db")
    finally:
        for key in env:
            os.environ.pop(key)
    assert every.returncode == 0, every.stderr
    for host in HOSTS:
        db = app_of(deployment, host).config["FIELDAPP_DB"]
        assert f'- path: "{db}"' in every.stdout and f'path: "borough/{host}"' in every.stdout
    assert restore.returncode == 2 and "say which one" in restore.stderr


def test_every_landlords_app_is_ready_before_the_first_request(tmp_path, world_template):
    """Made at start with every page template loaded: no landlord's first visitor waits for an
    app to be made or a template to be compiled (docs/performance.md, many landlords)."""
    lines = []
    for host in ("ash.test", "birch.test"):
        path = tmp_path / f"{host}.db"
        shutil.copyfile(world_template[0], path)
        lines.append(f'[landlords."{host}"]\ndb = "{path}"\n')
    landlord_map = tmp_path / "landlords.toml"
    landlord_map.write_text("\n".join(lines))
    dispatcher = LandlordDispatcher(landlords.read_map(landlord_map), {"TESTING": True})
    assert sorted(dispatcher.apps) == ["ash.test", "birch.test"]
    for app in dispatcher.apps.values():
        pages = app.jinja_env.list_templates(extensions=["html"])
        assert "operative/briefing.html" in pages
        loaded = {template.name for template in app.jinja_env.cache.values()}
        assert set(pages) <= loaded, set(pages) - loaded
        # ...compiled once in the process: one store of compiled code for every app
        assert app.jinja_env.bytecode_cache is templates.SHARED
