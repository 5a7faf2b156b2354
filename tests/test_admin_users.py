"""Admin: an administrator lists, adds, edits, disables and re-enables the users of their own
landlord and its contractor firms, and nobody else's."""


import pytest

from fieldapp.accounts.routes import WRONG_CREDENTIALS

from admin_support import (
    NEW_PASSWORD,
    assert_form_error,
    form_answers,
    new_user_answers,
    snapshot,
)
from pages import check_page
from support import (
    PASSWORD,
    PEOPLE,
    audit_refused,
    csrf_token_from,
    pass_second_factor,
    post_form,
    sign_in,
)

# Users


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


def user_row(db, email: str):
    return db.execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone()


def test_list_shows_the_landlords_users_and_its_firms_only(admin):
    response = admin.get("/admin/users")
    html = response.get_data(as_text=True)
    check_page(html)
    for email in ("admin@riverside.test", "officer@riverside.test", "operative@acme.test",
                  "operative@brightside.test"):
        assert email in html
    for email in ("officer@elsewhere.test", "admin@elsewhere.test", "operative@faraway.test"):
        assert email not in html


def test_admin_adds_a_user_who_can_then_sign_in(app, admin, db, world):
    response = post_form(admin, "/admin/users/new", new_user_answers(world))
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/users"
    listing = admin.get("/admin/users").get_data(as_text=True)
    check_page(listing)
    assert "Nadia Newcomer can now sign in." in listing
    row = user_row(db, "nadia@acme.test")
    assert (row["name"], row["role"], row["organisation_id"], row["badge_number"],
            row["supervisor_phone"], row["active"]) == (
        "Nadia Newcomer", "operative", world.orgs["acme"], "B-77", "0113 496 0101", 1)
    assert NEW_PASSWORD not in row["password_hash"]
    signed = sign_in(app.test_client(), "nadia@acme.test", NEW_PASSWORD)
    assert signed.status_code == 303
    assert signed.headers["Location"] == "/today"


def test_add_user_page_passes_page_checks(admin):
    response = admin.get("/admin/users/new")
    assert response.status_code == 200
    check_page(response.get_data(as_text=True))


def test_edit_page_shows_the_users_current_answers(admin, world):
    response = admin.get(f"/admin/users/{world.users['operative']}/edit")
    html = response.get_data(as_text=True)
    check_page(html)
    answers = form_answers(html)
    assert answers["email"] == "operative@acme.test"
    assert answers["role"] == "operative"
    assert answers["organisation_id"] == str(world.orgs["acme"])
    assert answers["badge_number"] == "B-1"
    assert not answers["password"]


def test_admin_changes_name_email_role_organisation_and_badge(app, admin, db, world):
    user_id = world.users["operative"]
    operative = signed_in_as(app, "operative")
    response = post_form(admin, f"/admin/users/{user_id}/edit", {
        "name": "Olu Okafor", "email": "olu@riverside.test", "role": "officer",
        "organisation_id": str(world.orgs["riverside"]), "badge_number": "",
        "phone": "020 7946 0123", "supervisor_phone": "", "password": ""})
    assert response.status_code == 303
    row = db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    assert (row["name"], row["email"], row["role"], row["organisation_id"],
            row["badge_number"], row["phone"], row["supervisor_phone"]) == (
        "Olu Okafor", "olu@riverside.test", "officer", world.orgs["riverside"], "",
        "020 7946 0123", "")
    # No new password: their session carries on, in their new role.
    assert operative.get("/residents").status_code == 200
    assert operative.get("/today").status_code == 403


def test_a_new_password_signs_the_user_out_everywhere(app, admin, world):
    operative = signed_in_as(app, "operative")
    assert operative.get("/today").status_code == 200
    response = post_form(admin, f"/admin/users/{world.users['operative']}/edit",
                         new_user_answers(world, name="Operative", email="operative@acme.test",
                                          badge_number="B-1"))
    assert response.status_code == 303
    bounced = operative.get("/today")
    assert bounced.status_code == 302
    assert bounced.headers["Location"].startswith("/login")
    assert sign_in(app.test_client(), "operative@acme.test", NEW_PASSWORD).status_code == 303


def test_disabling_a_user_signs_them_out_and_stops_them_signing_in(app, admin, db, world):
    operative = signed_in_as(app, "operative")
    response = post_form(admin, f"/admin/users/{world.users['operative']}/disable",
                         page_url="/admin/users")
    assert response.status_code == 303
    listing = admin.get("/admin/users").get_data(as_text=True)
    check_page(listing)
    assert "Operative is disabled and signed out everywhere." in listing
    assert f"/admin/users/{world.users['operative']}/enable" in listing
    assert db.execute("SELECT count(*) FROM user_sessions WHERE user_id = ?",
                      (world.users["operative"],)).fetchone()[0] == 0
    bounced = operative.get("/today")
    assert bounced.status_code == 302 and bounced.headers["Location"].startswith("/login")
    refused = sign_in(app.test_client(), PEOPLE["operative"][0])
    assert refused.status_code == 200
    assert WRONG_CREDENTIALS in refused.get_data(as_text=True)


def test_enabling_a_user_lets_them_sign_in_again(app, admin, world):
    user_id = world.users["operative"]
    post_form(admin, f"/admin/users/{user_id}/disable", page_url="/admin/users")
    response = post_form(admin, f"/admin/users/{user_id}/enable", page_url="/admin/users")
    assert response.status_code == 303
    assert "Operative can sign in again." in admin.get("/admin/users").get_data(as_text=True)
    assert sign_in(app.test_client(), PEOPLE["operative"][0]).status_code == 303


def test_an_admin_cannot_disable_themself(admin, db, world):
    me = world.users["admin"]
    listing = admin.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{me}/disable" not in listing
    response = admin.post(f"/admin/users/{me}/disable",
                          data={"csrf_token": csrf_token_from(listing)})
    assert response.status_code == 303
    after = admin.get("/admin/users")
    assert after.status_code == 200
    assert "You cannot disable your own account." in after.get_data(as_text=True)
    assert db.execute("SELECT active FROM users WHERE id = ?", (me,)).fetchone()[0] == 1


def test_each_change_is_audited_without_personal_data(admin, db, world):
    post_form(admin, "/admin/users/new", new_user_answers(world))
    user_id = user_row(db, "nadia@acme.test")["id"]
    post_form(admin, f"/admin/users/{user_id}/edit",
              new_user_answers(world, name="Nadia Renamed", password=""))
    post_form(admin, f"/admin/users/{user_id}/disable", page_url="/admin/users")
    post_form(admin, f"/admin/users/{user_id}/enable", page_url="/admin/users")
    rows = db.execute("SELECT * FROM audit_log WHERE action LIKE 'user_%' ORDER BY id").fetchall()
    assert [(r["action"], r["record_type"], r["record_id"], r["user_id"]) for r in rows] == [
        (action, "user", str(user_id), world.users["admin"])
        for action in ("user_created", "user_updated", "user_disabled", "user_enabled")]
    logged = str([tuple(r) for r in rows]).lower()
    for personal in ("nadia", "renamed", "acme.test", "b-77", "0113", NEW_PASSWORD):
        assert personal not in logged


def signed_in_as(app, person: str):
    client = app.test_client()
    assert sign_in(client, PEOPLE[person][0]).status_code == 303
    pass_second_factor(app, client, PEOPLE[person][0])
    return client


# Validation: (answers changed from a valid set, field, message). Each is refused on its own.
LONG_EMAIL = "n" * 311 + "@acme.test"
USER_FORM_ERRORS = [
    ({"name": ""}, "name", "Enter the person's full name"),
    ({"name": "   "}, "name", "Enter the person's full name"),
    ({"name": "N" * 101}, "name", "Full name must be 100 characters or fewer"),
    ({"email": ""}, "email", "Enter an email address"),
    ({"email": "   "}, "email", "Enter an email address"),
    ({"email": "nadia.acme.test"}, "email",
     "Enter an email address in the correct format, like name@example.org"),
    ({"email": "nadia@"}, "email",
     "Enter an email address in the correct format, like name@example.org"),
    ({"email": "OFFICER@RIVERSIDE.TEST"}, "email",
     "That email address is already used by another account"),
    ({"email": LONG_EMAIL}, "email", "Email address must be 320 characters or fewer"),
    ({"role": None}, "role", "Select a role"),
    ({"role": "superuser"}, "role", "Select a role"),
    ({"organisation_id": None}, "organisation_id", "Select an organisation"),
    ({"organisation_id": "0"}, "organisation_id", "Select an organisation"),
    ({"organisation_id": ""}, "organisation_id", "Select an organisation"),
    ({"organisation_id": "not-a-number"}, "organisation_id", "Select an organisation"),
    ({"organisation_id": "{faraway}"}, "organisation_id", "Select an organisation"),
    ({"organisation_id": "{elsewhere}", "role": "officer", "badge_number": ""},
     "organisation_id", "Select an organisation"),
    ({"organisation_id": "{riverside}"}, "organisation_id",
     "Select a contractor firm: operatives belong to a firm"),
    ({"role": "officer", "badge_number": ""}, "organisation_id",
     "Select the landlord: officers and admins belong to it"),
    ({"role": "admin", "organisation_id": "{brightside}"}, "organisation_id",
     "Select the landlord: officers and admins belong to it"),
    ({"badge_number": ""}, "badge_number",
     "Enter a badge number: it is shown on the operative's ID card"),
    ({"badge_number": "  "}, "badge_number",
     "Enter a badge number: it is shown on the operative's ID card"),
    ({"badge_number": "B" * 41}, "badge_number", "Badge number must be 40 characters or fewer"),
    ({"phone": "12"}, "phone", "Enter a phone number, like 020 7946 0000 or 07700 900 000"),
    ({"phone": "020 7946 0000 (mobile 07700 900 000)"}, "phone",
     "Work phone must be 30 characters or fewer"),
    ({"supervisor_phone": "ring Dave"}, "supervisor_phone",
     "Enter a phone number for the supervisor, like 020 7946 0000 or 07700 900 000"),
    ({"supervisor_phone": "12"}, "supervisor_phone",
     "Enter a phone number for the supervisor, like 020 7946 0000 or 07700 900 000"),
    ({"supervisor_phone": "0113 496 0101 0113 496 0101"}, "supervisor_phone",
     "Enter a phone number for the supervisor, like 020 7946 0000 or 07700 900 000"),
    ({"supervisor_phone": "0113" + "-" * 40 + "4960101"}, "supervisor_phone",
     "Supervisor's phone must be 30 characters or fewer"),
    ({"password": "elevenchars"}, "password", "Password must be 12 characters or more"),
    ({"password": "p" * 201}, "password", "Password must be 200 characters or fewer"),
    ({"password": " " * 12}, "password", "Enter a password that is not only spaces"),
]
NEW_USER_ONLY = [
    ({"password": ""}, "password", "Enter a password"),
    ({"password": None}, "password", "Enter a password"),
]
RADIO_FIELDS = {"role"}
TEXT_FIELDS = ("name", "email", "badge_number", "phone", "supervisor_phone")


# The edit page runs the same form; these show its own route checks them too.
ALSO_ON_EDIT = {"name", "email", "organisation_id", "password"}


def _user_form_cases():
    for page in ("new", "edit"):
        for number, (changes, field, message) in enumerate(
                USER_FORM_ERRORS + (NEW_USER_ONLY if page == "new" else [])):
            if page == "new" or field in ALSO_ON_EDIT:
                yield pytest.param(page, changes, field, message, id=f"{page}-{field}-{number}")


@pytest.mark.parametrize(("page", "changes", "field", "message"), list(_user_form_cases()))
def test_user_form_says_what_to_fix(admin, db, world, page, changes, field, message):
    changes = {key: value.format(**world.orgs) if value else value
               for key, value in changes.items()}
    answers = new_user_answers(world, **changes)
    url = ("/admin/users/new" if page == "new"
           else f"/admin/users/{world.users['operative']}/edit")
    before = snapshot(db)
    html = assert_form_error(post_form(admin, url, answers), field, message,
                             anchor=f"{field}-0" if field in RADIO_FIELDS else None)
    assert snapshot(db) == before
    kept = form_answers(html)
    for name in TEXT_FIELDS:
        assert kept[name] == answers.get(name, "").strip(), f"{name} was not kept"
    if field != "role":
        assert kept["role"] == answers["role"]
    if field != "organisation_id":
        assert kept["organisation_id"] == answers["organisation_id"]
    assert not kept["password"]
    assert NEW_PASSWORD not in html


def test_every_problem_is_listed_at_once(admin, db, world):
    answers = new_user_answers(world, name="", email="officer@riverside.test",
                               password="short")
    response = post_form(admin, "/admin/users/new", answers)
    html = assert_form_error(response, "email",
                             "That email address is already used by another account")
    assert "Enter the person&#39;s full name" in html
    assert "Password must be 12 characters or more" in html


def test_a_user_may_keep_their_own_email_whatever_its_case(admin, db, world):
    user_id = world.users["operative"]
    response = post_form(admin, f"/admin/users/{user_id}/edit", new_user_answers(
        world, name="Operative", email="Operative@Acme.Test", badge_number="B-1", password=""))
    assert response.status_code == 303
    assert db.execute("SELECT email FROM users WHERE id = ?",
                      (user_id,)).fetchone()[0] == "Operative@Acme.Test"


# Denials

ADMIN_GETS = ["/admin/users", "/admin/users/new", "/admin/users/{operative}/edit",
              "/admin/users/{operative}/disable",
              "/admin/users/{operative}/photo", "/admin/organisations",
              "/admin/organisations/new", "/admin/organisations/{acme}/edit"]
ADMIN_POSTS = ["/admin/users/new", "/admin/users/{operative}/edit",
               "/admin/users/{operative}/disable", "/admin/users/{disabled}/enable",
               "/admin/organisations/new", "/admin/organisations/{acme}/edit",
               "/admin/organisations/{riverside}/edit"]


@pytest.fixture
def disabled(db, world) -> int:
    """A disabled Acme operative, for the enable route (no password hashing: nobody signs in)."""
    return db.execute(
        "INSERT INTO users (name, email, password_hash, role, organisation_id, badge_number,"
        " active, created_at, updated_at) VALUES ('Dee Disabled', 'dee@acme.test', 'unusable',"
        " 'operative', ?, 'B-9', 0, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00')",
        (world.orgs["acme"],)).lastrowid


def _denial_answers(world) -> dict:
    """Answers that would be accepted from an admin, so only the refusal stops them."""
    return {**new_user_answers(world), "main_phone": "0113 496 0999"}


@pytest.mark.parametrize(("person", "status"), [
    ("officer", 403), ("operative", 403), ("other_firm_operative", 403),
    ("other_landlord_operative", 403), ("anonymous", 302)])
def test_only_admins_may_open_any_admin_page(app, db, world, disabled, person, status):
    client = app.test_client() if person == "anonymous" else signed_in_as(app, person)
    token = csrf_token_from(client.get("/login" if person == "anonymous" else "/",
                                       follow_redirects=True).get_data(as_text=True))
    before = snapshot(db)
    places = {**world.users, **world.orgs, "disabled": disabled}
    answers = []
    for url in ADMIN_GETS:
        answers.append(("GET", url, client.get(url.format(**places))))
    for url in ADMIN_POSTS:
        answers.append(("POST", url, client.post(url.format(**places),
                                                 data={"csrf_token": token,
                                                       **_denial_answers(world)})))
    wrong = [(method, url, response.status_code) for method, url, response in answers
             if response.status_code != status]
    assert not wrong, f"{person} was not refused: {wrong}"
    if status == 302:
        assert all(response.headers["Location"].startswith("/login?next=")
                   for *_, response in answers)
    assert snapshot(db) == before


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/admin/users/{operative}/edit"),
    ("POST", "/admin/users/{operative}/edit"),
    ("POST", "/admin/users/{operative}/disable"),
    ("POST", "/admin/users/{disabled}/enable"),
    ("GET", "/admin/users/{operative}/photo"),
    ("GET", "/admin/organisations/{acme}/edit"),
    ("POST", "/admin/organisations/{acme}/edit"),
    ("POST", "/admin/organisations/{riverside}/edit"),
])
def test_another_landlords_admin_finds_nothing_of_ours(app, db, world, disabled, method, url):
    client = signed_in_as(app, "other_landlord_admin")
    url = url.format(**world.users, **world.orgs, disabled=disabled)
    before = snapshot(db)
    if method == "GET":
        response = client.get(url)
    else:
        response = post_form(client, url, {**_denial_answers(world), "name": "Taken Over"},
                             page_url="/admin/users")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "operative@acme.test" not in html and "Riverside" not in html
    assert snapshot(db) == before


def test_another_landlords_admin_cannot_add_a_user_to_our_firm(app, db, world):
    client = signed_in_as(app, "other_landlord_admin")
    before = snapshot(db)
    response = post_form(client, "/admin/users/new", new_user_answers(world))
    html = assert_form_error(response, "organisation_id", "Select an organisation")
    assert "Acme Repairs" not in html
    assert snapshot(db) == before


def test_another_landlords_admin_does_not_see_our_users(app, world):
    html = signed_in_as(app, "other_landlord_admin").get("/admin/users").get_data(as_text=True)
    assert "admin@elsewhere.test" in html and "operative@faraway.test" in html
    for email in ("admin@riverside.test", "operative@acme.test", "operative@brightside.test"):
        assert email not in html


# The ID photo route

def test_photo_is_served_as_a_jpeg_to_the_landlords_admin(admin, world):
    response = admin.get(f"/admin/users/{world.users['operative']}/photo")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"\xff\xd8\xff")


def test_a_user_without_a_photo_has_none_to_serve(admin, world):
    assert admin.get(f"/admin/users/{world.users['officer']}/photo").status_code == 404


def test_another_landlords_admin_cannot_see_our_photos(app, world):
    client = signed_in_as(app, "other_landlord_admin")
    response = client.get(f"/admin/users/{world.users['operative']}/photo")
    assert response.status_code == 404
    assert not response.data.startswith(b"\xff\xd8")


def test_photo_of_an_unknown_user_is_not_found(admin):
    assert admin.get("/admin/users/999999/photo").status_code == 404


def test_password_is_never_shown(admin, world):
    html = admin.get(f"/admin/users/{world.users['operative']}/edit").get_data(as_text=True)
    assert PASSWORD not in html and "scrypt" not in html


def test_an_admin_cannot_take_away_their_own_admin_role(admin, db, world):
    me = user_row(db, PEOPLE["admin"][0])
    answers = {**{k: (me[k] or "") for k in ("name", "email", "badge_number", "phone",
                                             "supervisor_phone")},
               "role": "officer", "organisation_id": str(me["organisation_id"])}
    url = f"/admin/users/{me['id']}/edit"
    assert_form_error(post_form(admin, url, answers), "role",
                      "You cannot change your own role. Ask another administrator.",
                      anchor="role-0")
    assert user_row(db, PEOPLE["admin"][0])["role"] == "admin"


@pytest.mark.parametrize(("action", "active_after_refusal"), [("disable", 1), ("enable", 0)])
def test_a_user_change_and_its_audit_share_a_transaction(app, admin, db, world, action,
                                                          active_after_refusal):
    operative = world.users["operative"]
    db.execute("UPDATE users SET active = ? WHERE id = ?", (active_after_refusal, operative))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with audit_refused(db):
        response = post_form(admin, f"/admin/users/{operative}/{action}", page_url="/admin/users")
    assert response.status_code == 500
    assert db.execute("SELECT active FROM users WHERE id = ?",
                      (operative,)).fetchone()[0] == active_after_refusal


def test_a_new_user_is_not_kept_when_its_audit_cannot_be_written(app, admin, db, world):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with audit_refused(db):
        response = post_form(admin, "/admin/users/new", new_user_answers(world),
                             page_url="/admin/users/new")
    assert response.status_code == 500
    assert user_row(db, new_user_answers(world)["email"]) is None


# Disabling asks first, and says what the person is booked on today.

def test_disable_on_the_list_opens_a_confirm_page_and_enable_does_not(admin, db, world):
    operative, disabled_id = world.users["operative"], world.users["colleague"]
    db.execute("UPDATE users SET active = 0 WHERE id = ?", (disabled_id,))
    listing = admin.get("/admin/users").get_data(as_text=True)
    assert f'<a class="button button--warning button--small" ' \
           f'href="/admin/users/{operative}/disable">' in listing
    assert f'action="/admin/users/{operative}/disable"' not in listing  # no one-click disable
    assert f'<form method="post" action="/admin/users/{disabled_id}/enable"' in listing
    assert db.execute("SELECT active FROM users WHERE id = ?", (operative,)).fetchone()[0] == 1


def test_the_confirm_page_lists_what_they_are_booked_on_today(admin, db, world):
    from factories import add_resident, add_visit, window_around_now

    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            address_line1="Flat 12, Alder Court", postcode="RS1 4AB")
    starts, ends = window_around_now()
    add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts, ends)
    cancelled = add_resident(db, world.orgs["riverside"], None, address_line1="9 Gone Road")
    add_visit(db, cancelled, world.orgs["acme"], [world.users["operative"]], starts, ends,
              status="cancelled")
    url = f"/admin/users/{world.users['operative']}/disable"
    response = admin.get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    check_page(html)
    assert "<h1>Disable Operative?</h1>" in html
    assert "booked on 2 visits today" in html  # the world's 10:00 visit and this one
    assert f"{starts:%H:%M} to {ends:%H:%M}, Flat 12, Alder Court, RS1 4AB" in html
    assert "10:00 to 12:00, 1 Test Street, RS1 1AA" in html
    assert "9 Gone Road" not in html and "Carpentry" not in html  # cancelled; tomorrow
    assert f'<form method="post" action="{url}"' in html
    assert db.execute("SELECT active FROM users WHERE id = ?",
                      (world.users["operative"],)).fetchone()[0] == 1  # nothing yet
    assert post_form(admin, url).status_code == 303
    assert db.execute("SELECT active FROM users WHERE id = ?",
                      (world.users["operative"],)).fetchone()[0] == 0


def test_the_confirm_page_says_when_nothing_is_booked_today(admin, world):
    html = admin.get(f"/admin/users/{world.users['officer']}/disable").get_data(as_text=True)
    assert "Officer has no visits booked today." in html


def test_an_admin_is_not_offered_to_disable_themself(admin, world):
    response = admin.get(f"/admin/users/{world.users['admin']}/disable")
    assert response.status_code == 303
    assert "You cannot disable your own account." in admin.get("/admin/users").get_data(
        as_text=True)


def test_another_landlords_admin_cannot_open_our_confirm_page(app, world):
    client = signed_in_as(app, "other_landlord_admin")
    response = client.get(f"/admin/users/{world.users['operative']}/disable")
    assert response.status_code == 404
    assert "Test Street" not in response.get_data(as_text=True)
