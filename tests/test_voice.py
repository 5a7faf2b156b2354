"""The resident's voice, with no account: how a visit felt, and "I can't do this time"."""

import json
import re
import sqlite3
from datetime import datetime, time, timedelta

import pytest

from fieldapp.core.clock import LOCAL_ZONE, to_local, today_local
from fieldapp.core.words import date_words
from fieldapp.voice import tokens

from factories import add_resident, add_visit, window_around_now
from pages import check_page
from support import audit_refused, csrf_token_from

RESIDENT_FACTS = ["Nora Quiet", "7 Elm Row", "RS2 2BB"]


@pytest.fixture
def resident(db, world):
    return add_resident(db, world.orgs["riverside"], world.users["officer"], name="Nora Quiet",
                        address_line1="7 Elm Row", postcode="RS2 2BB")


def visit_on(db, world, resident, starts: datetime, hours: int = 2, **fields) -> int:
    return add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts,
                     starts + timedelta(hours=hours), trade="Gas heating", **fields)


@pytest.fixture
def visit_now(db, world, resident):
    starts, ends = window_around_now()
    return add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts, ends,
                     trade="Gas heating")


def feedback_link(app, visit_id: int) -> str:
    return "/f/" + _token(app, tokens.FEEDBACK_SALT, visit_id)


def rebook_link(app, visit_id: int) -> str:
    return "/r/" + _token(app, tokens.REBOOK_SALT, visit_id)


def _token(app, salt: str, visit_id: int) -> str:
    with app.test_request_context():
        return tokens.make(salt, visit_id)


def send(client, url: str, data: dict):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def feedback_rows(db, visit_id: int) -> list:
    return db.execute("SELECT * FROM visit_feedback WHERE visit_id = ? ORDER BY id",
                      (visit_id,)).fetchall()


# How did the visit feel? ----------------------------------------------------------------------

def test_a_resident_says_how_the_visit_felt_and_can_change_it(app, db, visit_now):
    client = app.test_client()
    url = feedback_link(app, visit_now)
    page = client.get(url)
    html = page.get_data(as_text=True)
    check_page(html)
    assert page.headers["Cache-Control"] == "no-store" and "noindex" in page.headers[
        "X-Robots-Tag"]
    for question in ("Did you feel safe?", "Did you feel listened to?",
                     "Did you feel in control of what happened?"):
        assert question in html
    for fact in [*RESIDENT_FACTS, "Operative"]:
        assert fact not in html  # no personal data, and nothing about who came
    assert "Answer as much or as little as you like: you can skip any question." in html
    assert "can be left" not in html  # unclear: left blank, or left behind?
    thanks = send(client, url, {"felt_safe": "yes", "listened_to": "partly",
                                "comment": "He explained every step."})
    assert thanks.status_code == 200
    assert "Your housing officer reads every comment" in thanks.get_data(as_text=True)
    # The link closes two weeks after the visit, not after the answer: the page names the day.
    ends = db.execute("SELECT ends_at FROM visits WHERE id = ?", (visit_now,)).fetchone()[0]
    with app.test_request_context():
        closes = date_words(to_local(ends) + timedelta(days=tokens.FEEDBACK_DAYS_AFTER))
    assert (f"To change your answers, open the same link before {closes}. Your new answers "
            "replace these.") in thanks.get_data(as_text=True)
    [row] = feedback_rows(db, visit_now)
    assert (row["felt_safe"], row["listened_to"], row["in_control"], row["comment"]) == (
        "yes", "partly", None, "He explained every step.")

    send(client, url, {"felt_safe": "no", "in_control": "no"})  # a second send is kept too
    first, newest = feedback_rows(db, visit_now)
    assert (first["felt_safe"], first["listened_to"], first["comment"]) == (
        "yes", "partly", "He explained every step.")
    assert (newest["felt_safe"], newest["listened_to"], newest["in_control"],
            newest["comment"]) == ("no", None, "no", "")
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'feedback_given'"
                      ).fetchone()[0] == 2


@pytest.mark.parametrize(("data", "field", "message"), [
    ({}, "felt_safe", "Answer a question or write a comment, or close this page"),
    ({"felt_safe": "maybe"}, "felt_safe", "Choose yes, partly or no, or leave it"),
    ({"in_control": "<script>"}, "in_control", "Choose yes, partly or no, or leave it"),
    ({"comment": "x" * 1001}, "comment",
     "Your comment is too long. Shorten it to 1000 characters or fewer."),
])
def test_feedback_that_cannot_be_stored_says_why_and_stores_nothing(app, db, visit_now, data,
                                                                    field, message):
    response = send(app.test_client(), feedback_link(app, visit_now), data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert f'id="{field}-error"' in html and message.replace("<", "&lt;") in html
    assert feedback_rows(db, visit_now) == []


def test_feedback_is_open_from_the_start_of_the_visit_for_two_weeks(app, db, world, resident):
    tomorrow = datetime.combine(today_local() + timedelta(days=1), time(9), LOCAL_ZONE)
    long_ago = datetime.combine(today_local() - timedelta(days=15), time(9), LOCAL_ZONE)
    recent = datetime.combine(today_local() - timedelta(days=13), time(9), LOCAL_ZONE)
    client = app.test_client()
    for starts, heading in [(tomorrow, "This link is closed"), (long_ago, "This link is closed"),
                            (recent, "How did the visit feel?")]:
        html = client.get(feedback_link(app, visit_on(db, world, resident, starts))).get_data(
            as_text=True)
        assert f"<h1>{heading}</h1>" in html, heading


def test_a_tampered_or_wrong_purpose_link_gets_one_calm_answer(app, visit_now):
    client = app.test_client()
    good = feedback_link(app, visit_now)
    for url in [good[:-2] + ("aa" if not good.endswith("aa") else "bb"),
                "/f/" + _token(app, tokens.REBOOK_SALT, visit_now),  # a rebook link
                "/f/" + _token(app, tokens.FEEDBACK_SALT, 999_999)[:-1]]:
        html = client.get(url).get_data(as_text=True)
        assert "<h1>This link does not work</h1>" in html, url
        check_page(html)


def test_feedback_is_rate_limited(app, visit_now):
    client = app.test_client()
    url = feedback_link(app, visit_now)
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    statuses = [client.post(url, data={"csrf_token": token, "felt_safe": "yes"}).status_code
                for _ in range(21)]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


def test_the_officer_sees_the_feedback_and_the_operative_never_does(app, db, signed_in,
                                                                    visit_now):
    send(app.test_client(), feedback_link(app, visit_now),
         {"felt_safe": "partly", "comment": "The drill noise was hard."})
    officer = signed_in("officer").get(f"/schedule/{visit_now}").get_data(as_text=True)
    assert "How the visit felt, in the resident's words" in officer
    assert "The drill noise was hard." in officer
    operative = signed_in("operative")
    for path in ["/today", f"/visits/{visit_now}", f"/visits/{visit_now}/log"]:
        assert "The drill noise was hard." not in operative.get(path).get_data(as_text=True)


def test_after_logging_the_operative_can_show_the_feedback_link(app, db, signed_in,
                                                                  visit_now):
    operative = signed_in("operative")
    page = operative.get(f"/visits/{visit_now}/log").get_data(as_text=True)
    client_id = re.search(r'name="client_id" id="client_id" value="([^"]+)"', page).group(1)
    logged = operative.post(f"/visits/{visit_now}/log", data={
        "csrf_token": csrf_token_from(page), "client_id": client_id, "outcome": "completed",
        "distress": "none"}, follow_redirects=True).get_data(as_text=True)
    check_page(logged)
    assert "How did the visit feel for the resident?" in logged
    assert "QR code that opens the feedback page" in logged
    assert re.search(r"http://fieldapp\.test/f/[\w.-]+", logged)


@pytest.fixture
def visit_over(db, world, resident):
    """A visit that started and ended earlier today."""
    earlier = datetime.now(LOCAL_ZONE).replace(second=0, microsecond=0) - timedelta(hours=3)
    if earlier.date() != today_local():
        pytest.skip("needs a visit that started and ended earlier today")
    return visit_on(db, world, resident, earlier, hours=1)


def check_page_of(app, world, visit: int) -> str:
    """The caller check page the resident opens from the operative's QR code."""
    from fieldapp.core.signing import make_token

    with app.test_request_context():
        token = make_token(visit, world.users["operative"], today_local().isoformat())
    html = app.test_client().get(f"/verify/{token}").get_data(as_text=True)
    check_page(html)
    return html


def test_the_check_page_asks_how_it_felt_once_the_visit_is_over(app, world, visit_over):
    html = check_page_of(app, world, visit_over)
    assert "<h1>This visit has finished</h1>" in html
    assert "cannot confirm anyone now" in html
    assert re.search(r'href="http://fieldapp\.test/f/[\w.-]+"', html)
    # True whether or not anyone came in (no access, refused entry): no thanks for letting
    # us in, and plain words on skipping questions.
    assert ("If we came into your home, how did the visit feel? It takes a minute, and you can"
            " skip any question.") in html
    assert "letting us in" not in html and "can be left" not in html


def test_a_visit_stopped_for_distress_is_over_on_the_check_page_not_unconfirmed(
        app, world, visit_over, signed_in):
    """Feedback is held after a visit stopped for distress or risk; the resident who opens the
    check page again is told the visit is over, never that the caller who was in their home
    could not be confirmed."""
    log_visit(signed_in, visit_over, "stopped_distress")  # feedback is held now
    html = check_page_of(app, world, visit_over)
    assert "<h1>This visit has finished</h1>" in html
    assert "cannot confirm anyone now" in html
    assert "Do not let them in" not in html and "We cannot confirm this caller" not in html
    assert "/f/" not in html and "Thank you for letting us in" not in html


# Can't make this time? -------------------------------------------------------------------------

def test_a_resident_asks_for_another_time_and_their_officer_is_asked_to_reach_out(
        app, db, world, resident, signed_in):
    visit = visit_on(db, world, resident, datetime.combine(
        today_local() + timedelta(days=3), time(10), LOCAL_ZONE))
    officer = signed_in("officer")
    visit_page = officer.get(f"/schedule/{visit}").get_data(as_text=True)
    url = re.search(r'value="http://fieldapp\.test(/r/[\w.-]+)"', visit_page).group(1)
    client = app.test_client()
    form = client.get(url).get_data(as_text=True)
    check_page(form)
    assert "Can't make this time?" in form and "You do not have to say why" in form
    for fact in RESIDENT_FACTS:
        assert fact not in form
    done = send(client, url, {"days": ["tuesday", "thursday"], "times": ["morning"]})
    assert done.status_code == 200
    assert "Your housing officer has been told" in done.get_data(as_text=True)

    row = db.execute("SELECT * FROM rebook_requests WHERE visit_id = ?", (visit,)).fetchone()
    assert (row["preferred_days"], row["preferred_times"], row["reason"]) == (
        '["tuesday", "thursday"]', '["morning"]', "")
    assert db.execute("SELECT rebook_requested FROM visits WHERE id = ?", (visit,)).fetchone()[0]
    [alert] = db.execute("SELECT * FROM alerts WHERE visit_id = ?", (visit,)).fetchall()
    assert (alert["officer_id"], alert["severity"], alert["reasons"], alert["log_id"]) == (
        world.users["officer"], "reach_out", "The resident asked for another time", None)
    alert_page = officer.get(f"/alerts/{alert['id']}").get_data(as_text=True)
    check_page(alert_page)
    assert "Gas heating" in alert_page and "Tuesday, Thursday" in alert_page
    assert "Morning (8am to 12 noon)" in officer.get(f"/schedule/{visit}").get_data(as_text=True)

    again = client.get(url).get_data(as_text=True)  # once used, the link says so calmly
    assert "<h1>We have your request</h1>" in again
    resent = client.post(url, data={"csrf_token": csrf_token_from(form), "days": ["monday"]})
    assert "<h1>We have your request</h1>" in resent.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM alerts WHERE visit_id = ?", (visit,)).fetchone()[0] \
        == 1


def test_the_operative_is_told_to_check_before_going(app, db, world, resident, signed_in):
    visit = visit_on(db, world, resident, datetime.combine(
        today_local() + timedelta(days=1), time(10), LOCAL_ZONE))
    send(app.test_client(), rebook_link(app, visit), {"reason": "My daughter cannot be here",
                                                      "any_time": "y"})
    operative = signed_in("operative")
    today = operative.get("/today").get_data(as_text=True)
    assert "The resident asked for another time: check with the office before you go" in today
    briefing = operative.get(f"/visits/{visit}").get_data(as_text=True)
    assert "Do not go unless the office tells you the visit is still on" in briefing
    assert "My daughter cannot be here" not in briefing  # the why stays with the officer


@pytest.mark.parametrize(("when", "status", "heading"), [
    (-2, "booked", "The time of this visit has passed"),
    (2, "cancelled", "This visit is cancelled"),
])
def test_a_rebook_link_for_a_past_or_cancelled_visit_says_so_calmly(app, db, world, resident,
                                                                    when, status, heading):
    visit = visit_on(db, world, resident, datetime.combine(
        today_local() + timedelta(days=when), time(10), LOCAL_ZONE), status=status)
    client = app.test_client()
    html = client.get(rebook_link(app, visit)).get_data(as_text=True)
    check_page(html)
    assert f"<h1>{heading}</h1>" in html and "020 7946 0000" in html
    assert client.get("/r/" + _token(app, tokens.FEEDBACK_SALT, visit)).get_data(
        as_text=True).count("This link does not work") >= 1


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"days": ["sunday-ish"]}, "days", "Choose days from the list"),
    ({"times": ["midnight"]}, "times", "Choose times from the list"),
    ({"reason": "x" * 501}, "reason",
     "What you want us to know is too long. Shorten it to 500 characters or fewer."),
])
def test_a_rebook_request_that_cannot_be_stored_says_why(app, db, world, resident, data, field,
                                                         message):
    visit = visit_on(db, world, resident, datetime.combine(
        today_local() + timedelta(days=3), time(10), LOCAL_ZONE))
    response = send(app.test_client(), rebook_link(app, visit), data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert f'id="{field}-error"' in html and message in html
    assert db.execute("SELECT count(*) FROM rebook_requests").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM alerts WHERE visit_id = ?", (visit,)).fetchone()[0] \
        == 0


@pytest.mark.parametrize("data", [{}, {"reason": "Work shifts"}])
def test_a_rebook_request_with_no_day_time_or_any_time_is_refused_and_the_link_kept(
        app, db, world, resident, data):
    visit = visit_on(db, world, resident, datetime.combine(
        today_local() + timedelta(days=3), time(10), LOCAL_ZONE))
    client, url = app.test_client(), rebook_link(app, visit)
    response = send(client, url, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    error = html.split('id="days-error"')[1].split("</p>")[0]
    assert "Tick the days or times that suit you, or tick" in error
    assert "Any day or time suits me" in error
    assert "Work shifts" in html if data else True  # what they wrote is kept
    assert db.execute("SELECT count(*) FROM rebook_requests").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM alerts WHERE visit_id = ?", (visit,)).fetchone()[0] \
        == 0
    assert db.execute("SELECT rebook_requested FROM visits WHERE id = ?", (visit,)
                      ).fetchone()[0] == 0
    assert "I can't do this time</button>" in client.get(url).get_data(as_text=True)
    done = send(client, url, {"any_time": "y"})  # the link still works
    assert "Your housing officer has been told" in done.get_data(as_text=True)
    row = db.execute("SELECT * FROM rebook_requests WHERE visit_id = ?", (visit,)).fetchone()
    assert len(json.loads(row["preferred_days"])) == 6
    assert len(json.loads(row["preferred_times"])) == 3


# What the resident says is stored with its audit row, or not at all ------------------------------

def test_feedback_whose_audit_cannot_be_written_is_not_kept(app, db, visit_now):
    client, url = app.test_client(), feedback_link(app, visit_now)
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    with audit_refused(db), pytest.raises(sqlite3.IntegrityError):
        client.post(url, data={"csrf_token": token, "felt_safe": "yes"})
    assert feedback_rows(db, visit_now) == []


def test_a_rebook_request_whose_audit_cannot_be_written_is_not_kept(app, db, world, resident):
    visit = visit_on(db, world, resident, datetime.combine(
        today_local() + timedelta(days=3), time(10), LOCAL_ZONE))
    client, url = app.test_client(), rebook_link(app, visit)
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    with audit_refused(db), pytest.raises(sqlite3.IntegrityError):
        client.post(url, data={"csrf_token": token, "days": ["monday"]})
    assert db.execute("SELECT count(*) FROM rebook_requests").fetchone()[0] == 0
    assert db.execute("SELECT rebook_requested FROM visits WHERE id = ?", (visit,)
                      ).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM alerts WHERE visit_id = ?", (visit,)).fetchone()[0] \
        == 0
    assert client.get(url).status_code == 200  # the link still works: nothing was stored


def feedback_alerts(db, visit_id: int) -> list:
    return db.execute("SELECT officer_id, severity, reasons FROM alerts WHERE visit_id = ?",
                      (visit_id,)).fetchall()


@pytest.mark.parametrize(("answers", "reason", "promise"), [
    ({"felt_safe": "no"}, "The resident did not feel safe at the visit",
     "Your housing officer has been told and will be in touch"),
    ({"listened_to": "no", "in_control": "no"},
     "The resident did not feel listened to or in control at the visit",
     "Your housing officer has been told and will be in touch"),
    ({"felt_safe": "yes", "comment": "He was kind."}, "The resident left a comment on the visit",
     "Your housing officer reads every comment"),
])
def test_feedback_that_asks_for_attention_reaches_the_officer(app, db, world, visit_now,
                                                              answers, reason, promise):
    client, url = app.test_client(), feedback_link(app, visit_now)
    thanks = send(client, url, answers).get_data(as_text=True)
    assert promise in thanks
    assert [tuple(a) for a in feedback_alerts(db, visit_now)] == [
        (world.users["officer"], "reach_out", reason)]
    send(client, url, answers)  # the same answer again: still one alert to follow up
    assert len(feedback_alerts(db, visit_now)) == 1


def test_feedback_that_felt_fine_raises_no_alert_and_promises_no_call(app, db, visit_now):
    thanks = send(app.test_client(), feedback_link(app, visit_now),
                  {"felt_safe": "yes", "listened_to": "partly", "in_control": "yes"})
    html = thanks.get_data(as_text=True)
    check_page(html)
    assert feedback_alerts(db, visit_now) == []
    assert "will be in touch" not in html


# No "How did it feel?" straight after a visit stopped for distress or risk ----------------------

def log_visit(signed_in, visit_id: int, outcome: str, distress: str = "none") -> str:
    operative = signed_in("operative")
    page = operative.get(f"/visits/{visit_id}/log").get_data(as_text=True)
    client_id = re.search(r'name="client_id" id="client_id" value="([^"]+)"', page).group(1)
    return operative.post(f"/visits/{visit_id}/log", data={
        "csrf_token": csrf_token_from(page), "client_id": client_id, "outcome": outcome,
        "distress": distress}, follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("outcome", ["stopped_distress", "stopped_unsafe"])
def test_no_feedback_prompt_straight_after_a_log_that_stopped_the_visit(app, db, signed_in,
                                                                        visit_now, outcome):
    logged = log_visit(signed_in, visit_now, outcome, distress="some")
    check_page(logged)
    assert "Log sent" in logged
    assert "How did the visit feel for the resident?" not in logged
    assert "/f/" not in logged
    assert "Their housing officer can send it later" in logged


def test_after_a_stopped_visit_the_check_page_does_not_ask_how_it_felt(app, db, world,
                                                                         resident, signed_in):
    from fieldapp.core.signing import make_token

    earlier = datetime.now(LOCAL_ZONE).replace(second=0, microsecond=0) - timedelta(hours=3)
    if earlier.date() != today_local():
        pytest.skip("needs a visit that started and ended earlier today")
    visit = visit_on(db, world, resident, earlier, hours=1)
    log_visit(signed_in, visit, "stopped_distress")
    with app.test_request_context():
        token = make_token(visit, world.users["operative"], today_local().isoformat())
    html = app.test_client().get(f"/verify/{token}").get_data(as_text=True)
    assert "/f/" not in html


def test_the_officer_sends_the_feedback_link_later_as_a_deliberate_audited_step(
        app, db, signed_in, visit_now):
    log_visit(signed_in, visit_now, "stopped_distress", distress="significant")
    officer = signed_in("officer")
    page = officer.get(f"/schedule/{visit_now}").get_data(as_text=True)
    check_page(page)
    voice = page.split('id="resident-voice"')[1]
    assert "The visit was stopped" in voice
    assert "/f/" not in voice  # nothing to copy until the officer chooses to ask
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', voice, re.S)
    assert form.group(1) == f"/schedule/{visit_now}/feedback-link"
    assert officer.post(form.group(1)).status_code == 400  # no CSRF token: refused
    sent = officer.post(form.group(1), data={"csrf_token": csrf_token_from(page)})
    assert sent.status_code == 303
    after = officer.get(f"/schedule/{visit_now}").get_data(as_text=True).split(
        'id="resident-voice"')[1]
    assert re.search(r"http://fieldapp\.test/f/[\w.-]+", after)
    assert "You chose to ask today at" in after
    audits = db.execute("SELECT user_id FROM audit_log WHERE action = 'feedback_link_sent'"
                        " AND record_id = ?", (str(visit_now),)).fetchall()
    assert len(audits) == 1
    # Now the operative's and the resident's pages may offer it too.
    logged = signed_in("operative").get(f"/visits/{visit_now}/logged?log=" + str(
        db.execute("SELECT max(id) FROM visit_logs").fetchone()[0])).get_data(as_text=True)
    assert "How did the visit feel for the resident?" in logged


def test_a_resident_who_has_the_link_can_still_answer_after_a_stopped_visit(app, db, signed_in,
                                                                           visit_now):
    log_visit(signed_in, visit_now, "stopped_distress")
    response = send(app.test_client(), feedback_link(app, visit_now), {"felt_safe": "partly"})
    assert response.status_code == 200 and len(feedback_rows(db, visit_now)) == 1


def test_another_landlords_officer_cannot_send_the_feedback_link(app, db, signed_in, visit_now):
    log_visit(signed_in, visit_now, "stopped_distress")
    other = signed_in("other_landlord_officer")
    token = csrf_token_from(other.get("/residents").get_data(as_text=True))
    assert other.post(f"/schedule/{visit_now}/feedback-link",
                      data={"csrf_token": token}).status_code == 404
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'feedback_link_sent'"
                      ).fetchone()[0] == 0


# Answers are kept: a later send never overwrites an earlier one ----------------------------

def checked(html: str, name: str) -> list[str]:
    """The answers a page's radios for `name` open with."""
    return [re.search(r'value="(\w+)"', tag).group(1)
            for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
            if re.search(r"\bchecked\b", tag)]


def test_an_operatives_later_all_yes_send_leaves_the_residents_no_visible_and_the_alert_open(
        app, db, signed_in, visit_now):
    """The operative is shown the resident's link after logging: whoever sends from it later,
    the officer still reads what the resident said first, and their alert stays."""
    url = feedback_link(app, visit_now)
    send(app.test_client(), url, {"felt_safe": "no", "listened_to": "partly",
                                  "comment": "He shouted at my son."})
    [alert] = db.execute("SELECT id, status, reasons FROM alerts WHERE visit_id = ?",
                         (visit_now,)).fetchall()
    assert alert["reasons"] == "The resident did not feel safe at the visit"
    operative = signed_in("operative")
    assert send(operative, url, {"felt_safe": "yes", "listened_to": "yes",
                                 "in_control": "yes"}).status_code == 200

    first, newest = feedback_rows(db, visit_now)
    assert (first["felt_safe"], first["comment"]) == ("no", "He shouted at my son.")
    assert (newest["felt_safe"], newest["listened_to"], newest["in_control"]) == (
        "yes", "yes", "yes")
    assert [tuple(row) for row in db.execute(
        "SELECT id, status, reasons FROM alerts WHERE visit_id = ?", (visit_now,))] == [
        tuple(alert)]
    page = signed_in("officer").get(f"/schedule/{visit_now}")
    html = page.get_data(as_text=True)
    check_page(html)
    earlier = html[html.index("Answers changed"):]
    assert "He shouted at my son." in earlier
    assert re.search(r"Did you feel safe\?</dt>\s*<dd>No</dd>", earlier)
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'feedback_given'"
                      " AND record_id = ?", (visit_now,)).fetchone()[0] == 2


def test_no_one_can_change_a_kept_answer_in_the_database(db, visit_now):
    db.execute("INSERT INTO visit_feedback (visit_id, felt_safe, created_at, updated_at)"
               " VALUES (?, 'no', 'x', 'x')", (visit_now,))
    with pytest.raises(sqlite3.DatabaseError, match="kept as sent"):
        db.execute("UPDATE visit_feedback SET felt_safe = 'yes' WHERE visit_id = ?",
                   (visit_now,))


def test_the_reopened_form_is_prefilled_with_the_answers_sent_from_that_phone(app, db,
                                                                             visit_now):
    """Changing one answer does not wipe the others; and the link alone shows nobody else
    (the operative who was shown it) what the resident said."""
    resident, url = app.test_client(), feedback_link(app, visit_now)
    send(resident, url, {"felt_safe": "no", "listened_to": "partly",
                         "comment": "The dog was scared."})
    again = resident.get(url).get_data(as_text=True)
    check_page(again)
    assert checked(again, "felt_safe") == ["no"] and checked(again, "listened_to") == [
        "partly"] and checked(again, "in_control") == []
    assert "The dog was scared.</textarea>" in again
    send(resident, url, {"felt_safe": "no", "listened_to": "yes", "comment": "The dog was scared."})
    assert checked(resident.get(url).get_data(as_text=True), "listened_to") == ["yes"]

    someone_else = app.test_client().get(url).get_data(as_text=True)
    assert "The dog was scared." not in someone_else
    assert all(checked(someone_else, name) == [] for name in ("felt_safe", "listened_to"))


def test_answers_given_on_the_operatives_signed_in_phone_are_not_shown_on_it_again(
        app, db, signed_in, visit_now):
    """A resident without a phone of their own may answer on the operative's: the operative
    reopening the link there sees an empty form, as the page promises."""
    operative_phone, url = signed_in("operative"), feedback_link(app, visit_now)
    send(operative_phone, url, {"felt_safe": "no", "comment": "Rushed and loud."})
    assert len(feedback_rows(db, visit_now)) == 1  # the answers are kept
    again = operative_phone.get(url).get_data(as_text=True)
    assert "Rushed and loud." not in again and checked(again, "felt_safe") == []


def test_answers_stored_before_versions_become_each_visits_first_version(db, visit_now):
    """On a database with one answer per visit (a second send replaced the first), the
    migration keeps each answer as its visit's first version, dated when it was last sent."""
    from fieldapp.core.migrations import m160_feedback_kept_as_sent

    db.execute("DROP TRIGGER visit_feedback_kept_as_sent")
    db.execute("DROP TABLE visit_feedback")
    db.execute("""CREATE TABLE visit_feedback (
        id INTEGER PRIMARY KEY, visit_id INTEGER NOT NULL UNIQUE REFERENCES visits(id),
        felt_safe TEXT, listened_to TEXT, in_control TEXT, comment TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""")
    db.execute("INSERT INTO visit_feedback (visit_id, felt_safe, comment, created_at, updated_at)"
               " VALUES (?, 'no', 'Too loud.', '2026-03-01T09:00:00+00:00',"
               " '2026-03-02T10:00:00+00:00')", (visit_now,))
    m160_feedback_kept_as_sent(db)
    [row] = feedback_rows(db, visit_now)
    assert (row["felt_safe"], row["comment"], row["created_at"]) == (
        "no", "Too loud.", "2026-03-02T10:00:00+00:00")
    db.execute("INSERT INTO visit_feedback (visit_id, felt_safe, created_at, updated_at)"
               " VALUES (?, 'yes', 'x', 'x')", (visit_now,))  # a second version now fits
    assert len(feedback_rows(db, visit_now)) == 2
    with pytest.raises(sqlite3.DatabaseError, match="kept as sent"):
        db.execute("UPDATE visit_feedback SET comment = '' WHERE visit_id = ?", (visit_now,))


def test_a_resident_with_no_officer_is_told_who_was_told(app, db, world):
    # With no officer assigned, the alert goes to the landlord's team: the pages say so.
    nobody = add_resident(db, world.orgs["riverside"], None, name="Olu Alone")
    visit = visit_on(db, world, nobody, datetime.combine(
        today_local() + timedelta(days=3), time(10), LOCAL_ZONE))
    client, url = app.test_client(), rebook_link(app, visit)
    done = send(client, url, {"any_time": "y"}).get_data(as_text=True)
    assert "The housing team at Riverside Homes has been told" in done
    again = client.get(url).get_data(as_text=True)
    assert "The housing team at Riverside Homes will be in touch" in again
    starts, ends = window_around_now()
    now = add_visit(db, nobody, world.orgs["acme"], [world.users["operative"]], starts, ends)
    thanks = send(client, feedback_link(app, now), {"comment": "Lovely"}).get_data(as_text=True)
    assert "The housing team at Riverside Homes reads every comment" in thanks
    for page in (done, again, thanks):
        assert "housing officer" not in page
