"""Admin: languages as data. An admin adds a language (officers can choose it at once), offers
resident pages and messages in it once its catalogue is complete, and stops offering one
(its residents then read English); English is never stopped; every change is audited."""

import pytest
from test_public_pages import public_urls  # noqa: F401  (a fixture)

from fieldapp.core.i18n import offered_language
from fieldapp.core.translation_status import language_status, template_strings

from admin_support import assert_form_error, form_answers
from pages import check_page
from support import csrf_token_from, post_form

URDU = {"code": "ur-PK", "name": "Urdu (Pakistan)", "autonym": "اردو", "direction": "rtl"}
DARI = {"code": "fa-AF", "name": "Dari", "autonym": "دری", "direction": "rtl"}


@pytest.fixture
def admin(signed_in):
    return signed_in("admin")


def language(db, code: str):
    return db.execute("SELECT * FROM languages WHERE code = ?", (code,)).fetchone()


def audited(db, action: str) -> list[str]:
    return [row["record_id"] for row in db.execute(
        "SELECT record_id FROM audit_log WHERE action = ? ORDER BY id", (action,))]


def press(client, code: str, action: str):
    """The offer or stop button beside a language on the languages page."""
    token = csrf_token_from(client.get("/admin/languages").get_data(as_text=True))
    return client.post(f"/admin/languages/{code}/{action}", data={"csrf_token": token})


@pytest.mark.parametrize(("answers", "field", "message"), [
    ({"code": ""}, "code", "Enter the language's code, like ur for Urdu or fa-AF for Dari"),
    ({"code": "urdu"}, "code", "Enter a BCP 47 language code, like ur, pa or fa-AF"),
    ({"code": "xx-QQ"}, "code", "Enter a BCP 47 language code, like ur, pa or fa-AF"),
    ({"code": "ur;--"}, "code", "Enter a BCP 47 language code, like ur, pa or fa-AF"),
    ({"code": "PL"}, "code", "Polish (pl) is already on the list"),
    ({"name": "  "}, "name", "Enter the language's name in English"),
    ({"name": "u" * 61}, "name", "Name in English must be 60 characters or fewer"),
    ({"name": "polish"}, "name", "Polish (pl) is already on the list"),
    ({"autonym": ""}, "autonym", "Enter the language's name as its readers write it"),
    ({"direction": ""}, "direction", "Select the direction it is written in"),
    ({"direction": "upwards"}, "direction", "Select the direction it is written in"),
], ids=["no-code", "a-name-not-a-code", "unknown-code", "not-a-code", "on-the-list",
        "no-name", "long-name", "name-on-the-list", "no-autonym", "no-direction",
        "made-up-direction"])
def test_adding_a_language_says_what_to_fix_and_keeps_the_answers(admin, db, answers, field,
                                                                   message):
    before = db.execute("SELECT count(*) FROM languages").fetchone()[0]
    response = post_form(admin, "/admin/languages/new", {**URDU, **answers})
    assert_form_error(response, field, message,
                      anchor=f"{field}-0" if field == "direction" else None)
    kept = form_answers(response.get_data(as_text=True))
    for name in ("code", "name", "autonym"):
        if name != field:
            assert kept[name] == URDU[name]
    assert db.execute("SELECT count(*) FROM languages").fetchone()[0] == before


def test_an_added_language_is_offered_to_officers_at_once_not_on_resident_pages(
        admin, db, signed_in):
    officer = signed_in("officer")
    assert "Dari" not in officer.get("/residents/new").get_data(as_text=True)
    response = post_form(admin, "/admin/languages/new", DARI)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/languages"
    row = language(db, "fa-AF")
    assert (row["name"], row["autonym"], row["direction"], row["pages_enabled"]) == (
        "Dari", "دری", "rtl", 0)
    assert audited(db, "language_added") == ["fa-AF"]
    # In its place by name: after Cantonese, before English names later in the alphabet.
    names = [name for (name,) in db.execute("SELECT name FROM languages ORDER BY sort_order")]
    assert names[0] == "English" and names.index("Cantonese") < names.index("Dari") \
        < names.index("French")
    form = officer.get("/residents/new").get_data(as_text=True)
    assert '<option value="fa-AF">Dari</option>' in form
    listing = admin.get("/admin/languages").get_data(as_text=True)
    check_page(listing)
    dari = listing[listing.index("<h2 class=\"record__title\">Dari"):]
    dari = dari[:dari.index("</li>")]
    assert "<dd>No</dd>" in dari and "Offer pages and messages" in dari


def test_a_code_is_stored_the_usual_way_whatever_its_case(admin, db):
    response = post_form(admin, "/admin/languages/new",
                         {**URDU, "code": "PA_in", "name": "Punjabi (India)"})
    assert response.status_code == 303
    assert language(db, "pa-IN")["name"] == "Punjabi (India)"


def test_offering_a_language_with_no_translation_is_refused_saying_what_is_missing(admin, db):
    response = press(admin, "ur", "offer")
    strings = template_strings()
    message = (f"Pages in Urdu need a full translation first: 0 of {strings} strings "
               "translated. A developer adds it (docs/translations.md).")
    assert strings > 100
    assert_form_error(response, "language-ur", message, anchor="language-ur-error")
    assert language(db, "ur")["pages_enabled"] == 0 and audited(db, "language_offered") == []


def test_stopping_polish_gives_a_polish_resident_english_and_offering_it_again_works(
        app, admin, db, world, public_urls):  # noqa: F811
    db.execute("UPDATE residents SET language = 'pl' WHERE id = ?",
               (world.residents["riverside"],))
    db.commit()
    url, _landlord = public_urls["check-confirmed"]
    resident = app.test_client()
    assert '<html lang="pl">' in resident.get(url).get_data(as_text=True)

    response = press(admin, "pl", "stop")
    assert response.status_code == 303
    html = resident.get(url).get_data(as_text=True)
    assert '<html lang="en-GB">' in html
    assert 'hreflang="pl"' not in html and ">Polski</a>" not in html
    assert 'hreflang="ar"' in html  # the languages still offered are still linked
    assert language(db, "pl")["pages_enabled"] == 0
    assert offered_language(db, "pl") == "en"  # and their messages are written in English

    assert language_status("pl").problems == ()
    response = press(admin, "pl", "offer")
    assert response.status_code == 303
    assert '<html lang="pl">' in resident.get(url).get_data(as_text=True)
    assert offered_language(db, "pl") == "pl"
    assert audited(db, "language_stopped") == ["pl"] and audited(db, "language_offered") == ["pl"]


def test_english_cannot_be_stopped(admin, db):
    response = press(admin, "en", "stop")
    assert_form_error(response, "language-en", "English cannot be stopped: every page is "
                      "written in English first, and other languages fall back to it.",
                      anchor="language-en-error")
    assert language(db, "en")["pages_enabled"] == 1 and audited(db, "language_stopped") == []
    assert "/admin/languages/en/stop" not in admin.get("/admin/languages").get_data(as_text=True)



def test_a_language_with_a_region_finds_babels_catalogue_folder_and_dates(app, tmp_path):
    """BCP 47 writes fa-AF; Babel's folders and locales are fa_AF."""
    from flask_babel import format_date
    from test_languages import write_catalogue

    from fieldapp.core.i18n import in_language, use_language
    from fieldapp.core.translation_status import catalogue_file

    assert catalogue_file("fa-AF").parent.parent.name == "fa_AF"
    write_catalogue(tmp_path, "fa_AF", "Send", "بفرستید", "unchecked")
    assert language_status("fa-AF", tmp_path).translated == 1
    with app.test_request_context("/"):
        use_language("fa-AF")
        with in_language("fa-AF"):
            assert format_date(__import__("datetime").date(2026, 1, 5), "MMMM") == "جنوری"
