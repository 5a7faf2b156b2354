"""Admin: the landlord and its contractor firms, with the phone lines the distress card uses."""

import pytest

from admin_support import assert_form_error, form_answers, snapshot
from pages import check_page
from support import post_form

PHONE_MESSAGE = "Enter a {}, like 020 7946 0000 or 07700 900 000"
WEB_MESSAGE = "Enter a web address starting with https://, like https://www.riverside.example"
NAME_TAKEN = "That name is already used by another organisation"
NEW_FIRM = {"name": "Castle Roofing", "main_phone": "0113 496 0300", "duty_phone": "",
            "safeguarding_phone": "", "web_address": "https://www.castle.example"}
RIVERSIDE = {"name": "Riverside Homes", "main_phone": "020 7946 0000",
             "duty_phone": "020 7946 0999", "safeguarding_phone": "020 7946 0555",
             "web_address": "https://www.riverside.example"}


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


def organisation(db, organisation_id: int):
    return db.execute("SELECT * FROM organisations WHERE id = ?", (organisation_id,)).fetchone()


def test_list_shows_the_landlord_and_its_firms_only(admin):
    html = admin.get("/admin/organisations").get_data(as_text=True)
    check_page(html)
    for name in ("Riverside Homes", "Acme Repairs", "Brightside Gas"):
        assert name in html
    assert "Elsewhere Housing" not in html and "Faraway Fixers" not in html
    assert 'href="tel:02079460999"' in html


def test_admin_adds_a_contractor_firm_to_their_landlord(admin, db, world):
    response = post_form(admin, "/admin/organisations/new", NEW_FIRM)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/organisations"
    listing = admin.get("/admin/organisations").get_data(as_text=True)
    check_page(listing)
    assert "Castle Roofing is added. You can now add its operatives." in listing
    row = db.execute("SELECT * FROM organisations WHERE name = 'Castle Roofing'").fetchone()
    assert (row["kind"], row["landlord_id"], row["main_phone"], row["web_address"]) == (
        "contractor", world.orgs["riverside"], "0113 496 0300", "https://www.castle.example")
    new_user = admin.get("/admin/users/new").get_data(as_text=True)
    assert f'<option value="{row["id"]}">Castle Roofing</option>' in new_user
    audit = db.execute("SELECT * FROM audit_log WHERE action = 'organisation_created'"
                       ).fetchall()
    assert [(r["record_type"], r["record_id"], r["user_id"]) for r in audit] == [
        ("organisation", str(row["id"]), world.users["admin"])]


def test_new_firm_is_not_seen_by_another_landlord(admin, signed_in):
    post_form(admin, "/admin/organisations/new", NEW_FIRM)
    html = signed_in("other_landlord_admin").get("/admin/organisations").get_data(as_text=True)
    assert "Castle Roofing" not in html


def test_admin_edits_the_landlords_phone_lines(admin, db, world):
    landlord = world.orgs["riverside"]
    page = admin.get(f"/admin/organisations/{landlord}/edit").get_data(as_text=True)
    check_page(page)
    assert form_answers(page)["duty_phone"] == "020 7946 0999"
    response = post_form(admin, f"/admin/organisations/{landlord}/edit",
                         {**RIVERSIDE, "duty_phone": "020 7946 0888",
                          "web_address": "https://homes.riverside.example/contact"})
    assert response.status_code == 303
    row = organisation(db, landlord)
    assert (row["duty_phone"], row["web_address"], row["kind"]) == (
        "020 7946 0888", "https://homes.riverside.example/contact", "landlord")
    assert "Changes to Riverside Homes are saved." in admin.get(
        "/admin/organisations").get_data(as_text=True)
    audit = db.execute("SELECT record_id FROM audit_log WHERE action = 'organisation_updated'"
                       ).fetchall()
    assert [r[0] for r in audit] == [str(landlord)]


def test_a_firm_may_have_no_duty_or_safeguarding_line(admin, db, world):
    firm = world.orgs["acme"]
    response = post_form(admin, f"/admin/organisations/{firm}/edit",
                         {"name": "Acme Repairs Ltd", "main_phone": "0113 496 0100",
                          "duty_phone": "", "safeguarding_phone": "", "web_address": ""})
    assert response.status_code == 303
    row = organisation(db, firm)
    assert (row["name"], row["duty_phone"], row["web_address"]) == ("Acme Repairs Ltd", "", "")


def test_a_firm_may_keep_its_own_name(admin, world):
    response = post_form(admin, f"/admin/organisations/{world.orgs['acme']}/edit",
                         {**NEW_FIRM, "name": "Acme Repairs"})
    assert response.status_code == 303


def test_another_landlord_may_use_the_same_firm_name(signed_in, db, world):
    response = post_form(signed_in("other_landlord_admin"), "/admin/organisations/new",
                         {**NEW_FIRM, "name": "Acme Repairs"})
    assert response.status_code == 303
    assert db.execute("SELECT landlord_id FROM organisations WHERE name = 'Acme Repairs'"
                      " ORDER BY id DESC").fetchone()[0] == world.orgs["elsewhere"]


# Validation: (page, answers changed from a valid set, field, message).
ORGANISATION_FORM_ERRORS = [
    ("new", {"name": ""}, "name", "Enter the organisation's name"),
    ("new", {"name": "   "}, "name", "Enter the organisation's name"),
    ("new", {"name": "C" * 101}, "name", "Name must be 100 characters or fewer"),
    # The visit import finds firms by name, whatever its case: two alike would be ambiguous.
    ("new", {"name": "ACME REPAIRS"}, "name", NAME_TAKEN),
    ("new", {"name": "Riverside Homes"}, "name", NAME_TAKEN),
    ("new", {"main_phone": ""}, "main_phone", "Enter the main phone number"),
    ("new", {"main_phone": "   "}, "main_phone", "Enter the main phone number"),
    ("new", {"main_phone": "ring us"}, "main_phone", PHONE_MESSAGE.format("main phone number")),
    ("new", {"main_phone": "0113" + "-" * 30 + "4960300"}, "main_phone",
     "Main phone must be 30 characters or fewer"),
    ("new", {"duty_phone": "999 or 111"}, "duty_phone",
     PHONE_MESSAGE.format("duty phone number")),
    ("new", {"safeguarding_phone": "0113 496 0300 0113 496"}, "safeguarding_phone",
     PHONE_MESSAGE.format("safeguarding phone number")),
    ("new", {"web_address": "http://www.castle.example"}, "web_address", WEB_MESSAGE),
    ("new", {"web_address": "www.castle.example"}, "web_address", WEB_MESSAGE),
    ("new", {"web_address": "https://localhost"}, "web_address", WEB_MESSAGE),
    ("new", {"web_address": "javascript:alert(1)"}, "web_address", WEB_MESSAGE),
    ("new", {"web_address": "https://www." + "c" * 190 + ".example"}, "web_address",
     "Web address must be 200 characters or fewer"),
    ("landlord", {"duty_phone": ""}, "duty_phone",
     "Enter the duty or out-of-hours phone: operatives call it when a visit goes wrong"),
    ("landlord", {"duty_phone": "  "}, "duty_phone",
     "Enter the duty or out-of-hours phone: operatives call it when a visit goes wrong"),
    ("landlord", {"safeguarding_phone": ""}, "safeguarding_phone",
     "Enter the safeguarding team phone: operatives call it when a visit goes wrong"),
    ("landlord", {"duty_phone": "duty"}, "duty_phone", PHONE_MESSAGE.format("duty phone number")),
    ("landlord", {"main_phone": ""}, "main_phone", "Enter the main phone number"),
    ("landlord", {"name": ""}, "name", "Enter the organisation's name"),
    ("landlord", {"name": "brightside gas"}, "name", NAME_TAKEN),
    ("landlord", {"web_address": "http://www.riverside.example"}, "web_address", WEB_MESSAGE),
    ("firm", {"name": "Brightside Gas"}, "name", NAME_TAKEN),
    ("firm", {"main_phone": ""}, "main_phone", "Enter the main phone number"),
]


@pytest.mark.parametrize(("page", "changes", "field", "message"), ORGANISATION_FORM_ERRORS,
                         ids=[f"{page}-{field}-{number}" for number, (page, _, field, _)
                              in enumerate(ORGANISATION_FORM_ERRORS)])
def test_organisation_form_says_what_to_fix(admin, db, world, page, changes, field, message):
    url, valid = {
        "new": ("/admin/organisations/new", NEW_FIRM),
        "landlord": (f"/admin/organisations/{world.orgs['riverside']}/edit", RIVERSIDE),
        "firm": (f"/admin/organisations/{world.orgs['acme']}/edit", NEW_FIRM),
    }[page]
    answers = {**valid, **changes}
    before = snapshot(db)
    html = assert_form_error(post_form(admin, url, answers), field, message)
    assert snapshot(db) == before
    kept = form_answers(html)
    assert {name: kept[name] for name in answers} == {
        name: value.strip() for name, value in answers.items()}


def test_every_problem_with_the_landlord_is_listed_at_once(admin, db, world):
    before = snapshot(db)
    response = post_form(admin, f"/admin/organisations/{world.orgs['riverside']}/edit",
                         {**RIVERSIDE, "duty_phone": "", "safeguarding_phone": "",
                          "web_address": "http://www.riverside.example"})
    html = assert_form_error(response, "web_address", WEB_MESSAGE)
    assert "Enter the duty or out-of-hours phone" in html
    assert "Enter the safeguarding team phone" in html
    assert snapshot(db) == before


def test_organisation_pages_pass_page_checks(admin, world):
    for url in ("/admin/organisations", "/admin/organisations/new",
                f"/admin/organisations/{world.orgs['acme']}/edit"):
        response = admin.get(url)
        assert response.status_code == 200, url
        check_page(response.get_data(as_text=True))


def test_another_landlords_admin_cannot_edit_our_organisations(signed_in, db, world):
    client = signed_in("other_landlord_admin")
    before = snapshot(db)
    for org in ("riverside", "acme"):
        url = f"/admin/organisations/{world.orgs[org]}/edit"
        assert client.get(url).status_code == 404
        response = post_form(client, url, {**NEW_FIRM, "name": "Taken Over"},
                             page_url="/admin/organisations")
        assert response.status_code == 404
    assert snapshot(db) == before


def test_unknown_organisation_is_not_found(admin):
    assert admin.get("/admin/organisations/999999/edit").status_code == 404
