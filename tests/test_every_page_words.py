"""Every page, in plain words: each GET route of the app is rendered for each kind of person over
the demo data (plus the records it lacks: an import, a rebook request, a failed job), and for the
public's signed links; the visible text must not say "1 people", "1 residents", "1 visits",
"Homes's" or an ISO date. A new route is walked as soon as it exists; a new kind of address part
fails here until it is given values below."""

import re
from html.parser import HTMLParser

import pytest

from fieldapp import create_app
from fieldapp.core import jobs
from fieldapp.core.clock import to_local
from fieldapp.core.db import connect
from fieldapp.core.limits import limiter
from fieldapp.core.signing import make_token
from fieldapp.schedule.queries import store_import
from fieldapp.voice import tokens

from support import csrf_token_from, make_demo_database, sign_in_quickly

PEOPLE = [None, "admin@demo.test", "officer@demo.test", "operative@demo.test",
          "operative2@demo.test"]
# Routes that answer with no page of words: files, scripts, JSON, a CSV, a photo.
NOT_PAGES = {"static", "offline.service_worker", "offline.manifest", "offline.session_info",
             "offline.offline_pack", "measures.export_csv", "idcard.my_photo",
             "admin.user_photo", "verify.photo", "logs.operative_photo", "logs.office_photo"}
# Query strings that open a page's other states (a search, a result, a chosen period).
EXTRA_URLS = ["/residents?q=Brennan", "/residents?q=Michael", "/residents?q=zzzz",
              "/residents?q=a", "/check-caller?code=123456", "/check-caller?code=12",
              "/measures?period=quarter", "/measures?period=custom&first=2026-02-30&last=",
              "/measures?period=custom&first=2026-01-01&last=2026-01-31", "/inbox?show=all",
              "/no-such-page"]

WRONG_WORDS = [
    (re.compile(r"\b1 (people|residents|visits|operatives|alerts|adjustments|steps|logs|rows"
                r"|attempts|minutes|hours|days|weeks|reviews|answers)\b"), "a plural after 1"),
    (re.compile(r"\b[Ss]'s\b|\w+s's\b"), "a possessive of a name ending in s"),
    # A date error's example ("must be a real date, like 2026-11-23") shows what to type where
    # a browser offers a plain text box for a date: that one is an input format, not a date.
    (re.compile(r"(?<!real date, like )\b\d{4}-\d{2}-\d{2}\b"), "an ISO date"),
]


class _VisibleText(HTMLParser):
    """The words a person reads: text outside tags, not attribute values, scripts, styles or
    what a form field holds (an <input value>, a <textarea>, a <time datetime> is an
    attribute). A <code> is what to type (the import format's "2026-11-30"), not a date."""

    HIDDEN = {"script", "style", "textarea", "template", "code"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def wrong_words(text: str) -> list[str]:
    found = []
    for pattern, what in WRONG_WORDS:
        for match in pattern.finditer(text):
            around = text[max(0, match.start() - 50):match.end() + 30]
            found.append(f"{what}: {match.group(0)!r} in ...{around}...")
    return found


def test_the_check_finds_each_wrong_word():
    """The check can fail: each pattern it looks for is found, and only outside tags."""
    html = ('<p>1 people; 1 residents; 1 visits; Riverside Homes\'s website; on 2026-12-04'
            '</p><input value="2026-12-04"><time datetime="2026-12-04">Thursday 4 December'
            '</time><textarea>2026-12-04</textarea><a title="1 people">x</a>')
    assert len(wrong_words(_VisibleText.of(html))) == 5
    assert wrong_words(_VisibleText.of("<p>1 person, 2 people, Riverside Homes' website</p>")) \
        == []


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    path = make_demo_database(tmp_path_factory.mktemp("words"))
    db = connect(path)
    landlord = db.execute("SELECT id FROM organisations WHERE kind = 'landlord'").fetchone()[0]
    officer = db.execute("SELECT id FROM users WHERE email = 'officer@demo.test'").fetchone()[0]
    store_import(db, landlord, officer, "jobs.csv",
                 "job_ref,tenancy_ref,date,start,end,trade,firm\n"
                 "JOB-9,T-1,2099-01-01,10:00,12:00,Plumbing,Acme Repairs\n")
    job = jobs.enqueue(db, "send_push", {})
    db.execute("UPDATE jobs SET failed_at = run_after, attempts = 1, last_error = ? WHERE id = ?",
               ("WebPushException: push service answered 500", job))
    db.close()
    app = create_app({"TESTING": True, "FIELDAPP_DB": path, "FIELDAPP_ENV": "test",
                      "FIELDAPP_BASE_URL": "http://fieldapp.test",
                      "RATELIMIT_ENABLED": False})
    _ask_for_another_time(app, db_path=path)
    yield app
    # The limiter is one object for every app of the process: switching it off for this walk
    # would switch it off for the tests of public pages' limits that run after it.
    limiter.enabled = True


def _ask_for_another_time(app, db_path: str) -> None:
    """A resident's rebook request, made as a resident makes it: the visit and the officer's
    alert then show it."""
    db = connect(db_path)
    visit = db.execute("SELECT id FROM visits WHERE status = 'booked' AND starts_at > ?"
                       " ORDER BY starts_at LIMIT 1", (_now_iso(),)).fetchone()[0]
    db.close()
    client = app.test_client()
    with app.test_request_context():
        url = "/r/" + tokens.make(tokens.REBOOK_SALT, visit)
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    assert client.post(url, data={"csrf_token": token, "days": "monday",
                                  "times": "morning"}).status_code == 200


def _now_iso() -> str:
    from fieldapp.core.db import utc_now

    return utc_now()


def _values(app) -> dict[str, list]:
    """The values each kind of address part takes: every record of the demo, so each page is
    seen in each state the demo has."""
    db = connect(app.config["FIELDAPP_DB"])

    def ids(sql: str) -> list:
        return [row[0] for row in db.execute(sql)]

    visits = db.execute("SELECT visits.id, visits.starts_at, visit_operatives.user_id"
                        " FROM visits JOIN visit_operatives ON visit_id = visits.id").fetchall()
    with app.test_request_context():
        day = {row[0]: to_local(row[1]).date().isoformat() for row in visits}
        checks = [make_token(row[0], row[2], day[row[0]]) for row in visits]
        links = [tokens.make(salt, row[0]) for row in visits
                 for salt in (tokens.FEEDBACK_SALT, tokens.REBOOK_SALT)]
    values = {
        "visit_id": ids("SELECT id FROM visits"),
        "resident_id": ids("SELECT id FROM residents"),
        "adjustment_id": ids("SELECT id FROM adjustments"),
        "alert_id": ids("SELECT id FROM alerts"),
        "organisation_id": ids("SELECT id FROM organisations"),
        "user_id": ids("SELECT id FROM users"),
        "import_id": ids("SELECT id FROM visit_imports"),
        "message_id": ids("SELECT id FROM messages"),
        "pause_id": ids("SELECT id FROM resident_pauses"),
        "route_id": ids("SELECT id FROM referral_routes"),
        "code": ids("SELECT code FROM adjustment_types"),
        "token": [*checks, *links, "not-a-token"],
        # (visit, step) pairs: a step is addressed under its own visit.
        ("visit_id", "step_id"): db.execute("SELECT visit_id, id FROM work_steps").fetchall(),
    }
    db.close()
    return values


def urls_of(app) -> list[str]:
    values = _values(app)
    urls = list(EXTRA_URLS)
    unknown = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        arguments = sorted(rule.arguments)
        if not arguments:
            urls.append(rule.rule)
            continue
        if arguments == ["step_id", "visit_id"]:
            combos = [{"visit_id": v, "step_id": s} for v, s in values[("visit_id", "step_id")]]
        elif all(a in values for a in arguments):
            combos = [{}]
            for argument in arguments:
                combos = [{**c, argument: v} for c in combos for v in values[argument]]
        else:
            unknown.update(a for a in arguments if a not in values)
            continue
        for combo in combos:
            url = rule.rule
            for name, value in combo.items():
                url = re.sub(rf"<(\w+:)?{name}>", str(value), url)
            urls.append(url)
    assert not unknown, f"give values for these address parts in _values(): {sorted(unknown)}"
    return urls


@pytest.mark.parametrize("person", PEOPLE, ids=lambda p: p or "anonymous")
def test_every_page_says_counts_possessives_and_dates_in_words(demo_app, person):
    client = sign_in_quickly(demo_app, person) if person else demo_app.test_client()
    problems, seen = [], 0
    for url in urls_of(demo_app):
        response = client.get(url)
        if not response.content_type.startswith("text/html"):
            continue
        seen += 1
        for problem in wrong_words(_VisibleText.of(response.get_data(as_text=True))):
            problems.append(f"{url} ({response.status_code}): {problem}")
    assert seen > 20
    assert not problems, "\n".join(sorted(set(problems)))


def test_a_two_person_visit_and_a_one_row_import_are_among_the_pages(demo_app):
    """The data has the singular cases the words check is for."""
    db = connect(demo_app.config["FIELDAPP_DB"])
    assert db.execute("SELECT count(*) FROM (SELECT visit_id FROM visit_operatives"
                      " GROUP BY visit_id HAVING count(*) > 1)").fetchone()[0] >= 1
    assert db.execute("SELECT count(*) FROM visit_imports").fetchone()[0] == 1
    db.close()


def test_every_alert_of_the_demo_gives_its_reasons_in_the_catalogues_words(demo_app):
    """Not "Urgent: Stopped distress" in the demo and "Visit stopped: the resident was
    distressed" in a real alert: every reason and severity comes from the alert rules."""
    from fieldapp.core.catalogues import ALERT_RULES

    titles = {title: severity for _code, severity, _f, _v, title in ALERT_RULES}
    db = connect(demo_app.config["FIELDAPP_DB"])
    rows = db.execute("SELECT severity, reasons FROM alerts").fetchall()
    db.close()
    assert rows
    for severity, reasons in rows:
        parts = reasons.split("; ")
        assert set(parts) <= set(titles), reasons
        assert severity == ("urgent" if any(titles[p] == "urgent" for p in parts)
                            else "reach_out"), reasons
