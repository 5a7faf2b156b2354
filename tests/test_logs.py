"""The post-visit log: validation, exactly-once storage, and the alerts its rules raise."""

import re
import sqlite3
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from fieldapp.logs.forms import MESSAGES, NO_REASON_LABEL
from fieldapp.logs.queries import create_log

from factories import add_resident, add_visit
from pages import assert_field_error, check_page
from support import audit_refused, csrf_token_from


def new_id() -> str:
    return str(uuid.uuid4())


def log_body(visit_id: int, **changes) -> dict:
    return {"client_id": new_id(), "visit_id": visit_id, "outcome": "completed",
            "no_access_reason": None, "distress": "none", "concerns": [], "note": "",
            "follow_up": "", **changes}


@pytest.fixture
def operative(signed_in):
    client = signed_in("operative")
    token = csrf_token_from(client.get("/today").get_data(as_text=True))
    client.environ_base["HTTP_X_CSRFTOKEN"] = token
    return client


def alerts_for(db, log_id: int) -> list:
    return [(r["severity"], r["reasons"]) for r in db.execute(
        "SELECT severity, reasons FROM alerts WHERE log_id = ? ORDER BY id", (log_id,))]


def test_form_log_is_stored_once_even_when_sent_twice(operative, db, world):
    visit = world.visits["today"]
    page = operative.get(f"/visits/{visit}/log").get_data(as_text=True)
    check_page(page)
    client_id = page.split('name="client_id" id="client_id" value="')[1].split('"')[0]
    form = {"csrf_token": csrf_token_from(page), "client_id": client_id,
            "outcome": "no_access", "no_access_reason": "no_answer", "distress": "none"}
    first = operative.post(f"/visits/{visit}/log", data=form)
    second = operative.post(f"/visits/{visit}/log", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    rows = db.execute("SELECT * FROM visit_logs WHERE client_id = ?", (client_id,)).fetchall()
    assert len(rows) == 1
    done = operative.get(first.headers["Location"]).get_data(as_text=True)
    check_page(done)
    assert "Log sent" in done and "housing officer has been told" in done


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"outcome": ""}, "outcome", "Select how the visit went"),
    ({"outcome": "fine"}, "outcome", "Select how the visit went"),
    ({"outcome": "no_access"}, "no_access_reason", "Select why there was no access"),
    ({"distress": ""}, "distress", "Select how much distress you saw"),
    ({"concerns": ["not_a_concern"]}, "concerns", "Select concerns from the list"),
    ({"note": "x" * 501}, "note", "Note must be 500 characters or fewer"),
    ({"follow_up": "x" * 201}, "follow_up", "Follow-up must be 200 characters or fewer"),
    ({"client_id": "not-a-uuid"}, "client_id", "The log has no valid id"),
])
def test_form_says_what_to_fix_and_keeps_the_answers(operative, db, world, changes, field,
                                                     message):
    visit = world.visits["today"]
    page = operative.get(f"/visits/{visit}/log").get_data(as_text=True)
    form = {"csrf_token": csrf_token_from(page), "client_id": new_id(), "outcome": "completed",
            "distress": "none", "note": "Fixed the tap", **changes}
    before = db.execute("SELECT count(*) FROM visit_logs").fetchone()[0]
    response = operative.post(f"/visits/{visit}/log", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert "<title>Error: Log the visit" in html
    assert message in html.split('class="error-summary"')[1].split("</ul>")[0]
    assert f'id="{field}-error"' in html
    if field != "note":
        assert "Fixed the tap" in html
    assert db.execute("SELECT count(*) FROM visit_logs").fetchone()[0] == before


@pytest.mark.parametrize("outcome", ["completed", "partly_completed", "stopped_distress"])
def test_a_no_access_reason_with_another_outcome_is_refused_next_to_the_field(
        operative, db, world, outcome):
    visit = world.visits["today"]
    page = operative.get(f"/visits/{visit}/log").get_data(as_text=True)
    before = db.execute("SELECT count(*) FROM visit_logs").fetchone()[0]
    response = operative.post(f"/visits/{visit}/log", data={
        "csrf_token": csrf_token_from(page), "client_id": new_id(), "outcome": outcome,
        "no_access_reason": "no_answer", "distress": "none"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert_field_error(html, "no_access_reason", MESSAGES["access_given"])
    assert db.execute("SELECT count(*) FROM visit_logs").fetchone()[0] == before


def test_the_api_refuses_a_no_access_reason_with_a_completed_visit(operative, db, world):
    before = db.execute("SELECT count(*) FROM visit_logs").fetchone()[0]
    response = operative.post("/api/logs", json=log_body(
        world.visits["tomorrow"], outcome="completed", no_access_reason="no_answer"))
    assert response.status_code == 400
    assert response.get_json()["errors"] == {"no_access_reason": MESSAGES["access_given"]}
    assert db.execute("SELECT count(*) FROM visit_logs").fetchone()[0] == before


@pytest.mark.parametrize("cleared", ["", None])
def test_we_got_in_clears_the_reason_and_the_log_is_stored(operative, db, world, cleared):
    response = operative.post("/api/logs", json=log_body(
        world.visits["tomorrow"], outcome="completed", no_access_reason=cleared))
    assert response.status_code == 201
    assert db.execute("SELECT no_access_reason FROM visit_logs WHERE id = ?",
                      (response.get_json()["id"],)).fetchone()[0] is None


def test_the_form_offers_a_way_to_clear_the_no_access_reason(operative, world):
    html = operative.get(f"/visits/{world.visits['today']}/log").get_data(as_text=True)
    reasons = html.split('data-field="no_access_reason"')[1].split("</fieldset>")[0]
    assert 'name="no_access_reason" type="radio" value=""' in reasons
    assert NO_REASON_LABEL in reasons


def test_no_heating_is_offered_once_and_no_group_is_its_own_checkbox(operative, world):
    html = operative.get(f"/visits/{world.visits['today']}/log").get_data(as_text=True)
    concerns = html.split('data-field="concerns"')[1].split("</fieldset>")[0]
    labels = re.findall(r'class="checkboxes__label" for="[^"]+">([^<]+)<', concerns)
    headings = re.findall(r'class="checkboxes__group">([^<]+)<', concerns)
    assert [label for label in labels if "heating" in label.lower()] == [
        "No heating or hot water"]
    assert not set(headings) & set(labels)
    assert not any(label.lower().endswith(heading.lower()) for heading in headings
                   for label in labels)
    assert "Child safeguarding" in labels and "Signs of domestic abuse" in labels


def test_a_log_from_an_older_page_with_the_retired_no_heating_is_kept_as_the_one_left(
        operative, db, world):
    body = log_body(world.visits["tomorrow"], concerns=["welfare_no_heating"])
    response = operative.post("/api/logs", json=body)
    assert response.status_code == 201
    assert db.execute("SELECT concern FROM log_concerns WHERE log_id = ?",
                      (response.get_json()["id"],)).fetchall()[0][0] == "no_heating_hot_water"
    assert operative.post("/api/logs", json=body).status_code == 200


def test_api_first_store_then_identical_resend_then_different_payload(operative, db, world):
    body = log_body(world.visits["today"], outcome="stopped_distress", distress="significant")
    first = operative.post("/api/logs", json=body)
    assert first.status_code == 201
    again = operative.post("/api/logs", json=body)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    different = operative.post("/api/logs", json={**body, "note": "changed"})
    assert different.status_code == 422
    assert "client_id" in different.get_json()["errors"]
    assert db.execute("SELECT count(*) FROM visit_logs WHERE client_id = ?",
                      (body["client_id"],)).fetchone()[0] == 1
    assert first.get_json()["alerts"] == ["urgent"]


@pytest.mark.parametrize("body", [
    "not json", [], {"visit_id": "1"}, {"visit_id": True},
])
def test_api_refuses_a_body_it_cannot_read(operative, body):
    response = (operative.post("/api/logs", data=body, content_type="application/json")
                if isinstance(body, str) else operative.post("/api/logs", json=body))
    assert response.status_code == 400
    assert response.get_json()["errors"]


def test_api_gives_a_message_per_field(operative, world):
    response = operative.post("/api/logs", json=log_body(
        world.visits["today"], outcome="nope", distress=None, concerns="gas_smell,x"))
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {"outcome", "distress", "concerns"}


def test_api_refuses_a_visit_the_operative_does_not_attend(signed_in, world):
    client = signed_in("other_firm_operative")
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token_from(
        client.get("/today").get_data(as_text=True))
    assert client.post("/api/logs", json=log_body(world.visits["today"])).status_code == 404


def test_api_needs_the_csrf_header(signed_in, world):
    client = signed_in("operative")
    assert client.post("/api/logs", json=log_body(world.visits["today"])).status_code == 400


def test_twenty_concurrent_identical_posts_store_one_log(app, operative, db, world):
    body = log_body(world.visits["today"], outcome="no_access", no_access_reason="no_answer")
    cookie = operative.get_cookie("fieldapp_session").value
    token = operative.environ_base["HTTP_X_CSRFTOKEN"]
    statuses = []

    def send():
        client = app.test_client()
        client.set_cookie("fieldapp_session", cookie)
        statuses.append(client.post("/api/logs", json=body,
                                    headers={"X-CSRFToken": token}).status_code)

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 19 + [201]
    assert db.execute("SELECT count(*) FROM visit_logs WHERE client_id = ?",
                      (body["client_id"],)).fetchone()[0] == 1
    log_id = db.execute("SELECT id FROM visit_logs WHERE client_id = ?",
                        (body["client_id"],)).fetchone()[0]
    # The world already had one no-access log: one alert for this log, one check-in; no doubles.
    assert [reason for _s, reason in alerts_for(db, log_id)] == [
        "No access", "Check in with the resident: something may be getting in the way"]


@pytest.mark.parametrize(("changes", "expected"), [
    ({}, []),
    ({"concerns": ["hoarding"]}, [("urgent", "Adult safeguarding concern")]),
    ({"concerns": ["gas_smell", "damp_mould"]},
     [("urgent", "Gas smell reported; Property hazard")]),
    ({"distress": "significant"}, [("urgent", "Significant distress")]),
    ({"distress": "some"}, [("reach_out", "Some distress")]),
    ({"outcome": "stopped_distress"}, [("reach_out", "Visit stopped: the resident was "
                                                     "distressed")]),
    ({"outcome": "no_access", "no_access_reason": "asked_to_rebook"},
     [("reach_out", "No access; The resident asked for another time")]),
    ({"concerns": ["asked_for_officer"]}, [("reach_out", "The resident asked to speak to you")]),
])
def test_rules_turn_a_log_into_the_right_alert(operative, db, world, changes, expected):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    starts = datetime.now(UTC).replace(microsecond=0)
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts,
                      starts + timedelta(hours=1))
    response = operative.post("/api/logs", json=log_body(visit, **changes))
    assert response.status_code == 201
    assert alerts_for(db, response.get_json()["id"]) == expected


@pytest.mark.parametrize(("days_ago", "fires"), [(27, True), (29, False)])
def test_repeated_no_access_within_28_days_raises_a_check_in(operative, db, world, days_ago,
                                                             fires):
    earlier = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat(timespec="seconds")
    db.execute("UPDATE visit_logs SET created_at = ?", (earlier,))  # the world's no-access log
    response = operative.post("/api/logs", json=log_body(
        world.visits["tomorrow"], outcome="no_access", no_access_reason="no_answer"))
    reasons = [reason for _severity, reason in alerts_for(db, response.get_json()["id"])]
    check_in = "Check in with the resident: something may be getting in the way"
    assert (check_in in reasons) is fires


def test_urgent_log_asks_the_operative_how_they_are(operative, world, db):
    db.execute("UPDATE users SET supervisor_phone = '0113 496 0101' WHERE id = ?",
               (world.users["operative"],))
    visit = world.visits["today"]
    page = operative.get(f"/visits/{visit}/log").get_data(as_text=True)
    response = operative.post(f"/visits/{visit}/log", data={
        "csrf_token": csrf_token_from(page), "client_id": new_id(),
        "outcome": "stopped_distress", "distress": "significant"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "How are you?" in html and 'href="tel:01134960101"' in html


def test_a_log_is_not_kept_when_its_audit_row_cannot_be_written(operative, db, world):
    visit = world.visits["today"]
    body = log_body(visit, outcome="no_access", no_access_reason="no_answer")
    with audit_refused(db), pytest.raises(sqlite3.IntegrityError):
        operative.post("/api/logs", json=body)
    assert db.execute("SELECT count(*) FROM visit_logs WHERE client_id = ?",
                      (body["client_id"],)).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM alerts WHERE reasons = 'No access' AND log_id NOT IN"
                      " (SELECT id FROM visit_logs)").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'visit_logged'"
                      ).fetchone()[0] == 0


def test_changing_a_log_with_the_retired_no_heating_ticks_the_one_left(operative, db, world):
    visit = world.visits["today"]
    create_log(db, client_id=new_id(), visit_id=visit, author_id=world.users["operative"],
               outcome="completed", distress="none", payload_hash="x",
               created_at=datetime.now(UTC).isoformat(timespec="seconds"),
               amends_log_id=world.others["log"], concerns=("welfare_no_heating",))
    html = operative.get(f"/visits/{visit}/log").get_data(as_text=True)
    assert re.search(r'value="no_heating_hot_water" checked', html)
