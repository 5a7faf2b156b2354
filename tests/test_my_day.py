"""My day keeps its promises: each visit's state in words, and one log for a visit two people
attend (the first sent), which the colleague sees on their day and their briefing."""

import re
import uuid
from datetime import datetime, time, timedelta

import pytest

from fieldapp.core.clock import LOCAL_ZONE, today_local
from fieldapp.schedule.queries import cancel_visit
from fieldapp.voice import tokens

from factories import add_resident, add_visit
from pages import check_page
from support import csrf_token_from


def at(hour: int, days: int = 0) -> datetime:
    return datetime.combine(today_local() + timedelta(days=days), time(hour), LOCAL_ZONE)


def last_second_today() -> datetime:
    return datetime.combine(today_local(), time(23, 59, 59), LOCAL_ZONE)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def card(html: str, trade: str) -> str:
    """The My day card of the visit for this trade."""
    cards = [c for c in html.split('<li class="visit-card') if trade in c]
    assert len(cards) == 1, f"{len(cards)} cards for {trade}"
    return cards[0].split("</li>")[0]


def with_csrf(client):
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token_from(
        client.get("/today").get_data(as_text=True))
    return client


def log_body(visit_id: int, **changes) -> dict:
    return {"client_id": str(uuid.uuid4()), "visit_id": visit_id, "outcome": "completed",
            "no_access_reason": None, "distress": "none", "concerns": [], "note": "",
            "follow_up": "", **changes}


def ask_for_another_time(app, client, visit_id: int) -> None:
    """The resident's own "I can't do this time" page, as they would send it."""
    with app.app_context():
        url = f"/r/{tokens.make(tokens.REBOOK_SALT, visit_id)}"
    page = client.get(url).get_data(as_text=True)
    assert client.post(url, data={"csrf_token": csrf_token_from(page), "days": "monday",
                                  "times": "morning"}).status_code == 200


@pytest.fixture
def day(app, client, db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Nora Quiet")
    me = [world.users["operative"]]
    visits = {
        "to_do": add_visit(db, resident, world.orgs["acme"], me, at(8), at(9), trade="Glazing"),
        "logged": add_visit(db, resident, world.orgs["acme"], me, at(13), at(14),
                            trade="Roofing"),
        "cancelled": add_visit(db, resident, world.orgs["acme"], me, at(15), at(16),
                               trade="Painting"),
        # Ends at the day's last second: the resident can ask for another time only before a
        # visit ends, and this suite runs at any hour.
        "rebook": add_visit(db, resident, world.orgs["acme"], me, at(17), last_second_today(),
                            trade="Tiling"),
    }
    cancel_visit(db, visits["cancelled"], "resident_asked")
    ask_for_another_time(app, client, visits["rebook"])
    return visits


def test_my_day_shows_each_visits_state_in_words(db, world, signed_in, day):
    client = with_csrf(signed_in("operative"))
    assert client.post("/api/logs", json=log_body(
        day["logged"], outcome="partly_completed")).status_code == 201
    html = client.get("/today").get_data(as_text=True)
    check_page(html)
    assert "To do" in text_of(card(html, "Glazing"))
    logged = text_of(card(html, "Roofing"))
    assert "Logged by you today at" in logged
    assert "Partly completed (follow-on needed)" in logged
    rebook = text_of(card(html, "Tiling"))
    assert "Rebook asked. The resident asked for another time" in rebook


def test_a_cancelled_visit_today_is_shown_struck_through_and_cannot_be_opened_to_log(
        db, world, signed_in, day):
    html = signed_in("operative").get("/today").get_data(as_text=True)
    cancelled = card(html, "Painting")
    assert "visit-card--cancelled" in cancelled
    assert "Cancelled today at" in text_of(cancelled)
    assert "href=" not in cancelled  # nothing to tap: no briefing, no log form


def test_the_offline_pack_still_keeps_only_booked_visits(db, world, signed_in, day):
    pack = signed_in("operative").get("/api/offline-pack").get_json()
    assert f"/visits/{day['cancelled']}" not in str(pack)
    assert f"/visits/{day['to_do']}" in str(pack)


@pytest.fixture
def shared_visit(db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Omar Shared")
    return add_visit(db, resident, world.orgs["acme"],
                     [world.users["operative"], world.users["colleague"]], at(11), at(12),
                     trade="Boiler service")


def test_on_a_two_person_visit_the_first_log_counts_and_the_colleague_sees_who_sent_it(
        db, world, signed_in, shared_visit):
    first = with_csrf(signed_in("operative"))
    assert first.post("/api/logs", json=log_body(shared_visit)).status_code == 201
    colleague = with_csrf(signed_in("colleague"))
    day_html = colleague.get("/today").get_data(as_text=True)
    assert "Logged by Operative today at" in text_of(card(day_html, "Boiler service"))
    briefing = text_of(colleague.get(f"/visits/{shared_visit}").get_data(as_text=True))
    assert "Operative logged this visit today at" in briefing
    assert "Completed" in briefing

    form_page = colleague.get(f"/visits/{shared_visit}/log").get_data(as_text=True)
    check_page(form_page)
    assert "Operative logged this visit today at" in text_of(form_page)
    assert 'id="log-form"' not in form_page

    before = db.execute("SELECT count(*) FROM visit_logs WHERE visit_id = ?",
                        (shared_visit,)).fetchone()[0]
    refused = colleague.post("/api/logs", json=log_body(shared_visit, outcome="no_access",
                                                        no_access_reason="no_answer"))
    assert refused.status_code == 409
    assert "Operative logged this visit today at" in refused.get_json()["errors"]["client_id"]
    posted = colleague.post(f"/visits/{shared_visit}/log", data={
        "csrf_token": csrf_token_from(form_page), "client_id": str(uuid.uuid4()),
        "outcome": "completed", "distress": "none"})
    assert posted.status_code == 409
    assert "Operative logged this visit today at" in text_of(posted.get_data(as_text=True))
    assert db.execute("SELECT count(*) FROM visit_logs WHERE visit_id = ?",
                      (shared_visit,)).fetchone()[0] == before == 1


def test_the_first_author_can_still_change_their_log_on_a_two_person_visit(
        db, world, signed_in, shared_visit):
    first = with_csrf(signed_in("operative"))
    sent = first.post("/api/logs", json=log_body(shared_visit)).get_json()
    change = first.post("/api/logs", json=log_body(shared_visit, outcome="partly_completed",
                                                   amends=sent["id"]))
    assert change.status_code == 201


def test_cancelling_says_what_the_operatives_day_will_show(db, world, signed_in, day):
    officer = signed_in("officer")
    page = text_of(officer.get(f"/schedule/{day['to_do']}/cancel").get_data(as_text=True))
    assert "Operative will see on their day that it is cancelled" in page
    form_page = officer.get(f"/schedule/{day['to_do']}/cancel").get_data(as_text=True)
    done = officer.post(f"/schedule/{day['to_do']}/cancel", data={
        "reason": "resident_asked", "csrf_token": csrf_token_from(form_page)},
        follow_redirects=True)
    assert "day shows it as cancelled" in text_of(done.get_data(as_text=True))
    assert "Cancelled today at" in text_of(card(signed_in("operative").get("/today").get_data(
        as_text=True), "Glazing"))
