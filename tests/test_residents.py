"""Residents, officer side: search, the resident's page, add and edit, private notes."""

import html as html_lib
import re

import pytest

from fieldapp.accounts.queries import create_user
from fieldapp.residents.queries import SEARCH_COLUMNS

from factories import add_resident
from pages import assert_field_error, check_page
from support import assert_nothing_kept_when_audit_refused, csrf_token_from, post_form

NEW_RESIDENT = {
    "name": "Michael Brennan", "preferred_name": "Michael", "tenancy_ref": "RH-10002",
    "language": "en", "interpreter": "not_needed", "address_line1": "Flat 12, Alder Court",
    "address_line2": "",
    "town": "Riverton", "postcode": "RS1 4AB", "area": "Alder", "phone": "07700 900 123",
    "phone_alt": "", "email": "michael@example.org", "preferred_contact": "text",
    "advocate_name": "Grace Brennan", "advocate_phone": "07700 900 312",
    "advocate_relationship": "Sister", "doorstep_password": "bluebell",
}
PRIVATE = "Lives with her son; the officer agreed to keep this here"


def resident_form(world, **changes) -> dict:
    return {**NEW_RESIDENT, "officer_id": str(world.users["officer"]), **changes}


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def assert_error_links_to_a_field(html: str, field: str) -> None:
    """The summary's link must land somewhere: the field (or its first option) is on the page."""
    assert f'id="{field}"' in html or f'id="{field}-0"' in html, f"nothing has id {field}"


# Search -----------------------------------------------------------------------------------------

@pytest.fixture
def brennans(db, world):
    """Three Brennans: the officer's own, a colleague's, and one of another landlord."""
    riverside = world.orgs["riverside"]
    return {
        "mine": add_resident(db, riverside, world.users["officer"], name="Michael Brennan",
                             preferred_name="Mike", address_line1="Flat 12, Alder Court",
                             postcode="RS1 4AB", tenancy_ref="RH-10002"),
        "colleagues": add_resident(db, riverside, world.users["admin"], name="Brenda Brennan",
                                   address_line1="3 Birch Road", postcode="RS2 7CD",
                                   tenancy_ref="RH-20001"),
        "elsewhere": add_resident(db, world.orgs["elsewhere"],
                                  world.users["other_landlord_officer"], name="Bernard Brennan",
                                  preferred_name="Mike", address_line1="Flat 14, Alder Court",
                                  postcode="RS1 4AB", tenancy_ref="RH-10002"),
    }


@pytest.mark.parametrize("query", ["Michael", "Mike", "brennan michael", "Alder Court",
                                   "RS1 4AB", "rs14ab", "RS14AB", "RH-10002", "rh-10002"])
def test_search_finds_a_resident_by_name_address_postcode_or_tenancy(brennans, signed_in,
                                                                     query):
    response = signed_in("officer").get("/residents", query_string={"q": query})
    html = response.get_data(as_text=True)
    check_page(html)
    assert f'href="/residents/{brennans["mine"]}"' in html
    assert "Bernard" not in html and f'/residents/{brennans["elsewhere"]}"' not in html


@pytest.mark.parametrize("query", ["Mi", "Mi Brennan", "14 Al"])
def test_search_matches_short_words_too(brennans, signed_in, query):
    """One- and two-letter words are too short for the trigram index and are matched with
    LIKE; the results are the same as for longer words."""
    html = signed_in("officer").get("/residents", query_string={"q": query}).get_data(
        as_text=True)
    assert f'href="/residents/{brennans["mine"]}"' in html


def test_search_follows_a_renamed_resident(brennans, world, signed_in):
    """The full-text index is kept by triggers: an edit shows in the next search."""
    client = signed_in("officer")
    resident = brennans["mine"]
    response = post_form(client, f"/residents/{resident}/edit", resident_form(
        world, name="Michael Okafor", postcode="RS9 9ZZ"))
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert f'/residents/{resident}"' in client.get("/residents?q=okafor").get_data(as_text=True)
    assert f'/residents/{resident}"' in client.get("/residents?q=rs99zz").get_data(as_text=True)
    assert f'/residents/{resident}"' not in client.get("/residents?q=Brennan").get_data(
        as_text=True)


def test_search_columns_are_the_full_text_index_columns(db):
    indexed = [row["name"] for row in db.execute("PRAGMA table_info(residents_fts)")]
    assert tuple(indexed) == SEARCH_COLUMNS


def test_search_lists_the_officers_own_residents_first(brennans, signed_in):
    text = text_of(signed_in("officer").get("/residents?q=Brennan").get_data(as_text=True))
    # Brenda comes first by name, but Michael is the officer's own resident.
    assert text.index("Michael Brennan") < text.index("Brenda Brennan")
    assert "Your resident" in text and "Contact: Admin" in text


def test_search_never_shows_another_landlords_residents(brennans, signed_in):
    everyone = signed_in("officer").get("/residents").get_data(as_text=True)
    assert "Michael Brennan" in everyone and "Rita Resident" in everyone
    assert "Bernard" not in everyone
    theirs = signed_in("other_landlord_officer").get("/residents?q=Brennan").get_data(
        as_text=True)
    assert "Bernard Brennan" in theirs
    assert "Michael Brennan" not in theirs and "Brenda" not in theirs


def test_search_says_when_nothing_matches(signed_in):
    html = signed_in("officer").get("/residents?q=Zebedee").get_data(as_text=True)
    check_page(html)
    assert 'No residents match "Zebedee". Check the spelling' in html_lib.unescape(html)


def test_htmx_search_returns_just_the_results(brennans, signed_in):
    client = signed_in("officer")
    response = client.get("/residents?q=Brennan", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "<h1" not in html
    assert "Michael Brennan" in html and "Bernard" not in html
    assert "HX-Request" in response.headers.get("Vary", "")
    # The full page varies on the same header, so no cache hands one out for the other.
    full = client.get("/residents?q=Brennan")
    assert "<html" in full.get_data(as_text=True)
    assert "HX-Request" in full.headers.get("Vary", "")


def test_htmx_history_restore_gets_the_whole_page(brennans, signed_in):
    # After a history-cache miss htmx asks again for the pushed URL and swaps the whole body.
    response = signed_in("officer").get("/residents?q=Brennan", headers={
        "HX-Request": "true", "HX-History-Restore-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" in html and "<h1>Residents</h1>" in html


# The resident's page ----------------------------------------------------------------------------

def test_resident_page_shows_details_adjustments_and_visits(world, signed_in):
    html = signed_in("officer").get(f"/residents/{world.residents['riverside']}").get_data(
        as_text=True)
    check_page(html)
    text = text_of(html)
    assert "Rita Resident" in text and "1 Test Street" in text
    assert "Knock gently." in text  # the world's adjustment, as the operative reads it
    assert "JOB-1" in text and "JOB-2" in text


def test_viewing_a_resident_is_audited_without_personal_data(db, world, signed_in):
    resident = world.residents["riverside"]
    signed_in("officer").get(f"/residents/{resident}")
    rows = db.execute("SELECT * FROM audit_log WHERE action = 'resident_viewed'").fetchall()
    assert [(r["user_id"], r["record_type"], r["record_id"]) for r in rows] == [
        (world.users["officer"], "resident", str(resident))]
    stored = str(dict(rows[0]))
    for personal in ("Rita", "Test Street", "RS1", "Testville"):
        assert personal not in stored


@pytest.mark.parametrize("path", ["", "/edit", "/notes"])
def test_another_landlords_officer_cannot_open_a_resident(db, world, signed_in, path):
    response = signed_in("other_landlord_officer").get(
        f"/residents/{world.residents['riverside']}{path}")
    assert response.status_code == 404
    assert "Rita" not in response.get_data(as_text=True)
    assert count(db, "audit_log WHERE action IN ('resident_viewed', 'private_notes_viewed')") == 0


# Add and edit -----------------------------------------------------------------------------------

def test_officer_adds_a_resident(db, world, signed_in):
    client = signed_in("officer")
    page = client.get("/residents/new").get_data(as_text=True)
    check_page(page)
    assert '<option selected value="en">English</option>' in page  # sensible defaults
    response = post_form(client, "/residents/new", resident_form(world))
    assert response.status_code == 303
    row = db.execute("SELECT * FROM residents WHERE tenancy_ref = 'RH-10002'").fetchone()
    assert response.headers["Location"].endswith(f"/residents/{row['id']}")
    for field, value in NEW_RESIDENT.items():
        assert row[field] == value, field
    assert (row["landlord_id"], row["officer_id"]) == (world.orgs["riverside"],
                                                       world.users["officer"])
    audit = db.execute("SELECT * FROM audit_log WHERE action = 'resident_created'").fetchone()
    assert (audit["user_id"], audit["record_id"]) == (world.users["officer"], str(row["id"]))
    assert "Michael" not in str(dict(audit))
    assert "Michael Brennan is added" in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_postcode_is_stored_in_capitals_with_its_space(db, world, signed_in):
    post_form(signed_in("officer"), "/residents/new", resident_form(world, postcode="rs14ab"))
    row = db.execute("SELECT postcode FROM residents WHERE tenancy_ref = 'RH-10002'").fetchone()
    assert row["postcode"] == "RS1 4AB"


RESIDENT_ERRORS = [
    ({"name": ""}, "name", "Enter the resident&#39;s full name"),
    ({"name": "   "}, "name", "Enter the resident&#39;s full name"),
    ({"name": "x" * 101}, "name", "Full name must be 100 characters or fewer"),
    ({"preferred_name": "x" * 61}, "preferred_name", "Preferred name must be 60 characters or "
                                                     "fewer"),
    ({"tenancy_ref": "x" * 31}, "tenancy_ref", "Tenancy reference must be 30 characters or fewer"),
    ({"address_line1": ""}, "address_line1", "Enter the first line of the address"),
    ({"address_line1": " \t "}, "address_line1", "Enter the first line of the address"),
    ({"address_line1": "x" * 101}, "address_line1", "Address line 1 must be 100 characters or "
                                                    "fewer"),
    ({"postcode": ""}, "postcode", "Enter the postcode"),
    ({"postcode": "  "}, "postcode", "Enter the postcode"),
    ({"postcode": "NOT A CODE"}, "postcode", "Enter a real postcode, like RS1 4AB"),
    ({"postcode": "RS1 4AB" * 20}, "postcode", "Enter a real postcode, like RS1 4AB"),
    ({"phone": "call me"}, "phone", "Enter a phone number, like 020 7946 0000"),
    ({"phone_alt": "12"}, "phone_alt", "Enter a phone number, like 020 7946 0000"),
    ({"email": "not-an-email"}, "email", "Enter an email address in the correct format"),
    ({"preferred_contact": ""}, "preferred_contact", "Select how they prefer to be contacted"),
    ({"preferred_contact": "pigeon"}, "preferred_contact",
     "Select how they prefer to be contacted"),
    ({"language": ""}, "language", "Select the language they prefer from the list"),
    ({"language": "English"}, "language", "Select the language they prefer from the list"),
    ({"language": "xx"}, "language", "Select the language they prefer from the list"),
    ({"interpreter": ""}, "interpreter", "Select whether they need an interpreter"),
    ({"interpreter": "maybe"}, "interpreter", "Select whether they need an interpreter"),
    ({"officer_id": "0"}, "officer_id", "Select the resident&#39;s single point of contact"),
    ({"officer_id": "someone"}, "officer_id", "Select the resident&#39;s single point of contact"),
    ({"officer_id": "OTHER_LANDLORD"}, "officer_id",
     "Select the resident&#39;s single point of contact"),
    ({"advocate_phone": ""}, "advocate_phone", "Enter the advocate&#39;s phone number"),
    ({"advocate_phone": "ring Grace"}, "advocate_phone", "Enter a phone number for the advocate"),
    ({"advocate_relationship": "x" * 61}, "advocate_relationship",
     "Relationship to the resident must be 60 characters or fewer"),
    ({"doorstep_password": "x" * 41}, "doorstep_password",
     "Doorstep password must be 40 characters or fewer"),
]


@pytest.mark.parametrize("editing", [False, True], ids=["add", "edit"])
@pytest.mark.parametrize(("changes", "field", "message"), RESIDENT_ERRORS)
def test_resident_form_says_what_to_fix_and_keeps_the_answers(db, world, signed_in, editing,
                                                              changes, field, message):
    if changes.get("officer_id") == "OTHER_LANDLORD":
        changes = {"officer_id": str(world.users["other_landlord_officer"])}
    resident = world.residents["riverside"]
    url = f"/residents/{resident}/edit" if editing else "/residents/new"
    before = db.execute("SELECT * FROM residents ORDER BY id").fetchall()
    response = post_form(signed_in("officer"), url, resident_form(world, **changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert ("<title>Error: Edit Rita Resident" if editing else "<title>Error: Add a resident") \
        in html
    assert_field_error(html, field, message)
    assert_error_links_to_a_field(html, field)
    kept = "Flat 12, Alder Court" if field != "address_line1" else "Grace Brennan"
    assert f'value="{kept}"' in html
    assert [dict(r) for r in db.execute("SELECT * FROM residents ORDER BY id")] == \
        [dict(r) for r in before]


def test_officer_edits_a_resident(db, world, signed_in):
    resident = world.residents["riverside"]
    client = signed_in("officer")
    page = client.get(f"/residents/{resident}/edit").get_data(as_text=True)
    check_page(page)
    assert 'value="Rita Resident"' in page and 'value="RS1 1AA"' in page
    colleague = create_user(db, name="Olu Officer", email="olu@riverside.test",
                            password="unused password 1", role="officer",
                            organisation_id=world.orgs["riverside"])
    response = post_form(client, f"/residents/{resident}/edit", resident_form(
        world, name="Rita Resident", preferred_name="Rita", phone="020 7946 0123",
        officer_id=str(colleague)))
    assert response.status_code == 303
    row = db.execute("SELECT * FROM residents WHERE id = ?", (resident,)).fetchone()
    assert (row["preferred_name"], row["phone"], row["officer_id"], row["landlord_id"]) == (
        "Rita", "020 7946 0123", colleague, world.orgs["riverside"])
    audit = db.execute("SELECT * FROM audit_log WHERE action = 'resident_updated'").fetchone()
    assert audit["record_id"] == str(resident)


def test_another_landlords_officer_cannot_edit_a_resident(db, world, signed_in):
    resident = world.residents["riverside"]
    response = post_form(signed_in("other_landlord_officer"), f"/residents/{resident}/edit",
                         resident_form(world, name="Changed"), page_url="/residents")
    assert response.status_code == 404
    assert db.execute("SELECT name FROM residents WHERE id = ?", (resident,)).fetchone()[0] == \
        "Rita Resident"


# Private notes ----------------------------------------------------------------------------------

def notes_url(world) -> str:
    return f"/residents/{world.residents['riverside']}/notes"


def test_private_notes_are_added_and_listed_newest_first(db, world, signed_in):
    client = signed_in("officer")
    for body in ("First note", PRIVATE):
        response = post_form(client, notes_url(world), {"body": body})
        assert response.status_code == 303
    html = client.get(notes_url(world)).get_data(as_text=True)
    check_page(html)
    text = text_of(html)
    assert text.index(PRIVATE) < text.index("First note")
    assert "Officer" in text  # who wrote it
    rows = db.execute("SELECT * FROM resident_notes").fetchall()
    assert [(r["resident_id"], r["author_id"]) for r in rows] == [
        (world.residents["riverside"], world.users["officer"])] * 2
    added = db.execute("SELECT record_id FROM audit_log WHERE action = 'private_note_added'"
                       " ORDER BY id").fetchall()
    assert [r[0] for r in added] == [str(r["id"]) for r in rows]
    assert PRIVATE not in str([dict(r) for r in db.execute("SELECT * FROM audit_log")])
    page = client.get(f"/residents/{world.residents['riverside']}").get_data(as_text=True)
    assert "Private notes (2)" in page and PRIVATE not in page


def test_reading_private_notes_is_audited(db, world, signed_in):
    signed_in("officer").get(notes_url(world))
    rows = db.execute("SELECT * FROM audit_log WHERE action = 'private_notes_viewed'").fetchall()
    assert [(r["user_id"], r["record_type"], r["record_id"]) for r in rows] == [
        (world.users["officer"], "resident", str(world.residents["riverside"]))]


@pytest.mark.parametrize(("body", "message"), [
    ("", "Enter the note"),
    ("  ", "Enter the note"),
    ("x" * 2001, "Note must be 2000 characters or fewer"),
])
def test_private_note_form_says_what_to_fix(db, world, signed_in, body, message):
    response = post_form(signed_in("officer"), notes_url(world), {"body": body})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert "<title>Error: Private notes" in html
    assert_field_error(html, "body", message)
    assert body.strip() in html
    assert count(db, "resident_notes") == 0


def test_private_notes_never_reach_the_operative(db, world, signed_in):
    post_form(signed_in("officer"), notes_url(world), {"body": PRIVATE})
    assert count(db, "resident_notes") == 1
    operative = signed_in("operative")
    visit = world.visits["today"]
    for url in ("/today", f"/visits/{visit}", f"/visits/{visit}/distress",
                f"/visits/{visit}/id-card", f"/visits/{world.visits['tomorrow']}"):
        response = operative.get(url)
        assert response.status_code == 200, url
        assert "Lives with her son" not in response.get_data(as_text=True), url


def test_another_landlords_officer_cannot_add_a_private_note(db, world, signed_in):
    response = post_form(signed_in("other_landlord_officer"), notes_url(world),
                         {"body": "Not theirs to write"}, page_url="/residents")
    assert response.status_code == 404
    assert count(db, "resident_notes") == 0


@pytest.mark.parametrize("change", ["add", "edit", "note"])
def test_a_resident_change_is_not_saved_when_its_audit_row_cannot_be(db, world, signed_in,
                                                                      change):
    resident = world.residents["riverside"]
    url, data = {
        "add": ("/residents/new", resident_form(world)),
        "edit": (f"/residents/{resident}/edit", resident_form(world, name="Rita Changed")),
        "note": (notes_url(world), {"body": PRIVATE}),
    }[change]
    client = signed_in("officer")
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    assert_nothing_kept_when_audit_refused(
        db, ("residents", "resident_notes"),
        lambda: client.post(url, data={"csrf_token": token, **data}))


def officer_choices(html: str) -> list[str]:
    select = html.split('id="officer_id"')[1].split("</select>")[0]
    return [html_lib.unescape(name)
            for name in re.findall(r'<option[^>]*value="[1-9]\d*"[^>]*>([^<]+)<', select)]


@pytest.mark.parametrize("url", ["/residents/new", "/residents/{resident}/edit"])
def test_the_single_point_of_contact_is_chosen_from_officers_only(db, world, signed_in, url):
    create_user(db, name="Disabled Officer", email="gone@riverside.test",
                password="unused password 1", role="officer",
                organisation_id=world.orgs["riverside"])
    db.execute("UPDATE users SET active = 0 WHERE email = 'gone@riverside.test'")
    html = signed_in("admin").get(url.format(resident=world.residents["riverside"])).get_data(
        as_text=True)
    assert officer_choices(html) == ["Officer"]  # not the admin, operatives or a disabled one


def test_choosing_an_admin_as_the_single_point_of_contact_is_refused(db, world, signed_in):
    response = post_form(signed_in("officer"), "/residents/new",
                         resident_form(world, officer_id=str(world.users["admin"])))
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), "officer_id",
                       "Select the resident&#39;s single point of contact")
