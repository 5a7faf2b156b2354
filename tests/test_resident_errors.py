"""A resident who meets an error page (a link mistyped, too many checks in a short time, a form
left open too long) reads it in their language, with what to do next and, at the door, how to
stay safe; staff error pages stay English."""

import pytest
from test_languages import RIGHT_TO_LEFT, TRANSLATED, english_left, names_in

from pages import check_page

ARABIC = {"Accept-Language": "ar-SA,ar;q=0.9,en;q=0.5"}


def from_address(app, address: str):
    """A client of its own address: the limits count per address, and other tests share
    127.0.0.1."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def opening(html: str) -> str:
    return html.split("<head>")[0]


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_page_not_found_speaks_the_language_the_phone_asks_for(app, db, code):
    client = app.test_client()
    english = client.get("/no-such-page").get_data(as_text=True)
    answer = client.get("/no-such-page", headers={"Accept-Language": f"{code},en;q=0.5"})
    assert answer.status_code == 404
    html = answer.get_data(as_text=True)
    check_page(html)
    assert f'lang="{code}"' in opening(html)
    assert ('dir="rtl"' in opening(html)) == (code in RIGHT_TO_LEFT)
    assert english_left(english, html, names_in(db)) == []


def test_too_many_checks_at_the_door_say_how_to_stay_safe_in_the_residents_language(app):
    client = from_address(app, "198.51.100.77")
    for _ in range(60):
        assert client.get("/verify/not-a-token").status_code == 200
    english = client.get("/verify/not-a-token")
    assert english.status_code == 429
    words = english.get_data(as_text=True)
    check_page(words)
    assert "you do not have to open it" in words and "Keep it closed" in words
    assert "Wait 10 minutes, then try again." in words
    arabic = client.get("/verify/not-a-token", headers=ARABIC).get_data(as_text=True)
    assert 'lang="ar"' in opening(arabic) and 'dir="rtl"' in opening(arabic)
    assert "you do not have to open it" not in arabic


def test_a_residents_form_refused_by_the_security_check_says_their_answers_were_not_sent(app):
    client = app.test_client()
    answer = client.post("/f/not-a-token", data={"felt_safe": "yes"}, headers=ARABIC)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    check_page(html)
    assert 'lang="ar"' in opening(html)
    english = client.post("/f/not-a-token", data={"felt_safe": "yes"}).get_data(as_text=True)
    assert "Your answers were not sent" in english
    assert "signing out" not in english  # a resident has no account


def test_staff_error_pages_stay_english(signed_in):
    officer = signed_in("officer")
    answer = officer.get("/no-such-page", headers=ARABIC)
    assert answer.status_code == 404
    html = answer.get_data(as_text=True)
    assert 'lang="en-GB"' in opening(html) and "Page not found" in html
