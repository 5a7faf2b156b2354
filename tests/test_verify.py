"""The ID card's QR link and spoken code, and the public page that checks a caller."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest

from fieldapp.caller_check.queries import check_token
from fieldapp.core.clock import LOCAL_ZONE, to_local, today_local
from fieldapp.core.signing import make_token, spoken_code

from factories import add_resident, add_visit, window_around_now
from pages import check_page

NOT_CONFIRMED = "We cannot confirm this caller"
RESIDENT_FACTS = ["Michael", "Brennan", "Alder Court", "RS1 4AB", "bluebell"]


@pytest.fixture
def visit_now(db, world):
    """A visit by the Acme operative to a resident with a doorstep password, happening now."""
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Michael Brennan", address_line1="Flat 12, Alder Court",
                            postcode="RS1 4AB", doorstep_password="bluebell")
    starts, ends = window_around_now()
    return add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts, ends)


def id_card_link(client, visit_id: int) -> str:
    html = client.get(f"/visits/{visit_id}/id-card").get_data(as_text=True)
    return re.search(r"http://fieldapp\.test(/verify/[\w.-]+)", html).group(1)


def test_id_card_shows_who_i_am_a_qr_code_the_link_and_a_spoken_code(visit_now, signed_in,
                                                                       world, app):
    response = signed_in("operative").get(f"/visits/{visit_now}/id-card")
    html = response.get_data(as_text=True)
    check_page(html)
    assert "Operative" in html and "Acme Repairs" in html and "B-1" in html
    assert '<svg class="qr" role="img"' in html
    assert re.search(r"http://fieldapp\.test/verify/[\w.-]+", html)
    with app.app_context():
        code = spoken_code(visit_now, world.users["operative"], today_local().isoformat())
    assert f"{code[:3]} {code[3:]}" in html


def test_valid_link_during_the_visit_confirms_the_caller(visit_now, signed_in, app):
    link = id_card_link(signed_in("operative"), visit_now)
    response = app.test_client().get(link)
    html = response.get_data(as_text=True)
    check_page(html)
    assert re.search(r"Yes: Operative from Acme Repairs is booked to visit your home today "
                     r"between \d\d:\d\d and \d\d:\d\d", html)
    assert "The caller should tell you your password" in html
    assert "fieldapp.test" in html  # the address bar to check
    assert "www.riverside.example" in html  # the landlord's own site
    assert "number from your own letters" in html
    for fact in RESIDENT_FACTS:
        assert fact not in html


def test_spoken_code_on_the_page_matches_the_id_card(visit_now, signed_in, app):
    client = signed_in("operative")
    card = client.get(f"/visits/{visit_now}/id-card").get_data(as_text=True)
    code = re.search(r"Spoken code <strong[^>]*>(\d{3} \d{3})</strong>", card).group(1)
    page = app.test_client().get(id_card_link(client, visit_now)).get_data(as_text=True)
    assert code in page


def test_verification_is_public_uncached_and_not_indexed(visit_now, signed_in, app):
    response = app.test_client().get(id_card_link(signed_in("operative"), visit_now))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True)


def _refused(app, link: str) -> str:
    response = app.test_client().get(link)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert NOT_CONFIRMED in html and "Do not let them in." in html
    for fact in RESIDENT_FACTS:
        assert fact not in html
    return html


def test_tampered_link_is_not_confirmed(visit_now, signed_in, app):
    link = id_card_link(signed_in("operative"), visit_now)
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    html = _refused(app, tampered)
    assert "020 7946 0000" not in html or "Riverside Homes" in html


def test_unknown_token_gives_the_calm_message(app):
    html = _refused(app, "/verify/not-a-token")
    # Two landlords here, so the page cannot know whose number to give: it names the letters.
    assert "Call your landlord on the number from your own letters" in html


def test_cancelled_visit_is_not_confirmed(visit_now, signed_in, app, db):
    link = id_card_link(signed_in("operative"), visit_now)
    db.execute("UPDATE visits SET status = 'cancelled' WHERE id = ?", (visit_now,))
    html = _refused(app, link)
    assert "Call Riverside Homes on" in html


def test_disabled_operative_is_not_confirmed(visit_now, signed_in, app, db, world):
    link = id_card_link(signed_in("operative"), visit_now)
    db.execute("UPDATE users SET active = 0 WHERE id = ?", (world.users["operative"],))
    _refused(app, link)


def test_operative_taken_off_the_visit_is_not_confirmed(visit_now, signed_in, app, db, world):
    link = id_card_link(signed_in("operative"), visit_now)
    db.execute("DELETE FROM visit_operatives WHERE visit_id = ?", (visit_now,))
    _refused(app, link)


def test_visit_moved_to_another_day_is_not_confirmed(visit_now, signed_in, app, db):
    link = id_card_link(signed_in("operative"), visit_now)
    row = db.execute("SELECT starts_at, ends_at FROM visits WHERE id = ?", (visit_now,)).fetchone()
    moved = [(datetime.fromisoformat(row[k]) + timedelta(days=1)).isoformat() for k in (0, 1)]
    db.execute("UPDATE visits SET starts_at = ?, ends_at = ? WHERE id = ?", (*moved, visit_now))
    _refused(app, link)


@pytest.mark.parametrize(("offset", "confirmed"), [
    (timedelta(minutes=-61), False),  # more than the margin before the window
    (timedelta(minutes=-59), True),
    (None, True),
])
def test_window_margin_before_the_visit(app, db, world, offset, confirmed):
    resident = world.residents["riverside"]
    starts = datetime(2026, 6, 1, 10, tzinfo=UTC)
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts,
                      starts + timedelta(hours=2))
    with app.app_context():
        token = make_token(visit, world.users["operative"], "2026-06-01")
        now = starts + (offset or timedelta(minutes=30))
        assert (check_token(db, token, now=now).confirmation is not None) is confirmed


@pytest.mark.parametrize(("after_end", "confirmed"), [(59, True), (61, False), (60 * 24, False)])
def test_link_expires_after_the_window_and_margin(app, db, world, after_end, confirmed):
    starts = datetime(2026, 6, 1, 9, tzinfo=UTC)
    ends = starts + timedelta(hours=2)
    visit = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                      [world.users["operative"]], starts, ends)
    with app.app_context():
        token = make_token(visit, world.users["operative"], "2026-06-01")
        outcome = check_token(db, token, now=ends + timedelta(minutes=after_end))
    assert (outcome.confirmation is not None) is confirmed


def test_token_for_another_operative_is_not_confirmed(visit_now, app, db, world):
    with app.app_context():
        token = make_token(visit_now, world.users["other_firm_operative"],
                           today_local().isoformat())
    _refused(app, f"/verify/{token}")


def test_spoken_code_differs_by_day_and_by_operative(app):
    with app.app_context():
        codes = {spoken_code(1, 2, "2026-06-01"), spoken_code(1, 2, "2026-06-02"),
                 spoken_code(1, 3, "2026-06-01")}
    assert len(codes) == 3 and all(re.fullmatch(r"\d{6}", c) for c in codes)


def test_verification_is_rate_limited(app):
    client = app.test_client()
    statuses = [client.get("/verify/not-a-token").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


@pytest.fixture
def visit_later_today(db, world):
    """A real booking of the Acme operative's, starting three hours from now, today."""
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    return add_visit(db, world.residents["riverside"], world.orgs["acme"],
                     [world.users["operative"]], starts, starts + timedelta(hours=2)), starts


def test_a_real_booking_scanned_early_is_answered_calmly_not_refused(app, db, world,
                                                                     visit_later_today):
    visit, starts = visit_later_today
    with app.app_context():
        token = make_token(visit, world.users["operative"], to_local(
            starts.isoformat()).date().isoformat())
    response = app.test_client().get(f"/verify/{token}")
    html = response.get_data(as_text=True)
    check_page(html)
    assert NOT_CONFIRMED not in html and "Do not let them in" not in html
    local = to_local(starts.isoformat())
    assert "Operative from Acme Repairs is booked to visit you" in html
    assert f"between {local:%H:%M} and {local + timedelta(hours=2):%H:%M}" in html
    opens = f"{(local - timedelta(hours=1)):%H:%M}"  # when the check starts working
    if (local - timedelta(hours=1)).date() == local.date():
        assert f"This check can confirm them from {opens} today." in html
    assert "You never have to open the door to anyone you are not sure about." in html
    assert "open the door until then" not in html  # as if they must open it afterwards
    assert "020 7946 0000" in html  # the landlord's number, to ring if unsure
    for fact in RESIDENT_FACTS:
        assert fact not in html


@pytest.mark.parametrize(("days", "day_words"), [
    (1, "tomorrow"), (4, None)], ids=["tomorrow", "another day"])
def test_an_early_scan_says_on_which_day_the_check_opens(app, db, world, days, day_words):
    """The time the check opens is a clock time: for a visit on another day it says the day,
    so it never reads as a time that may already have passed today."""
    starts = datetime.combine(today_local() + timedelta(days=days), time(14), LOCAL_ZONE)
    visit = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                      [world.users["operative"]], starts, starts + timedelta(hours=2))
    token = make_token_in(app, visit, world, starts.date().isoformat())
    html = app.test_client().get(f"/verify/{token}").get_data(as_text=True)
    check_page(html)
    year = f" {starts.year}" if starts.year != today_local().year else ""
    day_words = day_words or f"on {starts:%A} {starts.day} {starts:%B}{year}"
    assert f"This check can confirm them {day_words} from 13:00." in html
    assert "You never have to open the door to anyone you are not sure about." in html
    assert "open the door until then" not in html


def test_an_early_scan_gives_no_spoken_code(app, db, world, visit_later_today):
    visit, starts = visit_later_today
    day = to_local(starts.isoformat()).date().isoformat()
    with app.app_context():
        outcome = check_token(db, make_token(visit, world.users["operative"], day),
                              now=starts - timedelta(hours=3))
    assert outcome.confirmation is None and outcome.early is not None
    assert outcome.early.first_name == "Operative"
    html = app.test_client().get(f"/verify/{make_token_in(app, visit, world, day)}") \
        .get_data(as_text=True)
    code = spoken_code_in(app, visit, world, day)
    assert f"{code[:3]} {code[3:]}" not in html


def test_a_cancelled_booking_scanned_early_is_still_refused(app, db, world, visit_later_today):
    visit, starts = visit_later_today
    db.execute("UPDATE visits SET status = 'cancelled' WHERE id = ?", (visit,))
    day = to_local(starts.isoformat()).date().isoformat()
    _refused(app, f"/verify/{make_token_in(app, visit, world, day)}")


def test_the_id_card_says_from_when_the_check_works(visit_later_today, signed_in):
    visit, starts = visit_later_today
    html = signed_in("operative").get(f"/visits/{visit}/id-card").get_data(as_text=True)
    opens = to_local(starts.isoformat()) - timedelta(hours=1)
    assert f"Check works from</dt><dd>{opens:%H:%M}" in html


def make_token_in(app, visit, world, day) -> str:
    with app.app_context():
        return make_token(visit, world.users["operative"], day)


def spoken_code_in(app, visit, world, day) -> str:
    with app.app_context():
        return spoken_code(visit, world.users["operative"], day)


@pytest.fixture
def two_coming(db, world):
    """A visit now by Sam Taylor with Dan Price, both of Acme: two people at the door."""
    db.execute("UPDATE users SET name = 'Sam Taylor' WHERE id = ?", (world.users["operative"],))
    db.execute("UPDATE users SET name = 'Dan Price' WHERE id = ?", (world.users["colleague"],))
    starts, ends = window_around_now()
    return add_visit(db, world.residents["riverside"], world.orgs["acme"],
                     [world.users["operative"], world.users["colleague"]], starts, ends)


def _check_page_for(app, visit, world, person="operative"):
    with app.app_context():
        token = make_token(visit, world.users[person], today_local().isoformat())
    return token, app.test_client().get(f"/verify/{token}").get_data(as_text=True)


def test_the_check_says_how_many_are_coming_and_their_first_names_only(app, world, two_coming):
    _token, html = _check_page_for(app, two_coming, world)
    check_page(html)
    assert "Yes: Sam from Acme Repairs" in html
    assert "2 people are coming: Sam and Dan." in html
    assert "Taylor" not in html and "Price" not in html  # no surnames of colleagues


def test_a_visit_by_one_person_says_1_person(visit_now, app, world):
    _token, html = _check_page_for(app, visit_now, world)
    assert "1 person is coming: Operative." in html


def test_a_disabled_colleague_is_not_counted_as_coming(app, db, world, two_coming):
    db.execute("UPDATE users SET active = 0 WHERE id = ?", (world.users["colleague"],))
    _token, html = _check_page_for(app, two_coming, world)
    assert "1 person is coming: Sam." in html and "Dan" not in html


def test_the_check_shows_the_scanned_operatives_photo_to_a_valid_token(visit_now, app, world):
    token, html = _check_page_for(app, visit_now, world)
    assert f'<img class="verify__photo" src="/verify/{token}/photo" alt="Photo of Operative"' \
        in html
    response = app.test_client().get(f"/verify/{token}/photo")
    assert response.status_code == 200 and response.content_type == "image/jpeg"
    assert response.get_data()[:2] == b"\xff\xd8"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_an_early_scan_shows_who_is_coming_and_the_photo(app, world, visit_later_today):
    visit, starts = visit_later_today
    token = make_token_in(app, visit, world, to_local(starts.isoformat()).date().isoformat())
    html = app.test_client().get(f"/verify/{token}").get_data(as_text=True)
    assert "1 person is coming: Operative." in html
    assert f'src="/verify/{token}/photo"' in html
    assert app.test_client().get(f"/verify/{token}/photo").status_code == 200


def test_no_photo_for_a_token_that_does_not_confirm(visit_now, app, db, world):
    token, _html = _check_page_for(app, visit_now, world)
    client = app.test_client()
    assert client.get("/verify/not-a-token/photo").status_code == 404
    assert client.get(f"/verify/{token[:-3]}aaa/photo").status_code == 404
    db.execute("UPDATE visits SET status = 'cancelled' WHERE id = ?", (visit_now,))
    response = client.get(f"/verify/{token}/photo")
    assert response.status_code == 404 and "image" not in response.content_type


def test_an_operative_with_no_photo_gets_no_picture(app, world, two_coming):
    token, html = _check_page_for(app, two_coming, world, person="colleague")
    assert "Yes: Dan from Acme Repairs" in html and "verify__photo" not in html
    assert app.test_client().get(f"/verify/{token}/photo").status_code == 404


def test_too_many_checks_says_how_long_this_limit_lasts(app):
    """The 429 page names the window of the limit that was hit (here 10 minutes), not a fixed
    time that is wrong for every other limit."""
    client = app.test_client()
    for _ in range(60):
        client.get("/verify/not-a-token")
    page = client.get("/verify/not-a-token")
    assert page.status_code == 429
    text = page.get_data(as_text=True)
    assert "Wait 10 minutes, then try again." in text and "15 minutes" not in text


def test_an_early_scan_says_the_day_in_the_residents_language(app, db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    db.execute("UPDATE residents SET language = 'tr' WHERE id = ?", (resident,))
    starts = datetime.combine(today_local() + timedelta(days=1), time(14), LOCAL_ZONE)
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts,
                      starts + timedelta(hours=2))
    token = make_token_in(app, visit, world, starts.date().isoformat())
    html = app.test_client().get(f"/verify/{token}").get_data(as_text=True)
    assert "Bu kontrol, gelen kişiyi yarın 13:00 itibarıyla doğrulayabilir." in html
    assert "Emin olmadığınız birine kapıyı açmak hiçbir zaman zorunda değilsiniz." in html
