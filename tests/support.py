"""Shared test helpers (not fixtures): the people of the test world, signing in like a browser,
posting forms with their CSRF token, and serving the real app on a loopback port.

Import these from `support`, never from `conftest`: tests/ and tests/browser/ each have a
conftest.py, and the name `conftest` would be ambiguous.
"""

import contextlib
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from authenticator import SoftAuthenticator
from werkzeug.serving import make_server

PASSWORD = "correct horse battery staple"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

# The people of the access table: key -> (email, role, organisation key)
PEOPLE = {
    "admin": ("admin@riverside.test", "admin", "riverside"),
    "officer": ("officer@riverside.test", "officer", "riverside"),
    "operative": ("operative@acme.test", "operative", "acme"),
    "other_firm_operative": ("operative@brightside.test", "operative", "brightside"),
    "other_landlord_officer": ("officer@elsewhere.test", "officer", "elsewhere"),
    "other_landlord_admin": ("admin@elsewhere.test", "admin", "elsewhere"),
    "other_landlord_operative": ("operative@faraway.test", "operative", "faraway"),
    # Same firm as "operative", not on their visits.
    "colleague": ("colleague@acme.test", "operative", "acme"),
    # Acme's supervisor: their operatives' check-ins, nothing of residents beyond an escalation.
    "supervisor": ("supervisor@acme.test", "supervisor", "acme"),
}


@dataclass
class World:
    """Ids of what the world fixture made, by the keys above."""

    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    residents: dict = field(default_factory=dict)
    visits: dict = field(default_factory=dict)
    others: dict = field(default_factory=dict)  # adjustment, step, visit_import ids

    @property
    def residents_and_more(self) -> dict:
        """Placeholders for URL templates: {resident}, {adjustment}, {step}, {visit_import}."""
        return {"resident": self.residents["riverside"], **self.others}

    def email(self, person: str) -> str:
        return PEOPLE[person][0]


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    page = client.get("/login")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post("/login", data={"csrf_token": token, "email": email,
                                       "password": password, **extra})


def sign_in_quickly(app, email: str):
    """A test client with a real server-side session for this person, started the way sign-in
    starts one but without the password check: scrypt is slow on purpose, and hundreds of tests
    need someone signed in. Signing in itself is tested through the form in test_auth. An
    administrator then uses the world's passkey (their second factor) through the real
    ceremony."""
    from fieldapp.accounts.sessions import start_session
    from fieldapp.core.db import connect

    client = app.test_client()
    with app.app_context():
        db = connect(app.config["FIELDAPP_DB"])
        try:
            user_id = db.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()[0]
            token = start_session(db, user_id)
        finally:
            db.close()
    with client.session_transaction() as session:
        session.permanent = True
        session["_user_id"] = token
        session["_fresh"] = True
    pass_second_factor(app, client, email)
    return client


def pass_second_factor(app, client, email: str) -> None:
    """An administrator's pages need their passkey too: the world's admins use theirs, like a
    browser would, through the real ceremony. Others have nothing to do."""
    from fieldapp.core.db import connect

    db = connect(app.config["FIELDAPP_DB"])
    try:
        count = db.execute("SELECT max(sign_count) FROM passkeys JOIN users "
                           "ON users.id = passkeys.user_id WHERE users.email = ? "
                           "AND users.role = 'admin'", (email,)).fetchone()[0]
    finally:
        db.close()
    if count is not None:
        use_passkey(app, client, email, count + 1)


def authenticator_of(email: str, app=None, sign_count: int = 0) -> SoftAuthenticator:
    """The software passkey the test world gave this person (administrators have one), for
    the app's relying party."""
    parts = urlsplit(app.config["FIELDAPP_BASE_URL"] if app else "http://fieldapp.test")
    return SoftAuthenticator(email, parts.hostname, f"{parts.scheme}://{parts.netloc}",
                             sign_count)


def use_passkey(app, client, email: str, sign_count: int):
    """Pass the administrator's second factor the way a browser does: the options, then the
    passkey's signed answer, through the real /account/confirm ceremony."""
    page = client.get("/account/confirm")
    token = csrf_token_from(page.get_data(as_text=True))
    options = client.post("/account/confirm/options", headers={"X-CSRFToken": token})
    assert options.status_code == 200, options.get_data(as_text=True)
    answer = authenticator_of(email, app).get(options.get_json(), sign_count=sign_count)
    confirmed = client.post("/account/confirm", json={"credential": answer},
                            headers={"X-CSRFToken": token})
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    return confirmed


def post_form(client, url: str, data: dict | None = None, page_url: str | None = None, **kwargs):
    """POST like a browser: take the CSRF token from the page the form lives on."""
    page = client.get(page_url or url)
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


class LiveServer:
    """The real app on a free loopback port, in a thread; links it makes point here."""

    def __init__(self, app, host_name: str = "127.0.0.1"):
        # Listens on loopback either way; `host_name="localhost"` for passkeys, which a
        # browser refuses on an IP address.
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://{host_name}:{self.server.server_port}"
        app.config["FIELDAPP_BASE_URL"] = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


def make_demo_database(folder) -> str:
    """A new database file in `folder` holding the demo data, as `fieldapp demo` makes it."""
    from fieldapp.core import migrations
    from fieldapp.core.db import connect
    from fieldapp.devdata.demo import load_demo

    path = str(folder / "demo.db")
    db = connect(path)
    migrations.apply(db)
    load_demo(db)
    db.close()
    return path


@contextlib.contextmanager
def audit_refused(db):
    """Make the next audit row fail to be written, as a full disk or a broken trigger would, so
    a test can show that the change it records was rolled back with it."""
    db.execute("CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log "
               "BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END")
    try:
        yield
    finally:
        db.execute("DROP TRIGGER audit_refused")


def assert_nothing_kept_when_audit_refused(db, tables: tuple[str, ...], send) -> None:
    """`send()` makes a change while the audit row is refused: the request fails and neither
    the change (in `tables`) nor an audit row is kept."""
    def snapshot():
        return [db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                for table in (*tables, "audit_log")]

    before = snapshot()
    with audit_refused(db), pytest.raises(sqlite3.IntegrityError):
        send()
    assert snapshot() == before
