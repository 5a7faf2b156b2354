"""Passkeys without a browser: the server's ceremonies checked with a software authenticator
(tests/authenticator.py) that signs what a phone signs. Chromium's own virtual authenticator
drives the pages in tests/browser/test_passkey_ceremonies.py."""

import pytest

from fieldapp.accounts.credentials import NOT_RECOGNISED

from pages import check_page
from support import (
    PEOPLE,
    assert_nothing_kept_when_audit_refused,
    authenticator_of,
    csrf_token_from,
    pass_second_factor,
    sign_in,
)


def _token(client, path: str = "/account") -> str:
    return csrf_token_from(client.get(path).get_data(as_text=True))


def add_passkey(client, authenticator, name: str = "My phone"):
    token = _token(client)
    options = client.post("/account/passkeys/options", data={"csrf_token": token, "name": name})
    assert options.status_code == 200, options.get_data(as_text=True)
    return client.post("/account/passkeys", headers={"X-CSRFToken": token},
                       json={"credential": authenticator.create(options.get_json()),
                             "name": name})


def passkey_options(client, path: str = "/login/passkey/options") -> tuple[str, dict]:
    token = _token(client, "/login")
    options = client.post(path, headers={"X-CSRFToken": token})
    assert options.status_code == 200
    return token, options.get_json()


def sign_in_with(client, authenticator, **answer):
    token, options = passkey_options(client)
    return client.post("/login/passkey", headers={"X-CSRFToken": token},
                       json={"credential": authenticator.get(options, **answer)})


def audit_actions(db, action_prefix: str = "passkey") -> list[tuple]:
    return [tuple(row) for row in db.execute(
        "SELECT action, record_type, record_id, user_id FROM audit_log "
        "WHERE action LIKE ? || '%' OR action = 'sign_in' ORDER BY id", (action_prefix,))]


@pytest.fixture
def phone(app):
    """A new phone for the operative of the world."""
    return authenticator_of("the operative's phone", app)


@pytest.fixture
def operative_with_passkey(app, signed_in, phone, db, world):
    client = signed_in("operative")
    assert add_passkey(client, phone).status_code == 200
    return client


def test_a_person_adds_a_passkey_and_signs_in_with_it(app, db, world, signed_in, phone):
    client = signed_in("operative")
    added = add_passkey(client, phone, "Work phone")
    assert added.status_code == 200
    passkey = db.execute("SELECT * FROM passkeys WHERE user_id = ?",
                         (world.users["operative"],)).fetchone()
    assert added.get_json() == {"redirect": f"/account?added={passkey['id']}"}
    assert passkey["name"] == "Work phone" and passkey["last_used_at"] is None
    assert "Passkey added: Work phone" in client.get(added.get_json()["redirect"]).get_data(
        as_text=True)

    phone_client = app.test_client()
    answer = sign_in_with(phone_client, phone)
    assert answer.status_code == 200
    assert answer.get_json() == {"redirect": "/today"}
    assert phone_client.get("/today").status_code == 200
    used = db.execute("SELECT * FROM passkeys WHERE id = ?", (passkey["id"],)).fetchone()
    assert used["last_used_at"] is not None and used["sign_count"] == 1
    operative = world.users["operative"]
    assert audit_actions(db) == [
        ("passkey_added", "passkey", str(passkey["id"]), operative),
        ("sign_in", "user", str(operative), operative),
        ("passkey_used", "passkey", str(passkey["id"]), operative)]


def test_the_account_page_lists_passkeys_with_name_and_last_use(operative_with_passkey, app,
                                                                phone):
    html = operative_with_passkey.get("/account").get_data(as_text=True)
    check_page(html)
    assert "My phone" in html and "Not used yet." in html
    sign_in_with(app.test_client(), phone)
    html = operative_with_passkey.get("/account").get_data(as_text=True)
    assert "Last used today at" in html
    assert 'aria-label="Remove My phone"' in html


def test_a_passkey_needs_a_name(signed_in):
    client = signed_in("operative")
    token = _token(client)
    answer = client.post("/account/passkeys/options", data={"csrf_token": token, "name": "  "})
    assert answer.status_code == 422
    assert answer.get_json() == {"errors": {"name": "Enter a name for this passkey"}}


def test_signing_in_with_a_passkey_goes_to_the_page_asked_for(app, operative_with_passkey,
                                                               phone):
    client = app.test_client()
    token, options = passkey_options(client)
    answer = client.post("/login/passkey", headers={"X-CSRFToken": token}, json={
        "credential": phone.get(options), "next": "https://evil.example/"})
    assert answer.get_json() == {"redirect": "/today"}
    client = app.test_client()
    token, options = passkey_options(client)
    answer = client.post("/login/passkey", headers={"X-CSRFToken": token}, json={
        "credential": phone.get(options), "next": "/outbox"})
    assert answer.get_json() == {"redirect": "/outbox"}


def test_an_unknown_passkey_is_refused(app, db):
    client = app.test_client()
    answer = sign_in_with(client, authenticator_of("a stranger's phone", app))
    assert answer.status_code == 400
    assert answer.get_json() == {"errors": {"passkey": NOT_RECOGNISED}}
    assert client.get("/today").status_code == 302
    assert audit_actions(db) == []


def test_a_removed_passkey_is_refused(app, db, world, operative_with_passkey, phone):
    passkey_id = db.execute("SELECT id FROM passkeys WHERE user_id = ?",
                            (world.users["operative"],)).fetchone()[0]
    removed = operative_with_passkey.post(f"/account/passkeys/{passkey_id}/remove",
                                          data={"csrf_token": _token(operative_with_passkey)})
    assert removed.status_code == 303
    assert db.execute("SELECT count(*) FROM passkeys WHERE id = ?", (passkey_id,)).fetchone()[0] \
        == 0
    assert ("passkey_removed", "passkey", str(passkey_id), world.users["operative"]) in \
        audit_actions(db)
    client = app.test_client()
    assert sign_in_with(client, phone).status_code == 400
    assert client.get("/today").status_code == 302


def test_nobody_removes_another_persons_passkey(signed_in, world, db):
    client = signed_in("operative")
    passkey = world.others["admin_passkey"]
    answer = client.post(f"/account/passkeys/{passkey}/remove", data={"csrf_token": _token(client)})
    assert answer.status_code == 404
    assert db.execute("SELECT count(*) FROM passkeys WHERE id = ?", (passkey,)).fetchone()[0] == 1


def test_a_signature_count_that_goes_backwards_is_refused(app, db, world, operative_with_passkey,
                                                          phone):
    """A copied authenticator shows itself by a count that is not above the last one seen."""
    assert sign_in_with(app.test_client(), phone, sign_count=5).status_code == 200
    client = app.test_client()
    answer = sign_in_with(client, phone, sign_count=3)
    assert answer.status_code == 400
    assert client.get("/today").status_code == 302
    passkey = db.execute("SELECT id, sign_count FROM passkeys WHERE user_id = ?",
                         (world.users["operative"],)).fetchone()
    assert passkey["sign_count"] == 5
    assert audit_actions(db)[-1] == ("passkey_refused", "passkey", str(passkey["id"]),
                                     world.users["operative"])


def test_the_stored_count_above_the_authenticators_is_refused(app, db, world,
                                                              operative_with_passkey, phone):
    db.execute("UPDATE passkeys SET sign_count = 100 WHERE user_id = ?",
               (world.users["operative"],))
    assert sign_in_with(app.test_client(), phone).status_code == 400


def test_a_challenge_is_used_once(app, operative_with_passkey, phone):
    client = app.test_client()
    token, options = passkey_options(client)
    first = phone.get(options)
    assert client.post("/login/passkey", headers={"X-CSRFToken": token},
                       json={"credential": first}).status_code == 200
    # The same answer again, and a new signature over the same challenge: both refused.
    other = app.test_client()
    other_token = _token(other, "/login")
    for answer in (first, phone.get(options)):
        refused = other.post("/login/passkey", headers={"X-CSRFToken": other_token},
                             json={"credential": answer})
        assert refused.status_code == 400
        assert refused.get_json() == {"errors": {"passkey": "That took too long or was already "
                                                            "used. Try again."}}
    assert other.get("/today").status_code == 302


def test_a_challenge_expires(app, db, operative_with_passkey, phone):
    client = app.test_client()
    token, options = passkey_options(client)
    db.execute("UPDATE passkey_challenges SET expires_at = '2000-01-01T00:00:00+00:00'")
    answer = client.post("/login/passkey", headers={"X-CSRFToken": token},
                         json={"credential": phone.get(options)})
    assert answer.status_code == 400
    assert "too long" in answer.get_json()["errors"]["passkey"]


def test_a_registration_challenge_is_for_its_own_person_only(app, signed_in, phone):
    """Options fetched by one person cannot register a passkey onto another's account."""
    officer = signed_in("officer")
    token = _token(officer)
    options = officer.post("/account/passkeys/options",
                           data={"csrf_token": token, "name": "Mine"}).get_json()
    operative = signed_in("operative")
    answer = operative.post("/account/passkeys", headers={"X-CSRFToken": _token(operative)},
                            json={"credential": phone.create(options), "name": "Mine"})
    assert answer.status_code == 400


# The administrator's second factor

def test_an_admin_who_signed_in_with_a_password_is_asked_for_their_passkey(app, db, world):
    client = app.test_client()
    sign_in(client, PEOPLE["admin"][0])
    for path in ("/admin/users", "/residents", "/admin/jobs"):
        asked = client.get(path)
        assert asked.status_code == 302
        assert asked.headers["Location"] == f"/account/confirm?next={path}"
    page = client.get("/account/confirm?next=/admin/users").get_data(as_text=True)
    check_page(page)
    assert "Use your passkey" in page
    pass_second_factor(app, client, PEOPLE["admin"][0])
    assert client.get("/admin/users").status_code == 200
    assert ("passkey_used", "passkey", str(world.others["admin_passkey"]),
            world.users["admin"]) in audit_actions(db)


def test_an_admin_without_a_passkey_is_led_to_add_one(app, db, world):
    db.execute("DELETE FROM passkeys WHERE user_id = ?", (world.users["admin"],))
    client = app.test_client()
    sign_in(client, PEOPLE["admin"][0])
    assert client.get("/admin/users").headers["Location"] == "/account/confirm?next=/admin/users"
    page = client.get("/account/confirm?next=/admin/users").get_data(as_text=True)
    check_page(page)
    assert "<h1>Add a passkey</h1>" in page
    added = add_passkey(client, authenticator_of("the admin's new phone", app))
    assert added.status_code == 200
    assert client.get("/admin/users").status_code == 200


def test_another_persons_passkey_is_not_the_admins_second_factor(app, db, world,
                                                                  operative_with_passkey, phone):
    client = app.test_client()
    sign_in(client, PEOPLE["admin"][0])
    token = _token(client, "/account/confirm")
    options = client.post("/account/confirm/options", headers={"X-CSRFToken": token}).get_json()
    answer = client.post("/account/confirm", headers={"X-CSRFToken": token},
                         json={"credential": phone.get(options)})
    assert answer.status_code == 400
    assert client.get("/admin/users").status_code == 302


def test_a_password_alone_cannot_change_an_admins_passkeys(app, db, world):
    client = app.test_client()
    sign_in(client, PEOPLE["admin"][0])
    token = _token(client)
    refused = client.post("/account/passkeys/options", data={"csrf_token": token, "name": "x"})
    assert refused.status_code == 403
    passkey = world.others["admin_passkey"]
    removed = client.post(f"/account/passkeys/{passkey}/remove", data={"csrf_token": token})
    assert removed.headers["Location"].startswith("/account/confirm")
    assert db.execute("SELECT count(*) FROM passkeys WHERE id = ?", (passkey,)).fetchone()[0] == 1


def test_signing_in_with_a_passkey_is_the_admins_second_factor(app, world):
    client = app.test_client()
    admin = authenticator_of(PEOPLE["admin"][0], app)
    assert sign_in_with(client, admin).get_json() == {"redirect": "/admin/users"}
    assert client.get("/admin/users").status_code == 200


# Disabling, and audit rows in the change's own transaction

def test_disabling_a_user_removes_their_passkeys(app, db, world, operative_with_passkey, phone,
                                                signed_in):
    admin = signed_in("admin")
    operative = world.users["operative"]
    answer = admin.post(f"/admin/users/{operative}/disable",
                        data={"csrf_token": _token(admin, f"/admin/users/{operative}/disable")})
    assert answer.status_code == 303
    assert db.execute("SELECT count(*) FROM passkeys WHERE user_id = ?",
                      (operative,)).fetchone()[0] == 0
    assert ("passkeys_removed", "user", str(operative), world.users["admin"]) in \
        audit_actions(db)
    assert sign_in_with(app.test_client(), phone).status_code == 400


def test_adding_a_passkey_is_kept_only_with_its_audit_row(db, signed_in, phone):
    client = signed_in("operative")
    token = _token(client)
    options = client.post("/account/passkeys/options",
                          data={"csrf_token": token, "name": "Phone"}).get_json()
    assert_nothing_kept_when_audit_refused(db, ("passkeys",), lambda: client.post(
        "/account/passkeys", headers={"X-CSRFToken": token},
        json={"credential": phone.create(options), "name": "Phone"}))


def test_removing_a_passkey_is_kept_only_with_its_audit_row(db, signed_in, world):
    admin = signed_in("admin")
    token = _token(admin)
    assert_nothing_kept_when_audit_refused(db, ("passkeys",), lambda: admin.post(
        f"/account/passkeys/{world.others['admin_passkey']}/remove",
        data={"csrf_token": token}))


def test_signing_in_with_a_passkey_is_kept_only_with_its_audit_rows(app, db,
                                                                    operative_with_passkey,
                                                                    phone):
    client = app.test_client()
    token, options = passkey_options(client)
    assert_nothing_kept_when_audit_refused(db, ("passkeys", "user_sessions"), lambda: client.post(
        "/login/passkey", headers={"X-CSRFToken": token},
        json={"credential": phone.get(options)}))


def test_the_relying_party_is_the_configured_hosts(app, signed_in):
    app.config["FIELDAPP_BASE_URL"] = "https://repairs.example.org"
    client = signed_in("operative")
    options = client.post("/account/passkeys/options",
                          data={"csrf_token": _token(client), "name": "x"}).get_json()
    assert options["rp"] == {"name": "fieldapp", "id": "repairs.example.org"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"


@pytest.mark.parametrize("spoil", [
    lambda answer: answer["response"].update(signature="AAAA"),
    lambda answer: answer["response"].update(userHandle="!!not base64!!"),
    lambda answer: answer["response"].update(userHandle="OTk5"),  # another person's id
    lambda answer: answer.update(response=[]),
    lambda answer: answer["response"].update(clientDataJSON="e30"),  # {} : no challenge
])
def test_a_spoilt_answer_is_refused_with_a_message(app, operative_with_passkey, phone, spoil):
    client = app.test_client()
    token, options = passkey_options(client)
    answer = phone.get(options)
    spoil(answer)
    refused = client.post("/login/passkey", headers={"X-CSRFToken": token},
                          json={"credential": answer})
    assert refused.status_code == 400
    assert refused.get_json()["errors"]["passkey"]
    assert client.get("/today").status_code == 302
