"""Signing in and out: one message for any failure, lock-out, session end, safe redirects."""

from datetime import UTC, datetime, timedelta

import pytest

from fieldapp.accounts.routes import LOCKED_OUT, WRONG_CREDENTIALS

from pages import check_page
from support import (
    PASSWORD,
    PEOPLE,
    audit_refused,
    csrf_token_from,
    pass_second_factor,
    sign_in,
)

HOMES = {"operative": "/today", "officer": "/residents", "admin": "/admin/users"}


@pytest.mark.parametrize("person", ["operative", "officer", "admin"])
def test_each_role_lands_on_its_home_page(app, client, person):
    response = sign_in(client, PEOPLE[person][0])
    assert response.status_code == 303
    assert response.headers["Location"] == HOMES[person]
    if person == "admin":  # asked for the passkey first (test_passkeys.py)
        assert client.get(HOMES[person]).headers["Location"] == \
            "/account/confirm?next=/admin/users"
        pass_second_factor(app, client, PEOPLE[person][0])
    home = client.get(HOMES[person])
    assert home.status_code == 200
    check_page(home.get_data(as_text=True))
    assert client.get("/").headers["Location"] == HOMES[person]


def test_sign_in_page_passes_page_checks(client):
    check_page(client.get("/login").get_data(as_text=True))


def test_email_is_matched_whatever_its_case(client):
    response = sign_in(client, "  OFFICER@Riverside.TEST ")
    assert response.status_code == 303


def test_wrong_password_and_unknown_email_give_the_same_answer(app):
    wrong_password = sign_in(app.test_client(), PEOPLE["officer"][0], "not the password")
    unknown_email = sign_in(app.test_client(), "nobody@riverside.test", "not the password")
    assert wrong_password.status_code == unknown_email.status_code == 200
    for response in (wrong_password, unknown_email):
        html = response.get_data(as_text=True)
        assert WRONG_CREDENTIALS in html
        assert "<title>Error: Sign in" in html
    assert _anonymised(wrong_password, PEOPLE["officer"][0]) == \
        _anonymised(unknown_email, "nobody@riverside.test")


def _anonymised(response, email: str) -> str:
    """The page less what differs by design: the CSRF token and the email typed (kept)."""
    html = response.get_data(as_text=True)
    return html.replace(csrf_token_from(html), "").replace(email, "EMAIL")


@pytest.mark.parametrize(("email", "password", "message"), [
    ("", PASSWORD, "Enter your email address"),
    (PEOPLE["officer"][0], "", "Enter your password"),
    ("x" * 321, PASSWORD, "Email address must be 320 characters or fewer"),
])
def test_sign_in_form_says_what_is_missing(client, email, password, message):
    html = sign_in(client, email, password).get_data(as_text=True)
    assert html.count(message) == 2  # in the summary and next to the field
    check_page(html)


def test_ten_failures_lock_the_account_even_with_the_right_password(app, db):
    email = PEOPLE["officer"][0]
    for attempt in range(10):
        sign_in(app.test_client(), email, f"wrong {attempt}")
    response = sign_in(app.test_client(), email, PASSWORD)
    assert response.status_code == 429
    assert LOCKED_OUT in response.get_data(as_text=True)


def test_lock_out_applies_to_unknown_emails_too(app):
    """Otherwise the lock-out would tell an attacker which accounts exist."""
    for attempt in range(10):
        sign_in(app.test_client(), "nobody@riverside.test", f"wrong {attempt}")
    response = sign_in(app.test_client(), "nobody@riverside.test", "anything")
    assert response.status_code == 429


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_ten_unknown_emails_from_one_address_do_not_block_a_known_user_from_it(app):
    """An office behind one NAT: someone's ten guesses do not shut the office out."""
    for attempt in range(10):
        sign_in(from_address(app, "203.0.113.7"), f"guess{attempt}@riverside.test", "wrong")
    assert sign_in(from_address(app, "203.0.113.7"), PEOPLE["admin"][0]).status_code == 303


def test_ten_failures_against_an_email_do_not_lock_its_owner_out_elsewhere(app):
    email = PEOPLE["officer"][0]
    for attempt in range(10):
        sign_in(from_address(app, "198.51.100.9"), email, f"wrong {attempt}")
    paused = sign_in(from_address(app, "198.51.100.9"), email, PASSWORD)
    assert paused.status_code == 429 and paused.headers["Retry-After"] == "900"
    assert LOCKED_OUT in paused.get_data(as_text=True)  # the guesser's address stays paused
    assert sign_in(from_address(app, "203.0.113.7"), email).status_code == 303


def test_many_failures_from_one_address_slow_it_and_say_how_long_to_wait(app, db):
    """Over any emails: not a block, a wait of seconds after the last failure, then sign-in
    works again for anyone there."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    db["login_failures"].insert_all(
        {"email": f"guess{n}@riverside.test", "address": "203.0.113.7", "failed_at": now}
        for n in range(30))
    slowed = sign_in(from_address(app, "203.0.113.7"), PEOPLE["admin"][0])
    assert slowed.status_code == 429
    html = slowed.get_data(as_text=True)
    assert "we are slowing them down. Wait " in html and " seconds, then sign in again." in html
    assert 1 <= int(slowed.headers["Retry-After"]) <= 10
    check_page(html)
    assert sign_in(from_address(app, "192.0.2.1"), PEOPLE["admin"][0]).status_code == 303
    earlier = (datetime.now(UTC) - timedelta(seconds=11)).isoformat(timespec="seconds")
    db.execute("UPDATE login_failures SET failed_at = ?", (earlier,))
    assert sign_in(from_address(app, "203.0.113.7"), PEOPLE["admin"][0]).status_code == 303


def test_signing_in_does_not_reset_a_guesser_elsewhere(app):
    email = PEOPLE["officer"][0]
    for attempt in range(10):
        sign_in(from_address(app, "198.51.100.9"), email, f"wrong {attempt}")
    assert sign_in(from_address(app, "203.0.113.7"), email).status_code == 303
    assert sign_in(from_address(app, "198.51.100.9"), email).status_code == 429


def test_failures_older_than_the_window_do_not_count(app, db):
    old = (datetime.now(UTC) - timedelta(minutes=16)).isoformat(timespec="seconds")
    db["login_failures"].insert_all(
        {"email": PEOPLE["officer"][0], "address": "127.0.0.1", "failed_at": old}
        for _ in range(10))
    assert sign_in(app.test_client(), PEOPLE["officer"][0]).status_code == 303


def test_sign_in_changes_the_session_cookie(client):
    client.get("/login")
    before = client.get_cookie("fieldapp_session").value
    sign_in(client, PEOPLE["officer"][0])
    assert client.get_cookie("fieldapp_session").value != before


def test_sign_out_ends_the_session_on_the_server(app, signed_in):
    client = signed_in("officer")
    stolen_cookie = client.get_cookie("fieldapp_session").value
    page = client.get("/residents").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login")
    replay = app.test_client()
    replay.set_cookie("fieldapp_session", stolen_cookie)
    assert replay.get("/residents").status_code == 302


def test_sign_out_needs_a_post_with_a_csrf_token(signed_in):
    client = signed_in("officer")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/residents").status_code == 200


def test_session_ends_after_twelve_hours(signed_in, db):
    client = signed_in("officer")
    assert client.get("/residents").status_code == 200
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat(timespec="seconds")
    db.execute("UPDATE user_sessions SET expires_at = ?", (past,))
    assert client.get("/residents").status_code == 302


def test_new_session_lasts_twelve_hours(signed_in, db):
    signed_in("officer")
    row = db.execute("SELECT created_at, expires_at FROM user_sessions").fetchone()
    lifetime = datetime.fromisoformat(row["expires_at"]) - datetime.fromisoformat(row["created_at"])
    assert lifetime == timedelta(hours=12)


def test_disabled_user_is_signed_out_and_cannot_sign_in(app, signed_in, db, world):
    client = signed_in("operative")
    db.execute("UPDATE users SET active = 0 WHERE id = ?", (world.users["operative"],))
    assert client.get("/today").status_code == 302
    response = sign_in(app.test_client(), PEOPLE["operative"][0])
    assert WRONG_CREDENTIALS in response.get_data(as_text=True)


@pytest.mark.parametrize(("next_url", "lands_on"), [
    ("/admin/organisations", "/admin/organisations"),
    ("https://evil.example/steal", "/admin/users"),
    ("//evil.example/steal", "/admin/users"),
    ("/\\evil.example", "/admin/users"),
    ("javascript:alert(1)", "/admin/users"),
])
def test_next_only_goes_to_local_paths(client, next_url, lands_on):
    response = sign_in(client, PEOPLE["admin"][0], next=next_url)
    assert response.headers["Location"] == lands_on


def test_pages_behind_sign_in_send_anonymous_people_to_sign_in(client):
    response = client.get("/residents")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_sign_in_is_audited_without_the_password(client, db, world):
    assert sign_in(client, PEOPLE["officer"][0]).status_code == 303
    rows = db.execute("SELECT * FROM audit_log WHERE action = 'sign_in'").fetchall()
    assert [(r["user_id"], r["record_type"]) for r in rows] == [(world.users["officer"], "user")]
    assert PASSWORD not in str([dict(r) for r in rows])


def test_a_typed_password_is_never_sent_back_even_after_a_resident_form(signed_in, client):
    # The resident form shows its doorstep password on purpose; that must not leak into the
    # sign-in form, which shares WTForms' password widget class.
    officer = signed_in("officer")
    assert 'value="' in officer.get("/residents/new").get_data(as_text=True)
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    page = client.post("/login", data={"csrf_token": token, "email": PEOPLE["officer"][0],
                                       "password": "wrong but secret"})
    assert "wrong but secret" not in page.get_data(as_text=True)


def test_no_session_starts_when_the_sign_in_cannot_be_audited(app, client, db, world):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    sessions_before = db.execute("SELECT count(*) FROM user_sessions").fetchone()[0]
    with audit_refused(db):
        response = sign_in(client, PEOPLE["officer"][0])
    assert response.status_code == 500
    assert db.execute("SELECT count(*) FROM user_sessions").fetchone()[0] == sessions_before
    assert client.get("/inbox").status_code == 302  # not signed in
