"""Pages for the public (residents have no account): each carries the landlord's name in its
header, not "fieldapp", and links nowhere that needs an account, whoever opens it."""

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from fieldapp import create_app
from fieldapp.core.clock import to_local
from fieldapp.core.signing import make_token
from fieldapp.voice import tokens

from factories import add_visit, free_days, offer_times, window_around_now
from pages import check_page
from support import PEOPLE, csrf_token_from, make_demo_database, sign_in_quickly


class _Links(HTMLParser):
    """Every address a page links to or sends a form to, and its visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.addresses: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style", "title"):
            self._skip += 1
        if tag == "a" and attributes.get("href"):
            self.addresses.append(attributes["href"])
        if tag == "form":
            self.addresses.append(attributes.get("action") or "")
        if tag == "link" and attributes.get("rel") in ("manifest",):
            self.addresses.append(attributes["href"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _token(app, salt: str, visit_id: int) -> str:
    with app.test_request_context():
        return tokens.make(salt, visit_id)


def _check_token(app, visit_id: int, operative_id: int, starts: datetime) -> str:
    with app.app_context():
        return make_token(visit_id, operative_id, to_local(
            starts.astimezone(UTC).isoformat()).date().isoformat())


@pytest.fixture
def public_urls(app, db, world):
    """name: (url, landlord named in the header, or None when the page cannot know)."""
    operative = world.users["operative"]
    now_starts, now_ends = window_around_now()
    visit_now = add_visit(db, world.residents["riverside"], world.orgs["acme"], [operative],
                          now_starts, now_ends)
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
    visit_later = add_visit(db, world.residents["riverside"], world.orgs["acme"], [operative],
                            later, later + timedelta(hours=1))
    over = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)
    visit_over = add_visit(db, world.residents["riverside"], world.orgs["acme"], [operative],
                           over, over + timedelta(hours=1))
    # Times to choose from on days the world's operative is free (booked tomorrow morning).
    days = free_days(4, after=to_local(later.isoformat()).date() + timedelta(days=1))
    booked = datetime.combine(days[3], datetime.min.time(), UTC) + timedelta(hours=9)
    visit_offered = add_visit(db, world.residents["riverside"], world.orgs["acme"], [operative],
                              booked, booked + timedelta(hours=2))
    offer_times(db, visit_offered, days[:3])
    visit_cancelled = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                                [operative], booked, booked + timedelta(hours=2),
                                status="cancelled")
    db.commit()
    return {
        "check-confirmed": (f"/verify/{_check_token(app, visit_now, operative, now_starts)}",
                            "Riverside Homes"),
        "check-early": (f"/verify/{_check_token(app, visit_later, operative, later)}",
                        "Riverside Homes"),
        "check-finished": (f"/verify/{_check_token(app, visit_over, operative, over)}",
                           "Riverside Homes"),
        "check-refused": ("/verify/not-a-token", None),
        "feedback": (f"/f/{_token(app, tokens.FEEDBACK_SALT, visit_now)}", "Riverside Homes"),
        "feedback-closed": (f"/f/{_token(app, tokens.FEEDBACK_SALT, visit_later)}",
                            "Riverside Homes"),
        "feedback-unknown": ("/f/not-a-token", None),
        "rebook": (f"/r/{_token(app, tokens.REBOOK_SALT, visit_later)}", "Riverside Homes"),
        "rebook-unknown": ("/r/not-a-token", None),
        "choose-a-time": (f"/t/{_token(app, tokens.OFFER_SALT, visit_offered)}",
                          "Riverside Homes"),
        "choose-a-time-cancelled": (f"/t/{_token(app, tokens.OFFER_SALT, visit_cancelled)}",
                                    "Riverside Homes"),
        "not-found": ("/no-such-page", None),
    }


PUBLIC_PAGES = ["check-confirmed", "check-early", "check-finished", "check-refused", "feedback",
                "feedback-closed", "feedback-unknown", "rebook", "rebook-unknown",
                "choose-a-time", "choose-a-time-cancelled", "not-found"]


def assert_public(app, html: str, landlord: str | None) -> None:
    """The landlord's name in the header and title; no "fieldapp", no sign-in, no app nav; and
    every address it links to opens for someone with no account."""
    check_page(html)
    header = re.search(r'class="site-header__name"[^>]*>([^<]*)<', html)
    assert header, "no header name"
    assert header.group(1) == (landlord or "Home repairs")
    title = re.search(r"<title>([^<]*)</title>", html).group(1)
    assert title.endswith(f"– {landlord or 'Home repairs'}"), title
    links = _Links()
    links.feed(html)
    visible = " ".join(" ".join(links.text).split())
    assert "fieldapp" not in visible.replace("fieldapp.test", "").lower()  # bar to check
    assert "Sign in" not in visible and "Sign out" not in visible
    assert 'class="site-nav"' not in html and "outbox" not in html
    anonymous = app.test_client()
    for address in links.addresses:
        parts = urlsplit(address)
        if parts.scheme in ("tel", "mailto") or address.startswith("#") or address == "":
            continue
        if parts.netloc and parts.netloc != "fieldapp.test":
            continue  # another site (the landlord's own): needs no account of ours
        response = anonymous.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        # 405: a form's address that only takes the form (POST), open to anyone all the same;
        # 429: the "too many checks" page offers itself in other languages, limited as it is.
        assert response.status_code in (200, 404, 405, 429), (address, response.status_code)
        assert "/login" not in response.headers.get("Location", ""), f"{address} needs an account"


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_carries_the_landlords_name_and_no_account_links(app, public_urls, name):
    url, landlord = public_urls[name]
    response = app.test_client().get(url)
    assert response.status_code == (404 if name == "not-found" else 200)
    assert_public(app, response.get_data(as_text=True), landlord)


@pytest.mark.parametrize("person", ["operative", "officer"])
@pytest.mark.parametrize("name", ["check-confirmed", "feedback", "rebook"])
def test_a_public_page_opened_while_signed_in_still_shows_none_of_the_app(app, public_urls,
                                                                          person, name):
    url, landlord = public_urls[name]
    html = sign_in_quickly(app, PEOPLE[person][0]).get(url).get_data(as_text=True)
    assert_public(app, html, landlord)


def test_the_pages_after_sending_are_public_too(app, public_urls):
    client = app.test_client()
    for name, data in (("feedback", {"felt_safe": "yes"}),
                       ("rebook", {"days": "monday", "times": "morning"})):
        url, landlord = public_urls[name]
        token = csrf_token_from(client.get(url).get_data(as_text=True))
        response = client.post(url, data={"csrf_token": token, **data})
        assert response.status_code == 200
        assert_public(app, response.get_data(as_text=True), landlord)


def test_an_expired_form_page_for_the_public_has_no_sign_in_link(app, public_urls):
    url, _landlord = public_urls["feedback"]
    response = app.test_client().post(url, data={"felt_safe": "yes"})
    assert response.status_code == 400
    assert_public(app, response.get_data(as_text=True), None)


def test_too_many_checks_page_is_public(app):
    client = app.test_client()
    for _ in range(60):
        client.get("/verify/not-a-token")
    response = client.get("/verify/not-a-token")
    assert response.status_code == 429
    assert_public(app, response.get_data(as_text=True), None)


def test_with_one_landlord_its_name_heads_even_a_page_not_found(tmp_path):
    app = create_app({"TESTING": True, "FIELDAPP_DB": make_demo_database(tmp_path),
                      "FIELDAPP_BASE_URL": "http://fieldapp.test"})
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert_public(app, html, "Riverside Homes")
    assert "open the link again from the message or letter you were sent" in html


def test_the_apps_own_pages_keep_the_apps_header(app, signed_in):
    html = signed_in("officer").get("/inbox").get_data(as_text=True)
    assert re.search(r'class="site-header__name"[^>]*>fieldapp<', html)
    assert 'class="site-nav"' in html
    # Staff sign in at /login: that page is theirs, not the public's.
    login = app.test_client().get("/login").get_data(as_text=True)
    assert re.search(r'class="site-header__name"[^>]*>fieldapp<', login)
