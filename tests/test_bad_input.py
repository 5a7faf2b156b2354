"""Bad input, generated (hypothesis): missing and extra fields, wrong types, huge and empty
values, unicode, control characters, HTML and SQL in text. Never a server error, never a
partial write, always a plain message; what is stored is exactly what was sent.

Each test prints how many inputs it tried; docs/reliability.md records the figures.
`FIELDAPP_HYPOTHESIS_EXAMPLES=2000` runs them longer than CI does.
"""

import os
import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support import csrf_token_from, post_form

EXAMPLES = int(os.environ.get("FIELDAPP_HYPOTHESIS_EXAMPLES", "120"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
NASTY_SAMPLES = ["", " ", "\x00", "\u202e\u200b", "<script>alert(1)</script>", "' OR 1=1 --",
                 "Robert'); DROP TABLE visit_logs;--", "%s%s%n", "<img src=x onerror=alert(1)>",
                 "😀" * 300, "\r\n\t", "null", "x" * 5000, "-1", "99999999999999999999",
                 "2026-02-30", "0"]
NASTY_TEXT = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=400, max_size=5000),
    st.sampled_from(NASTY_SAMPLES),
)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | NASTY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                 max_size=4),
    max_leaves=8)
LOG_FIELDS = ["client_id", "visit_id", "outcome", "no_access_reason", "distress", "concerns",
              "note", "follow_up", "amends"]
RAW_HTML_FROM_INPUT = re.compile(r"<script>alert|<img src=x")
# Typed text is kept as typed, less surrounding spaces and control characters other than
# tab and line breaks (which nobody types on purpose and some screens show as boxes).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def as_kept(text) -> str:
    return CONTROL.sub("", text or "").strip()


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@st.composite
def log_bodies(draw, visit_id: int):
    """A valid log, then some of its fields replaced with anything, some dropped, one added."""
    body = {"client_id": str(draw(st.uuids())), "visit_id": visit_id,
            "outcome": draw(st.sampled_from(["completed", "partly_completed"])),
            "no_access_reason": None, "distress": draw(st.sampled_from(["none", "some"])),
            "concerns": [], "note": draw(NASTY_TEXT), "follow_up": draw(NASTY_TEXT)}
    for name in draw(st.sets(st.sampled_from(LOG_FIELDS), max_size=3)):
        body[name] = draw(ANY_JSON)
    for name in draw(st.sets(st.sampled_from(LOG_FIELDS), max_size=2)):
        body.pop(name, None)
    if draw(st.booleans()):
        body[draw(st.text(max_size=12))] = draw(ANY_JSON)
    return body


def check_json_answer(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    body = response.get_json()
    if response.status_code >= 400:
        assert isinstance(body["errors"], dict) and body["errors"]
        assert all(isinstance(m, str) and m for m in body["errors"].values())


def test_the_log_api_answers_any_json_plainly_and_stores_exactly_what_was_sent(world, db,
                                                                               signed_in):
    operative = signed_in("operative")
    operative.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token_from(
        operative.get("/today").get_data(as_text=True))
    tried, stored = [], []

    @SETTINGS
    @given(body=log_bodies(world.visits["today"]) | ANY_JSON)
    def send(body):
        tried.append(1)
        before = count(db, "visit_logs")
        response = operative.post("/api/logs", json=body)
        check_json_answer(response)
        added = count(db, "visit_logs") - before
        assert added == (1 if response.status_code == 201 else 0)
        if response.status_code == 201:
            stored.append(1)
            row = db.execute("SELECT note, follow_up FROM visit_logs WHERE client_id = ?",
                             (as_kept(body["client_id"]).lower(),)).fetchone()
            assert row["note"] == as_kept(body.get("note"))
            assert row["follow_up"] == as_kept(body.get("follow_up"))

    send()
    print(f"\n/api/logs: {len(tried)} inputs, {len(stored)} stored, 0 server errors")
    assert stored, "no valid log among the inputs: the test checked refusals only"


def test_a_body_that_is_not_json_is_refused_plainly(signed_in):
    operative = signed_in("operative")
    token = csrf_token_from(operative.get("/today").get_data(as_text=True))
    for data, kind in [(b"\xff\xfe not json", "application/json"), (b"[1, 2", "application/json"),
                       (b"visit_id=1", "application/x-www-form-urlencoded"), (b"", "text/plain")]:
        response = operative.post("/api/logs", data=data, content_type=kind,
                                  headers={"X-CSRFToken": token})
        assert response.status_code == 400
        assert response.get_json()["errors"]["body"] == "Send the log as a JSON object"


RESIDENT_FIELDS = ["name", "preferred_name", "tenancy_ref", "address_line1", "address_line2",
                   "town", "postcode", "area", "phone", "phone_alt", "email", "language",
                   "advocate_name", "advocate_phone", "advocate_relationship",
                   "doorstep_password", "preferred_contact", "officer_id", "interpreter"]


VALID_RESIDENT = {"name": "Rita Example", "address_line1": "1 Test Street",
                  "language": "en", "interpreter": "not_needed", "postcode": "RS1 4AB",
                  "preferred_contact": "phone"}


def test_the_resident_form_refuses_bad_input_next_to_the_field_and_saves_nothing(world, db,
                                                                                  signed_in):
    officer = signed_in("officer")
    valid = {**VALID_RESIDENT, "officer_id": str(world.users["officer"])}
    tried, saved = [], []

    @SETTINGS
    @given(form=st.fixed_dictionaries({f: st.just(valid.get(f, "")) | NASTY_TEXT
                                       for f in RESIDENT_FIELDS}))
    def submit(form):
        tried.append(1)
        before = count(db, "residents")
        response = post_form(officer, "/residents/new", form)
        assert response.status_code in (422, 303), response.status_code
        html = response.get_data(as_text=True)
        assert not RAW_HTML_FROM_INPUT.search(html)
        if response.status_code == 422:
            assert count(db, "residents") == before
            assert 'class="field-error' in html
        else:
            saved.append(1)
            assert count(db, "residents") == before + 1
            row = db.execute("SELECT name FROM residents ORDER BY id DESC LIMIT 1").fetchone()
            assert row["name"] == as_kept(form["name"])

    submit()
    print(f"\nresident form: {len(tried)} inputs, {len(saved)} saved, 0 server errors")
    assert saved, "no valid resident among the inputs: the test checked refusals only"


def test_search_and_sign_in_take_any_text(client, signed_in):
    officer = signed_in("officer")
    tried = []

    @SETTINGS
    @given(text=NASTY_TEXT, password=NASTY_TEXT)
    def ask(text, password):
        tried.append(1)
        search = officer.get("/residents", query_string={"q": text})
        assert search.status_code == 200
        assert not RAW_HTML_FROM_INPUT.search(search.get_data(as_text=True))
        sign_in = post_form(client, "/login", {"email": text, "password": password})
        assert sign_in.status_code in (200, 429), sign_in.status_code

    ask()
    print(f"\nsearch and sign-in: {len(tried)} inputs each, 0 server errors")


def test_a_resident_link_with_any_token_and_answers_gets_the_calm_page(app, client):
    tried = []

    @SETTINGS
    @given(token=NASTY_TEXT.filter(lambda t: "/" not in t and "\x00" not in t))
    def open_link(token):
        tried.append(1)
        for prefix in ("/f/", "/r/"):
            page = client.get(prefix + token)
            assert page.status_code in (200, 404, 429), page.status_code

    open_link()
    print(f"\nresident links: {len(tried)} tokens, 0 server errors")


class Forms(HTMLParser):
    """The POST forms of a page but sign-out (it would end the session the others need):
    their action and the names of their fields."""

    def __init__(self):
        super().__init__()
        self.forms, self.current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post":
            self.current = None if attrs.get("action") == "/logout" else set()
            if self.current is not None:
                self.forms.append((attrs.get("action") or "", self.current))
        elif (tag in ("input", "select", "textarea") and self.current is not None
              and attrs.get("name") and attrs.get("type") not in ("submit", "file")):
            self.current.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


# Smaller than NASTY_TEXT, as 30 fields at once are drawn: the huge value is a fixed one.
FIELD_TEXT = st.one_of(st.text(max_size=20), st.sampled_from(NASTY_SAMPLES))


# Every page with a form, as the person who may use it ({...} filled from the world).
FORM_PAGES = [
    ("officer", "/residents/{resident}/edit"), ("officer", "/residents/{resident}/notes"),
    ("officer", "/residents/{resident}/adjustments/new/wait_at_door"),
    ("officer", "/adjustments/{adjustment}/edit"), ("officer", "/adjustments/{adjustment}/review"),
    ("officer", "/schedule/new?resident={resident}"), ("officer", "/schedule/{today}"),
    ("officer", "/schedule/{today}/steps/{step}/edit"), ("officer", "/alerts/{alert}"),
    ("operative", "/visits/{today}/log"),
    ("admin", "/admin/users/new"), ("admin", "/admin/users/{operative}/edit"),
    ("admin", "/admin/organisations/new"), ("admin", "/admin/organisations/{acme}/edit"),
]


@pytest.mark.parametrize(("person", "page"), FORM_PAGES)
def test_every_form_takes_any_text_in_every_field_without_a_server_error(
        world, signed_in, person, page):
    client = signed_in(person)
    url = page.format(**world.users, **world.orgs, **world.visits, **world.residents_and_more)
    html = client.get(url).get_data(as_text=True)
    parser = Forms()
    parser.feed(html)
    assert parser.forms, f"no form on {url}"
    token = csrf_token_from(html)
    tried = []

    @settings(SETTINGS, max_examples=max(10, EXAMPLES // 6))
    @given(values=st.lists(FIELD_TEXT, min_size=30, max_size=30))
    def submit(values):
        for action, names in parser.forms:
            tried.append(1)
            form = {name: value for name, value in zip(sorted(names), values, strict=False)}
            form["csrf_token"] = token
            response = client.post(action or url, data=form)
            assert response.status_code < 500, (action, response.status_code)
            assert not RAW_HTML_FROM_INPUT.search(response.get_data(as_text=True))

    submit()
    print(f"\n{url}: {len(tried)} submissions to {len(parser.forms)} form(s), 0 server errors")
