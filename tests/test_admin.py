"""Administration: users and organisations of the admin's own landlord, every form's errors."""

import io

import pytest
from PIL import Image

from pages import assert_field_error, check_page
from support import PASSWORD, PEOPLE, post_form, sign_in

NEW_USER = {"name": "Lee Brown", "email": "lee@acme.test", "role": "operative", "phone": "",
            "badge_number": "ACME-9", "supervisor_phone": "0113 496 0101",
            "password": "a long enough password"}


def user_form(world, **changes) -> dict:
    return {**NEW_USER, "organisation_id": str(world.orgs["acme"]), **changes}


def count_users(db) -> int:
    return db.execute("SELECT count(*) FROM users").fetchone()[0]


def test_user_list_shows_only_this_landlords_people(signed_in):
    html = signed_in("admin").get("/admin/users").get_data(as_text=True)
    check_page(html)
    assert "operative@acme.test" in html and "operative@brightside.test" in html
    assert "officer@elsewhere.test" not in html and "operative@faraway.test" not in html


def test_admin_adds_a_user_who_can_then_sign_in(app, signed_in, db, world):
    response = post_form(signed_in("admin"), "/admin/users/new", user_form(world))
    assert response.status_code == 303
    row = db.execute("SELECT * FROM users WHERE email = 'lee@acme.test'").fetchone()
    assert (row["name"], row["role"], row["organisation_id"], row["badge_number"]) == (
        "Lee Brown", "operative", world.orgs["acme"], "ACME-9")
    assert sign_in(app.test_client(), "lee@acme.test", NEW_USER["password"]).status_code == 303
    audit = db.execute("SELECT * FROM audit_log WHERE action = 'user_created'").fetchone()
    assert audit["record_id"] == str(row["id"])
    assert "Lee" not in str(dict(audit)) and "lee@acme.test" not in str(dict(audit))


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Enter the person&#39;s full name"),
    ({"name": "x" * 101}, "name", "Full name must be 100 characters or fewer"),
    ({"email": ""}, "email", "Enter an email address"),
    ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
    ({"email": "OFFICER@RIVERSIDE.TEST"}, "email", "already used by another account"),
    ({"role": ""}, "role", "Select a role"),
    ({"organisation_id": "0"}, "organisation_id", "Select an organisation"),
    ({"role": "officer"}, "organisation_id", "Select the landlord"),
    ({"organisation_id": "LANDLORD"}, "organisation_id", "Select a contractor firm"),
    ({"badge_number": ""}, "badge_number", "Enter a badge number"),
    ({"supervisor_phone": "call me"}, "supervisor_phone", "Enter a phone number for the "
                                                           "supervisor"),
    ({"password": "short"}, "password", "Password must be 12 characters or more"),
    ({"password": ""}, "password", "Enter a password"),
    ({"phone": "12"}, "phone", "Enter a phone number"),
])
def test_user_form_says_what_to_fix_and_keeps_the_answers(signed_in, db, world, changes, field,
                                                          message):
    if changes.get("organisation_id") == "LANDLORD":
        changes = {**changes, "organisation_id": str(world.orgs["riverside"])}
    before = count_users(db)
    response = post_form(signed_in("admin"), "/admin/users/new", user_form(world, **changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert "<title>Error: Add a user" in html
    assert_field_error(html, field, message)
    if "name" not in changes:
        assert 'value="Lee Brown"' in html
    assert NEW_USER["password"] not in html
    assert count_users(db) == before


def test_editing_keeps_the_password_unless_a_new_one_is_given(app, signed_in, db, world):
    user = world.users["operative"]
    response = post_form(signed_in("admin"), f"/admin/users/{user}/edit",
                         user_form(world, email=PEOPLE["operative"][0], name="Renamed",
                                   password=""))
    assert response.status_code == 303
    assert db.execute("SELECT name FROM users WHERE id = ?", (user,)).fetchone()[0] == "Renamed"
    assert sign_in(app.test_client(), PEOPLE["operative"][0]).status_code == 303


def test_a_new_password_signs_the_user_out_everywhere(signed_in, world):
    victim = signed_in("operative")
    assert victim.get("/today").status_code == 200
    post_form(signed_in("admin"), f"/admin/users/{world.users['operative']}/edit",
              user_form(world, email=PEOPLE["operative"][0], password="another long password"))
    assert victim.get("/today").status_code == 302


def test_disabling_ends_sessions_and_enabling_lets_them_back(app, signed_in, db, world):
    victim, admin = signed_in("operative"), signed_in("admin")
    user = world.users["operative"]
    assert post_form(admin, f"/admin/users/{user}/disable", page_url="/admin/users"
                     ).status_code == 303
    assert victim.get("/today").status_code == 302
    assert sign_in(app.test_client(), PEOPLE["operative"][0]).status_code == 200
    assert post_form(admin, f"/admin/users/{user}/enable", page_url="/admin/users"
                     ).status_code == 303
    assert sign_in(app.test_client(), PEOPLE["operative"][0]).status_code == 303
    actions = [r[0] for r in db.execute("SELECT action FROM audit_log WHERE record_id = ? AND"
                                        " action LIKE 'user_%' ORDER BY id", (str(user),))]
    assert actions == ["user_disabled", "user_enabled"]


def test_admin_cannot_disable_themself(signed_in, db, world):
    response = post_form(signed_in("admin"), f"/admin/users/{world.users['admin']}/disable",
                         page_url="/admin/users", follow_redirects=True)
    assert "You cannot disable your own account" in response.get_data(as_text=True)
    assert db.execute("SELECT active FROM users WHERE id = ?",
                      (world.users["admin"],)).fetchone()[0] == 1


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/admin/users/{u}/edit"), ("POST", "/admin/users/{u}/disable"),
    ("GET", "/admin/users/{u}/photo"), ("GET", "/admin/organisations/{o}/edit"),
])
def test_another_landlords_admin_cannot_touch_our_records(signed_in, db, world, method, path):
    client = signed_in("other_landlord_admin")
    url = path.format(u=world.users["operative"], o=world.orgs["acme"])
    response = (post_form(client, url, page_url="/admin/users") if method == "POST"
                else client.get(url))
    assert response.status_code == 404
    assert db.execute("SELECT active FROM users WHERE id = ?",
                      (world.users["operative"],)).fetchone()[0] == 1


def image_upload(fmt: str = "PNG", size=(800, 1000), name: str = "me.png"):
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, format=fmt)
    return (io.BytesIO(out.getvalue()), name)


def test_photo_is_stored_small_as_jpeg_and_served_to_admins(signed_in, db, world):
    admin = signed_in("admin")
    user = world.users["other_firm_operative"]
    response = post_form(admin, f"/admin/users/{user}/edit",
                         {**user_form(world, email=PEOPLE["other_firm_operative"][0],
                                      organisation_id=str(world.orgs["brightside"]),
                                      password=""), "photo": image_upload()},
                         content_type="multipart/form-data")
    assert response.status_code == 303
    photo = admin.get(f"/admin/users/{user}/photo")
    assert photo.headers["Content-Type"] == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(photo.data)).size == (480, 600)


@pytest.mark.parametrize(("upload", "message"), [
    ((io.BytesIO(b"just some text"), "me.jpg"), "The selected file is not a photo"),
    ("GIF", "The photo must be a JPG, PNG or WebP"),
    ((io.BytesIO(b"x" * (2 * 1024 * 1024 + 1)), "big.jpg"), "smaller than 2 MB"),
    ("BOMB", "The photo is too large"),
])
def test_a_file_that_is_not_a_usable_photo_is_refused(signed_in, db, world, upload, message):
    if upload == "GIF":
        upload = image_upload("GIF", name="me.gif")
    elif upload == "BOMB":
        # A tiny PNG that claims 8000x8000 pixels: small to send, huge to open.
        upload = image_upload("PNG", size=(8000, 8000), name="bomb.png")
    response = post_form(signed_in("admin"), "/admin/users/new",
                         {**user_form(world), "photo": upload},
                         page_url="/admin/users/new", content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM users WHERE email = 'lee@acme.test'"
                      ).fetchone()[0] == 0


def test_admin_adds_a_contractor_firm(signed_in, db):
    response = post_form(signed_in("admin"), "/admin/organisations/new",
                         {"name": "Quick Glaziers", "main_phone": "0113 496 0300",
                          "duty_phone": "", "safeguarding_phone": "", "web_address": ""})
    assert response.status_code == 303
    row = db.execute("SELECT * FROM organisations WHERE name = 'Quick Glaziers'").fetchone()
    assert row["kind"] == "contractor"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Enter the organisation&#39;s name"),
    ({"main_phone": ""}, "main_phone", "Enter the main phone number"),
    ({"main_phone": "ring us"}, "main_phone", "Enter a main phone number"),
    ({"web_address": "http://www.riverside.example"}, "web_address",
     "Enter a web address starting with https://"),
    ({"duty_phone": ""}, "duty_phone", "Enter the duty or out-of-hours phone"),
    ({"safeguarding_phone": ""}, "safeguarding_phone", "Enter the safeguarding team phone"),
])
def test_landlord_form_says_what_to_fix(signed_in, db, world, changes, field, message):
    landlord = world.orgs["riverside"]
    values = {"name": "Riverside Homes", "main_phone": "020 7946 0000",
              "duty_phone": "020 7946 0999", "safeguarding_phone": "020 7946 0555",
              "web_address": "https://www.riverside.example", **changes}
    response = post_form(signed_in("admin"), f"/admin/organisations/{landlord}/edit", values)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert_field_error(html, field, message)
    assert db.execute("SELECT name FROM organisations WHERE id = ?", (landlord,)
                      ).fetchone()[0] == "Riverside Homes"


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new", "/admin/organisations",
                                  "/admin/organisations/new"])
def test_admin_pages_pass_the_page_checks(signed_in, path):
    check_page(signed_in("admin").get(path).get_data(as_text=True))


def test_only_admins_reach_admin_pages(signed_in):
    for person in ("officer", "operative"):
        assert signed_in(person).get("/admin/users").status_code == 403
    assert PASSWORD
