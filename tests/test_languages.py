"""Residents hear from us in their own language: every resident page opens in the resident's
language (or the one they pick), offers every other language by its own name, says the right
`lang` and `dir`, leaves no English behind, and still fits the first round trip; the catalogues
are complete, keep every placeholder, and mark what no translator has checked yet."""

import gzip
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from test_page_weight import FIRST_FLIGHT, GZIP
from test_public_pages import PUBLIC_PAGES, public_urls  # noqa: F401  (a fixture)

from fieldapp.core import translation_status
from fieldapp.core.catalogues import PAGE_LANGUAGES
from fieldapp.core.db import connect
from fieldapp.core.migrations import apply

from factories import add_visit, window_around_now
from pages import check_page
from support import csrf_token_from

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [code for code, _autonym, _direction in PAGE_LANGUAGES if code != "en"]
RIGHT_TO_LEFT = {code for code, _autonym, direction in PAGE_LANGUAGES if direction == "rtl"}
RESIDENT_PAGES = [name for name in PUBLIC_PAGES if name != "not-found"]


class _Text(HTMLParser):
    """The visible text of a page, one piece per text node, and the language links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.language_links: list[dict] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and attributes.get("hreflang"):
            self.language_links.append(attributes)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skip:
            self.pieces.append(text)


def text_of(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def names_in(db) -> set[str]:
    """What a page may show in any language: names of people, landlords and firms."""
    names = {row[0] for row in db.execute("SELECT name FROM organisations")}
    for (name,) in db.execute("SELECT name FROM users UNION SELECT name FROM residents"):
        names.update({name, name.split()[0]})
    return names | {"English"}  # English is offered, by its own name, on every other page


def english_left(english: str, translated: str, names: set[str]) -> list[str]:
    """Pieces of the English page's text that the translated page still shows word for word,
    other than names, numbers, web addresses and the languages' own names."""
    autonyms = {autonym for _code, autonym, _direction in PAGE_LANGUAGES}
    same = set(text_of(english).pieces) & set(text_of(translated).pieces)
    return sorted(piece for piece in same
                  if piece not in names | autonyms and re.search(r"[A-Za-z]{2}", piece)
                  and not re.fullmatch(r"[\w.-]+\.\w+", piece))  # a host name, as in the bar


def test_every_enabled_language_has_a_complete_catalogue_that_keeps_its_placeholders(app):
    """Fails for a string left untranslated, a changed placeholder or tag, a draft that does
    not say whether a translator checked it, or a .mo not compiled from its .po."""
    with app.app_context():
        from fieldapp.core.i18n import page_languages
        enabled = [code for code in page_languages(connect(app.config["FIELDAPP_DB"]))
                   if code != "en"]
    assert set(enabled) == set(TRANSLATED)
    for code in enabled:
        status = translation_status.language_status(code)
        assert status.problems == (), status.problems[:5]
        assert status.translated == status.strings > 0


def test_every_marked_string_in_the_code_is_in_every_catalogue(tmp_path):
    """A string marked for translation after the last extract (a new page) fails here until
    `scripts/translations all` has run and it is translated."""
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", "extract", "-F",
                    "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-k", "marked", "--ignore-dirs",
                    ".* ._ node_modules instance static offline tests bench docs", "-o",
                    str(pot), "."], cwd=ROOT, check=True)
    with pot.open("rb") as file:
        marked = {message.id for message in read_po(file) if message.id}
    for code in TRANSLATED:
        with translation_status.catalogue_file(code).open("rb") as file:
            catalogue = read_po(file)
        translated = {message.id for message in catalogue if message.id and all(
            message.string if isinstance(message.string, tuple) else [message.string])}
        missing = marked - translated
        assert not missing, f"{code} lacks {sorted(map(str, missing))[:5]}"


def write_catalogue(directory: Path, code: str, msgid: str, msgstr: str, comment: str):
    folder = directory / code / "LC_MESSAGES"
    folder.mkdir(parents=True)
    comment_line = f"# {comment}\n" if comment else ""
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        f'{comment_line}msgid "{msgid}"\nmsgstr "{msgstr}"\n', encoding="utf-8")


@pytest.mark.parametrize("msgstr, comment, problem", [
    ("", "unchecked", "not translated"),
    ("Ara %(landlord)s", "unchecked", "placeholders or tags changed"),
    ("Ara %(owner)s on %(phone)s", "unchecked", "placeholders or tags changed"),
    ("Ara {landlord} %(phone)s", "unchecked", "placeholders or tags changed"),
    ("Ara %(landlord)s %(phone)s", "", "say whether a translator checked it"),
])
def test_the_check_names_a_missing_translation_a_lost_placeholder_and_an_unmarked_draft(
        tmp_path, msgstr, comment, problem):
    write_catalogue(tmp_path, "tr", "Call %(landlord)s on %(phone)s", msgstr, comment)
    problems = translation_status.language_status("tr", tmp_path).problems
    assert any(problem in line for line in problems), problems


def test_a_checked_translation_is_counted_and_an_unchecked_one_is_not(tmp_path):
    write_catalogue(tmp_path, "tr", "Send", "Gönder", "checked by A. Translator, 2026-12-01")
    status = translation_status.language_status("tr", tmp_path)
    assert (status.translated, status.checked) == (1, 1)
    assert all("not compiled" in problem for problem in status.problems)
    assert translation_status.language_status("pl").checked == 0  # our drafts: all unchecked


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_resident_page_opens_in_each_language_with_no_english_left(
        app, db, public_urls, code):  # noqa: F811
    names = names_in(db)
    client = app.test_client()
    for name in RESIDENT_PAGES:
        url, _landlord = public_urls[name]
        english = client.get(url).get_data(as_text=True)
        response = client.get(f"{url}?lang={code}", headers=GZIP)
        assert response.status_code == 200, name
        assert len(response.get_data()) <= FIRST_FLIGHT, f"{name}: {len(response.get_data())}"
        html = gzip.decompress(response.get_data()).decode()
        check_page(html)
        opening = re.search(r"<html[^>]*>", html).group(0)
        assert f'lang="{code}"' in opening, (name, opening)
        assert ('dir="rtl"' in opening) == (code in RIGHT_TO_LEFT), (name, opening)
        assert english_left(english, html, names) == [], name
        offered = {link["hreflang"]: link for link in text_of(html).language_links}
        assert set(offered) == {c for c, _a, _d in PAGE_LANGUAGES} - {code}, name
        for other, link in offered.items():
            assert link["lang"] == other and link["href"].endswith(f"?lang={other}")


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_choose_a_time_page_says_each_outcome_and_each_problem_in_the_language(
        app, db, public_urls, code):  # noqa: F811
    """Beyond the page as first opened: what it says after each choice, after "I can't make
    this time", the resident's own words shown back, and the errors of both forms; and the
    "I can't make this time" link, once used, pointing back to it."""
    from fieldapp.voice import tokens

    names = names_in(db)
    url, _landlord = public_urls["choose-a-time"]
    client = app.test_client()
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    with app.test_request_context():
        visit = tokens.visit_for(db, tokens.OFFER_SALT, url.removeprefix("/t/"))
        rebook = "/r/" + tokens.make(tokens.REBOOK_SALT, visit["id"])
    assert client.post(rebook, data={"csrf_token": token, "any_time": "y"}).status_code == 200
    english = client.get(rebook).get_data(as_text=True)
    html = client.get(f"{rebook}?lang={code}").get_data(as_text=True)
    assert url in english and english_left(english, html, names) == []
    assert client.post(f"{url}/wish", data={"csrf_token": token,
                                            "words": "Knock twice"}).status_code == 303
    for said in ("picked", "none", "undone", "wish"):
        english = client.get(f"{url}?said={said}").get_data(as_text=True)
        html = client.get(f"{url}?said={said}&lang={code}").get_data(as_text=True)
        assert "Knock twice" in html and 'role="status"' in html and "/undo" in html
        assert english_left(english, html, names) == [], said
    for sent_to in (url, f"{url}/wish"):  # no time chosen; nothing written
        english = client.post(sent_to, data={"csrf_token": token}).get_data(as_text=True)
        response = client.post(f"{sent_to}?lang={code}", data={"csrf_token": token})
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and "error-summary" in html, sent_to
        assert english_left(english, html, names) == [], sent_to


def set_language(db, resident_id: int, code: str) -> None:
    db.execute("UPDATE residents SET language = ? WHERE id = ?", (code, resident_id))
    db.commit()


def test_a_page_opens_in_the_residents_own_language_and_the_english_page_offers_the_rest(
        app, db, world, public_urls):  # noqa: F811
    url, _landlord = public_urls["feedback"]
    html = app.test_client().get(url).get_data(as_text=True)
    assert '<html lang="en-GB">' in html
    assert 'hreflang="ar" dir="rtl">العربية</a>' in html and ">Türkçe</a>" in html
    set_language(db, world.residents["riverside"], "ar")
    html = app.test_client().get(url).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html and "كيف شعرت أثناء الزيارة؟" in html
    assert 'hreflang="en" dir="ltr">English</a>' in html
    # The resident may still pick another language on the page.
    html = app.test_client().get(url + "?lang=pl").get_data(as_text=True)
    assert '<html lang="pl">' in html


def test_a_language_not_enabled_falls_back_to_english(app, db, world,
                                                      public_urls):  # noqa: F811
    set_language(db, world.residents["riverside"], "ro")  # on the list, not translated
    url, _landlord = public_urls["feedback"]
    assert '<html lang="en-GB">' in app.test_client().get(url).get_data(as_text=True)
    assert '<html lang="en-GB">' in app.test_client().get(url + "?lang=xx").get_data(
        as_text=True)


def test_form_errors_and_the_error_title_are_in_the_residents_language(
        app, public_urls):  # noqa: F811
    client = app.test_client()
    url, _landlord = public_urls["rebook"]
    page = client.get(url + "?lang=tr").get_data(as_text=True)
    response = client.post(url + "?lang=tr", data={"csrf_token": csrf_token_from(page)})
    html = response.get_data(as_text=True)
    assert "<title>Hata: Bu saat size uymuyor mu?" in html
    assert "Bir sorun var" in html and "Size uyan günleri ya da saatleri işaretleyin" in html


def test_the_early_check_says_the_day_in_the_residents_language(app, db, world):
    from datetime import timedelta

    from fieldapp.core.clock import to_local
    from fieldapp.core.signing import make_token

    starts, _ends = window_around_now()
    later = starts + timedelta(days=3)
    operative = world.users["operative"]
    visit = add_visit(db, world.residents["riverside"], world.orgs["acme"], [operative], later,
                      later + timedelta(hours=1))
    with app.app_context():
        token = make_token(visit, operative, to_local(later.isoformat()).date().isoformat())
    html = app.test_client().get(f"/verify/{token}?lang=pl").get_data(as_text=True)
    from babel.dates import format_date
    assert format_date(later.date(), "EEEE d MMMM", locale="pl") in html


@pytest.mark.parametrize("person, url", [("officer", "/inbox"), ("operative", "/today")])
def test_staff_pages_stay_english_whatever_the_link_says(signed_in, person, url):
    html = signed_in(person).get(url + "?lang=ar").get_data(as_text=True)
    assert '<html lang="en-GB">' in html and 'class="languages"' not in html


def test_the_migration_gives_each_translated_language_its_name_and_direction(tmp_path):
    db = connect(str(tmp_path / "fresh.db"))
    apply(db)
    rows = {row["code"]: (row["autonym"], row["direction"], row["pages_enabled"])
            for row in db.execute("SELECT * FROM languages")}
    assert rows["ar"] == ("العربية", "rtl", 1) and rows["tr"] == ("Türkçe", "ltr", 1)
    assert rows["ur"][1:] == ("rtl", 0) and rows["ro"][2] == 0


def test_the_admin_sees_each_language_enabled_its_direction_and_how_much_is_checked(signed_in):
    html = signed_in("admin").get("/admin/languages").get_data(as_text=True)
    strings = translation_status.language_status("ar").strings
    arabic = html[html.index("Arabic"):html.index("</li>", html.index("Arabic"))]
    assert '(<span lang="ar" dir="rtl">العربية</span>)' in arabic
    assert "Right to left" in arabic and "<dd>Yes</dd>" in arabic
    assert f"{strings} of {strings}" in arabic and f"0 of {strings}" in arabic
    assert f"({strings} not checked yet)" in arabic
    romanian = html[html.index("Romanian"):html.index("</li>", html.index("Romanian"))]
    assert "<dd>No</dd>" in romanian


def test_measures_count_residents_reached_in_a_language_other_than_english(app, db, world,
                                                                           signed_in):
    from fieldapp.core.clock import today_local
    from fieldapp.messages.queries import create_message, set_status, write_message

    from factories import add_resident

    resident, officer = world.residents["riverside"], world.users["officer"]
    other = add_resident(db, world.orgs["riverside"], officer)
    visits = [add_visit(db, who, world.orgs["acme"], [world.users["operative"]],
                        *window_around_now()) for who in (resident, resident, other, other)]
    # Two messages to one resident in Turkish count once; English, and a letter not yet
    # printed, do not count.
    for number, (visit, who, language, sent) in enumerate([
            (visits[0], resident, "tr", True), (visits[1], resident, "tr", True),
            (visits[2], other, "en", True), (visits[3], other, "ar", False)]):
        message = create_message(db, visit_id=visit, resident_id=who, event="booked",
                                 channel="sms", key=f"k{number}", recipient="07700900000",
                                 visit_snapshot="{}")
        write_message(db, message, "Subject", "Body", language=language)
        set_status(db, message, "sent" if sent else "to_print", sent=sent)
    db.commit()
    today = today_local().isoformat()
    client = signed_in("officer")
    period = f"period=custom&first={today}&last={today}"
    csv_text = client.get(f"/measures/export.csv?what=figures&{period}").get_data(as_text=True)
    assert "residents reached in a language other than English,1," in csv_text
    page = client.get(f"/measures?{period}").get_data(as_text=True)
    assert "resident reached in a language other than English" in page


def test_the_demo_has_a_turkish_and_an_arabic_resident_visited_today_whose_check_opens_in_it(
        tmp_path):
    from fieldapp import create_app
    from fieldapp.core.clock import day_bounds_utc, today_local
    from fieldapp.core.signing import make_token

    from support import make_demo_database

    app = create_app({"TESTING": True, "FIELDAPP_DB": make_demo_database(tmp_path)})
    db = connect(app.config["FIELDAPP_DB"])
    start, end = day_bounds_utc(today_local())
    today = db.execute("""
        SELECT residents.language, visits.id, visit_operatives.user_id FROM visits
        JOIN residents ON residents.id = visits.resident_id
        JOIN visit_operatives ON visit_operatives.visit_id = visits.id
        WHERE visits.starts_at >= ? AND visits.starts_at < ?""", (start, end)).fetchall()
    checked = set()
    for language, visit, operative in today:
        if language in ("tr", "ar"):
            with app.app_context():
                token = make_token(visit, operative, today_local().isoformat())
            html = app.test_client().get(f"/verify/{token}").get_data(as_text=True)
            assert f'<html lang="{language}"' in html
            checked.add(language)
    assert checked == {"tr", "ar"}


EVENTS = ["booked", "changed", "reminder", "cancelled", "cancelled_short_notice",
          "not_attended", "times_offered", "time_chosen", "you_said_we_did"]


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_written_in_the_residents_language_with_no_english_left(
        app, db, world, code):
    from datetime import timedelta

    from fieldapp.core.clock import today_local

    from factories import free_days, offer_times
    from test_messages import boiler_visit, compose_in, resident_with_everything

    resident = resident_with_everything(db, world)
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    offer_times(db, visit, free_days(2, after=today_local() + timedelta(days=7)))
    names = names_in(db) | {"Heating"}
    for event in EVENTS:
        english = compose_in(app, db, visit, event)
        set_language(db, resident, code)
        written = compose_in(app, db, visit, event)
        set_language(db, resident, "en")
        assert (english.language, written.language) == ("en", code)
        assert written.subject != english.subject
        left = {line for line in english.body.splitlines() if line.strip()} & set(
            written.body.splitlines())
        # The officer's own words for each step stay as written; everything else is
        # translated. The landlord's name signs off.
        steps_alone = {line for line in left if re.fullmatch(r"\d+\. [^.]+\.", line)}
        assert left - steps_alone <= names, (event, left)
        for piece in re.findall(r"\{\w*\}|%\(\w+\)s", written.body + written.subject):
            raise AssertionError(f"{event}: a placeholder was left unfilled: {piece}")


@pytest.mark.parametrize("code, font, greeting", [
    ("tr", None, "Merhaba Aisha,"), ("pl", None, "Dzień dobry Aisha,"),
    ("so", None, "Salaan Aisha,"), ("bn", "Bengali", None), ("ar", "Arabic", None),
    ("yi", "Hebrew", None)])
def test_a_letter_is_sent_in_the_residents_language_and_measured(app, db, world, code, font,
                                                                  greeting):
    import io

    from pypdf import PdfReader
    from test_message_letters import text_of

    from fieldapp.messages import letters, outbox

    from factories import add_resident
    from test_messages import boiler_visit, messages_of, run_jobs

    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Aisha Rahman", preferred_name="Aisha",
                            preferred_contact="letter", address_line1="3 Willow Walk",
                            town="Riverside", postcode="RS1 5CD")
    set_language(db, resident, code)
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    outbox.queue_for_visit(db, visit, "booked")
    run_jobs(app, db, hours=0.5)
    [message] = messages_of(db, visit)
    assert message["language"] == code
    with app.app_context():
        pdf = letters.letter_pdf(db, message)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    fonts = {str(item.get_object()["/BaseFont"]) for item in page["/Resources"]["/Font"].values()}
    if font:
        assert any(font in name for name in fonts), fonts
        script = {"Bengali": "\u0980-\u09ff", "Arabic": "\u0600-\u06ff",
                  "Hebrew": "\u0590-\u05ff"}[font]
        assert len(re.findall(f"[{script}]", text_of(pdf))) > 100
    else:
        text = text_of(pdf)
        assert greeting in text and "Hello" not in text and "3 Willow Walk" in text


# A phone number's groups are separate runs of digits: in a right-to-left paragraph the
# Unicode bidirectional algorithm lays them out right to left, so "020 7946 0000" reads
# "0000 7946 020" unless the number is isolated as left-to-right (LRI ... PDI).
ISOLATED = "\u2066{}\u2069"


@pytest.mark.parametrize("code, isolated", [("ar", True), ("yi", True), ("tr", False),
                                            ("en", False)])
def test_phone_numbers_in_messages_keep_their_order_in_right_to_left_languages(
        app, db, world, code, isolated):
    from test_messages import boiler_visit, compose_in, resident_with_everything

    resident = resident_with_everything(db, world)
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    set_language(db, resident, code)
    body = compose_in(app, db, visit, "booked").body
    numbers = re.findall(r"0\d{2,4} \d{3,4} \d{4}", body)
    assert numbers, body  # the landlord's number to check a caller, and the contact's
    for number in numbers:
        assert (ISOLATED.format(number) in body) == isolated, (code, number)
    if not isolated:  # an English or Turkish text stays in the cheaper GSM alphabet
        assert "\u2066" not in body and "\u2069" not in body


def test_the_letters_phone_line_keeps_its_order_in_arabic(app, db, world):
    import io

    from pypdf import PdfReader

    from fieldapp.messages import letters, outbox

    from factories import add_resident
    from test_messages import boiler_visit, messages_of, run_jobs

    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Aisha Rahman", preferred_contact="letter",
                            address_line1="3 Willow Walk", town="Riverside", postcode="RS1 5CD")
    set_language(db, resident, "ar")
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    outbox.queue_for_visit(db, visit, "booked")
    run_jobs(app, db, hours=0.5)
    [message] = messages_of(db, visit)
    with app.app_context():
        html = letters.letter_html(db, message)
        pdf = letters.letter_pdf(db, message)
    assert html.count(ISOLATED.format("020 7946 0000")) >= 2  # the letterhead and the words
    # The printed page, as laid out (the PDF's text runs in the order they are drawn): before
    # the isolates every number in it read "0000 7946 020".
    printed = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert printed.count("020 7946 0000") >= 3 and "0000 7946 020" not in printed
