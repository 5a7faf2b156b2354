"""Facts about a resident live once, on their record, and every page reads them there: the
advocate (resident page, briefing, distress card) and the language with its interpreter
arrangement (resident page, briefing, with the landlord's interpreting line)."""

import html as html_lib
import json
import re
from datetime import datetime, time, timedelta

import pytest

from fieldapp.core import migrations as schema
from fieldapp.core.clock import LOCAL_ZONE, today_local
from fieldapp.core.db import connect

from factories import add_adjustment, add_resident, add_visit
from pages import assert_field_error, check_page
from support import post_form

ADVOCATE_MIGRATION = "m014_briefing_advocate_on_resident"
LANGUAGE_MIGRATION = "m015_briefing_languages_and_interpreting"


def at(hour: int) -> datetime:
    return datetime.combine(today_local(), time(hour), LOCAL_ZONE)


def text_of(html: str) -> str:
    main = html.split('id="main"', 1)[1]
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", main).split()))


def section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def visit_for(db, world, **resident_fields) -> tuple[int, int]:
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            **resident_fields)
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], at(10),
                      at(12), steps=[("Fit the tap", 20, set())])
    return resident, visit


# The advocate --------------------------------------------------------------------------------

def test_the_advocate_on_the_record_reaches_every_page(db, world, signed_in):
    """The issue's case: "Advocate present" names Grace Obi; the resident page, the briefing's
    "Before you knock" and the distress card's "who to call" all name her, with her phone."""
    resident, visit = visit_for(db, world, advocate_name="Grace Obi",
                                advocate_phone="07700 900 312",
                                advocate_relationship="Support worker")
    add_adjustment(db, resident, "advocate_present", world.users["officer"])
    page = signed_in("officer").get(f"/residents/{resident}").get_data(as_text=True)
    check_page(page)
    details = section(text_of(page), "Details", "Adjustments")
    assert "Advocate Grace Obi (Support worker), 07700 900 312" in details
    assert 'href="tel:07700900312"' in page
    operative = signed_in("operative")
    briefing = operative.get(f"/visits/{visit}").get_data(as_text=True)
    before = section(text_of(briefing), "1. Before you knock", "2. At the door")
    assert "Grace Obi will be with the resident. Wait for them before you start. Call Grace " \
           "Obi 07700 900 312" in before
    knock_html = briefing.split('id="before-knock"', 1)[1].split('id="at-door"', 1)[0]
    assert 'href="tel:07700900312"' in knock_html
    card = operative.get(f"/visits/{visit}/distress").get_data(as_text=True)
    check_page(card)
    card_text = text_of(card)
    assert "Ask if they would like you to call Grace Obi, their advocate," in card_text
    assert card.index('href="#who-to-call"') < card.index("Stop what you are doing.")
    ladder = card.split('id="who-to-call"', 1)[1].split("Public lines", 1)[0]
    assert re.search(r'href="tel:07700900312">Advocate: Grace Obi', ladder)


def test_a_changed_advocate_changes_everywhere_at_once(db, world, signed_in):
    resident, visit = visit_for(db, world, advocate_name="Grace Obi",
                                advocate_phone="07700 900 312")
    add_adjustment(db, resident, "advocate_present", world.users["officer"])
    db.execute("UPDATE residents SET advocate_name = 'Marie Dunn', advocate_phone ="
               " '07700 900 656' WHERE id = ?", (resident,))
    operative = signed_in("operative")
    briefing = text_of(operative.get(f"/visits/{visit}").get_data(as_text=True))
    card = operative.get(f"/visits/{visit}/distress").get_data(as_text=True)
    assert "Marie Dunn will be with the resident." in briefing and "Grace" not in briefing
    assert 'href="tel:07700900656">Advocate: Marie Dunn' in card and "Grace" not in card


def test_without_an_advocate_the_card_does_not_send_you_to_one(db, world, signed_in):
    _resident, visit = visit_for(db, world)
    card = text_of(signed_in("operative").get(f"/visits/{visit}/distress").get_data(
        as_text=True))
    assert "call their housing officer, or someone they trust" in card
    assert "Advocate" not in card


def test_advocate_present_asks_for_the_advocate_on_the_record_first(db, world, signed_in):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    url = f"/residents/{resident}/adjustments/new/advocate_present"
    client = signed_in("officer")
    form_page = client.get(url).get_data(as_text=True)
    check_page(form_page)
    assert "Add the advocate in their details" in text_of(form_page)
    assert 'name="param_advocate"' not in form_page  # no second place to type a name
    response = post_form(client, url, {
        "detail": "Wait for Grace", "consent_given_by": "resident", "consent_how": "phone",
        "consent_on": today_local().isoformat(),
        "review_due": (today_local() + timedelta(days=300)).isoformat()})
    assert response.status_code == 422
    assert "Add the advocate&#39;s name and phone in the resident&#39;s details first" in \
        response.get_data(as_text=True)
    assert 'value="Wait for Grace"' in response.get_data(as_text=True) or \
        "Wait for Grace" in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM adjustments WHERE resident_id = ?",
                      (resident,)).fetchone()[0] == 0


# Migrations ----------------------------------------------------------------------------------

@pytest.fixture
def old_db(tmp_path):
    """A database as it was before the advocate and language moved: free-text languages, the
    advocate typed into the adjustment, the old "Interpreter" adjustment."""
    db = connect(str(tmp_path / "old.db"))
    schema.migrations.apply(db, stop_before=ADVOCATE_MIGRATION)
    now = "2026-01-01T00:00:00+00:00"
    db.execute("INSERT INTO organisations (id, name, kind, landlord_id, created_at, updated_at)"
               " VALUES (1, 'Riverside Homes', 'landlord', 1, ?, ?)", (now, now))
    db.execute("INSERT INTO users (id, name, email, password_hash, role, organisation_id,"
               " created_at, updated_at) VALUES (1, 'Olive', 'o@x.test', 'x', 'officer', 1, ?,"
               " ?)", (now, now))

    # Rows as the old schema held them (the create functions write today's columns).
    def resident(rid, language, advocate="", phone=""):
        db["residents"].insert({"id": rid, "landlord_id": 1, "name": f"Resident {rid}",
                                "address_line1": "1 Lane", "language": language,
                                "advocate_name": advocate, "advocate_phone": phone,
                                "created_at": now, "updated_at": now})

    def adjustment(aid, rid, code, parameters, detail=""):
        db["adjustments"].insert({
            "id": aid, "resident_id": rid, "type_code": code,
            "parameters": json.dumps(parameters), "detail": detail,
            "consent_given_by": "resident", "consent_how": "phone", "consent_on": "2026-01-01",
            "recorded_by": 1, "review_due": "2027-01-01", "created_at": now, "updated_at": now})

    resident(1, "English")
    adjustment(1, 1, "advocate_present", {"advocate": "Grace Obi", "phone": "07700 900 312"})
    resident(2, "turkish ", advocate="Marie Dunn", phone="07700 900 656")
    adjustment(2, 2, "advocate_present", {"advocate": "Grace Obi", "phone": "07700 900 312"},
               "Wait outside.")
    resident(3, "Kurdish (Sorani)", advocate="Sam Ray")
    adjustment(3, 3, "advocate_present", {"advocate": "sam ray", "phone": "07700 900 777"})
    resident(4, "English")
    adjustment(4, 4, "interpreter", {"language": "Polish", "booked": "yes"})
    resident(5, "")
    adjustment(5, 5, "interpreter", {"language": "Tigrinya (Eritrea)", "booked": "no"})
    resident(6, "BSL")
    yield db
    db.close()


def test_the_advocate_typed_into_an_adjustment_moves_to_the_record_and_nothing_is_lost(old_db):
    schema.apply(old_db)
    residents = {r["id"]: r for r in old_db.execute("SELECT * FROM residents")}
    adjustments = {r["id"]: r for r in old_db.execute("SELECT * FROM adjustments")}
    assert (residents[1]["advocate_name"], residents[1]["advocate_phone"]) == (
        "Grace Obi", "07700 900 312")
    # A different advocate already on the record stays; the adjustment's is kept in its detail.
    assert (residents[2]["advocate_name"], residents[2]["advocate_phone"]) == (
        "Marie Dunn", "07700 900 656")
    assert adjustments[2]["detail"] == ("Wait outside. Also recorded as the advocate: "
                                        "Grace Obi, 07700 900 312.")
    # The same person: their phone fills the gap on the record.
    assert (residents[3]["advocate_name"], residents[3]["advocate_phone"]) == (
        "Sam Ray", "07700 900 777")
    assert adjustments[3]["detail"] == ""
    for adjustment_id in (1, 2, 3):
        assert json.loads(adjustments[adjustment_id]["parameters"]) == {}
        assert adjustments[adjustment_id]["status"] == "active"
    advocate_type = old_db.execute("SELECT parameters FROM adjustment_types"
                                   " WHERE code = 'advocate_present'").fetchone()
    assert json.loads(advocate_type[0]) == []


def test_free_text_languages_become_codes_and_the_rest_waits_for_the_officer(old_db):
    schema.apply(old_db)
    rows = {r["id"]: r for r in old_db.execute("SELECT * FROM residents")}
    found = {rid: (r["language"], r["language_to_check"], r["interpreter"])
             for rid, r in rows.items()}
    assert found == {
        1: ("en", "", "not_needed"),
        2: ("tr", "", "not_needed"),
        3: ("", "Kurdish (Sorani)", "not_needed"),  # kept word for word, to choose
        4: ("pl", "", "in_person"),  # from the old Interpreter adjustment: booked
        5: ("", "Tigrinya (Eritrea)", "phone"),
        6: ("bfi", "", "not_needed"),
    }
    interpreters = old_db.execute("SELECT status, withdrawn_reason FROM adjustments"
                                  " WHERE type_code = 'interpreter'").fetchall()
    assert [tuple(r) for r in interpreters] == [
        ("withdrawn", "Moved to the resident's language and interpreter details")] * 2
    retired = old_db.execute("SELECT active, instruction_template FROM adjustment_types"
                             " WHERE code = 'interpreter'").fetchone()
    assert retired["active"] == 0 and "/" not in retired["instruction_template"]


def test_a_language_waiting_to_be_chosen_shows_to_the_officer(db, world, signed_in):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"], language="",
                            language_to_check="Kurdish (Sorani)")
    client = signed_in("officer")
    page = text_of(client.get(f"/residents/{resident}").get_data(as_text=True))
    assert 'Language Choose from the list Recorded before as "Kurdish (Sorani)".' in page
    form = client.get(f"/residents/{resident}/edit").get_data(as_text=True)
    check_page(form)
    assert "Recorded before the list as &#34;Kurdish (Sorani)&#34;" in form or \
        'Recorded before the list as "Kurdish (Sorani)"' in html_lib.unescape(form)


# Language and interpreting -------------------------------------------------------------------

def test_officer_chooses_a_language_from_the_list_and_how_it_is_interpreted(db, world,
                                                                            signed_in):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            language="", language_to_check="Turkce")
    client = signed_in("officer")
    page = client.get(f"/residents/{resident}/edit").get_data(as_text=True)
    for code, name in (("en", "English"), ("tr", "Turkish"), ("bn", "Bengali"),
                       ("pl", "Polish"), ("so", "Somali"), ("ar", "Arabic"),
                       ("yi", "Yiddish"), ("ur", "Urdu")):
        assert f'<option value="{code}">{name}</option>' in page
    row = dict(db.execute("SELECT * FROM residents WHERE id = ?", (resident,)).fetchone())
    answers = {key: row[key] or "" for key in (
        "name", "preferred_name", "tenancy_ref", "address_line1", "address_line2", "town",
        "postcode", "area", "phone", "phone_alt", "email", "advocate_name", "advocate_phone",
        "advocate_relationship", "doorstep_password")}
    response = post_form(client, f"/residents/{resident}/edit", {
        **answers, "officer_id": str(world.users["officer"]), "preferred_contact": "phone",
        "language": "tr", "interpreter": "phone"})
    assert response.status_code == 303
    stored = db.execute("SELECT language, language_to_check, interpreter FROM residents"
                        " WHERE id = ?", (resident,)).fetchone()
    assert tuple(stored) == ("tr", "", "phone")
    text = text_of(client.get(f"/residents/{resident}").get_data(as_text=True))
    assert "Language Turkish Interpreter By phone (the interpreting line)" in text


def set_interpreting_line(signed_in, world, number: str):
    return post_form(signed_in("admin"), f"/admin/organisations/{world.orgs['riverside']}/edit", {
        "name": "Riverside Homes", "main_phone": "020 7946 0000", "duty_phone": "020 7946 0999",
        "safeguarding_phone": "020 7946 0555", "web_address": "https://www.riverside.example",
        "interpreting_phone": number})


def test_the_interpreting_line_is_an_organisation_setting_checked_as_a_phone(db, world,
                                                                             signed_in):
    page = signed_in("admin").get(f"/admin/organisations/{world.orgs['riverside']}/edit")
    check_page(page.get_data(as_text=True))
    assert 'name="interpreting_phone"' in page.get_data(as_text=True)
    refused = set_interpreting_line(signed_in, world, "ring the agency")
    assert refused.status_code == 422
    assert_field_error(refused.get_data(as_text=True), "interpreting_phone",
                       "Enter a phone number for the interpreting line")
    assert set_interpreting_line(signed_in, world, "0800 123 4567").status_code == 303
    assert db.execute("SELECT interpreting_phone FROM organisations WHERE id = ?",
                      (world.orgs["riverside"],)).fetchone()[0] == "0800 123 4567"
    firm = signed_in("admin").get(f"/admin/organisations/{world.orgs['acme']}/edit")
    assert 'name="interpreting_phone"' not in firm.get_data(as_text=True)


@pytest.mark.parametrize(("language", "interpreter", "says"), [
    ("tr", "phone", "The resident speaks Turkish. Use the phone interpreting line to talk with "
                    "them. Call the interpreting line 0800 123 4567"),
    ("bn", "in_person", "The resident speaks Bengali. An interpreter is booked to come in "
                        "person: wait for them before you start."),
    ("so", "needed", "The resident speaks Somali and needs an interpreter. None is booked yet: "
                     "ask the office before you go."),
    ("pl", "not_needed", "The resident speaks Polish. They do not need an interpreter."),
])
def test_the_briefing_says_the_language_and_the_arrangement_in_plain_words(
        db, world, signed_in, language, interpreter, says):
    set_interpreting_line(signed_in, world, "0800 123 4567")
    _resident, visit = visit_for(db, world, language=language, interpreter=interpreter)
    html = signed_in("operative").get(f"/visits/{visit}").get_data(as_text=True)
    check_page(html)
    before = section(text_of(html), "1. Before you knock", "2. At the door")
    assert says in before
    assert "An interpreter is booked / use" not in html
    knock_html = html.split('id="before-knock"', 1)[1].split('id="at-door"', 1)[0]
    assert ('href="tel:08001234567"' in knock_html) == (interpreter == "phone")
    preview = signed_in("officer").get(f"/schedule/{visit}").get_data(as_text=True)
    assert says.split(" Call the")[0] in text_of(preview)


def test_by_phone_with_no_line_set_says_to_ask_the_office(db, world, signed_in):
    _resident, visit = visit_for(db, world, language="ar", interpreter="phone")
    text = text_of(signed_in("operative").get(f"/visits/{visit}").get_data(as_text=True))
    assert "Use the phone interpreting line to talk with them. Ask the office for the " \
           "interpreting line's number." in text


def test_an_english_speaker_needing_no_interpreter_gets_no_line_about_it(db, world, signed_in):
    _resident, visit = visit_for(db, world, language="en", interpreter="not_needed")
    text = text_of(signed_in("operative").get(f"/visits/{visit}").get_data(as_text=True))
    assert "interpreter" not in text.lower() and "speaks" not in text


def test_the_day_list_chip_names_the_language(db, world, signed_in):
    visit_for(db, world, language="yi", interpreter="in_person")
    text = text_of(signed_in("operative").get("/today").get_data(as_text=True))
    assert "Interpreter: Yiddish" in text


def test_the_advocate_cannot_be_cleared_while_advocate_present_names_them(db, world, signed_in):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            advocate_name="Grace Obi", advocate_phone="07700 900 312")
    add_adjustment(db, resident, "advocate_present", world.users["officer"])
    row = dict(db.execute("SELECT * FROM residents WHERE id = ?", (resident,)).fetchone())
    answers = {key: row[key] or "" for key in (
        "name", "preferred_name", "tenancy_ref", "address_line1", "address_line2", "town",
        "postcode", "area", "phone", "phone_alt", "email", "advocate_relationship",
        "doorstep_password", "language", "interpreter")}
    response = post_form(signed_in("officer"), f"/residents/{resident}/edit", {
        **answers, "officer_id": str(world.users["officer"]), "preferred_contact": "phone",
        "advocate_name": "", "advocate_phone": ""})
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), "advocate_name",
                       "Advocate present is recorded for this resident")
    assert db.execute("SELECT advocate_name FROM residents WHERE id = ?",
                      (resident,)).fetchone()[0] == "Grace Obi"
