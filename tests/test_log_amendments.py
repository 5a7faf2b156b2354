"""Changing a log on the visit day: a new version is stored, the first one is kept."""

import sqlite3
import uuid
from datetime import timedelta

import pytest

from fieldapp.core.clock import to_local

from pages import check_page
from support import audit_refused, csrf_token_from


@pytest.fixture
def operative(signed_in):
    client = signed_in("operative")
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token_from(
        client.get("/today").get_data(as_text=True))
    return client


def first_log(operative, visit_id, **changes) -> int:
    body = {"client_id": str(uuid.uuid4()), "visit_id": visit_id, "outcome": "completed",
            "distress": "none", "concerns": [], **changes}
    response = operative.post("/api/logs", json=body)
    assert response.status_code == 201
    return response.get_json()["id"]


def severities(db, visit_id) -> list:
    return [r[0] for r in db.execute(
        "SELECT alerts.reasons FROM alerts JOIN visit_logs ON visit_logs.id = alerts.log_id"
        " WHERE visit_logs.visit_id = ? ORDER BY alerts.id", (visit_id,))]


def test_the_form_offers_the_log_to_change_and_keeps_the_first(operative, db, world):
    visit = world.visits["today"]
    db.execute("DELETE FROM alerts")
    db.execute("DELETE FROM visit_logs")
    first = first_log(operative, visit, note="Fixed the tap")
    page = operative.get(f"/visits/{visit}/log").get_data(as_text=True)
    check_page(page)
    assert "You logged this visit at" in page and "Fixed the tap" in page
    assert f'name="amends" value="{first}"' in page
    client_id = page.split('name="client_id" id="client_id" value="')[1].split('"')[0]
    response = operative.post(f"/visits/{visit}/log", data={
        "csrf_token": csrf_token_from(page), "client_id": client_id, "amends": first,
        "outcome": "stopped_distress", "distress": "significant", "note": "Stopped early"})
    assert response.status_code == 303
    rows = db.execute("SELECT id, outcome, amends_log_id FROM visit_logs WHERE visit_id = ?"
                      " ORDER BY id", (visit,)).fetchall()
    assert [(r["outcome"], r["amends_log_id"]) for r in rows] == [
        ("completed", None), ("stopped_distress", first)]
    assert severities(db, visit) == ["Significant distress; Visit stopped: the resident was "
                                     "distressed"]


def test_an_amendment_raises_only_what_is_new(operative, db, world):
    visit = world.visits["today"]
    db.execute("DELETE FROM alerts")
    db.execute("DELETE FROM visit_logs")
    first = first_log(operative, visit, outcome="stopped_distress", distress="some")
    second = operative.post("/api/logs", json={
        "client_id": str(uuid.uuid4()), "visit_id": visit, "amends": first,
        "outcome": "stopped_distress", "distress": "some", "concerns": ["asked_for_officer"]})
    assert second.status_code == 201
    assert severities(db, visit) == ["Visit stopped: the resident was distressed; Some distress",
                                     "The resident asked to speak to you"]


def test_a_log_changed_already_cannot_be_changed_from_its_old_version(operative, world):
    visit = world.visits["today"]
    first = first_log(operative, visit)
    body = {"visit_id": visit, "amends": first, "outcome": "completed", "distress": "some"}
    assert operative.post("/api/logs", json={**body, "client_id": str(uuid.uuid4())}
                          ).status_code == 201
    again = operative.post("/api/logs", json={**body, "client_id": str(uuid.uuid4())})
    assert again.status_code == 422
    assert "changed already" in again.get_json()["errors"]["amends"]


def test_a_log_cannot_be_changed_before_the_visit_day(operative, world):
    first = first_log(operative, world.visits["tomorrow"])
    refused = operative.post("/api/logs", json={
        "client_id": str(uuid.uuid4()), "visit_id": world.visits["tomorrow"], "amends": first,
        "outcome": "completed", "distress": "some"})
    assert refused.status_code == 422


def test_after_the_visit_day_the_log_can_no_longer_be_changed(operative, db, world):
    visit = world.visits["today"]
    db.execute("DELETE FROM alerts")
    db.execute("DELETE FROM visit_logs")
    first = first_log(operative, visit)
    row = db.execute("SELECT starts_at, ends_at FROM visits WHERE id = ?", (visit,)).fetchone()
    db.execute("UPDATE visits SET starts_at = ?, ends_at = ? WHERE id = ?",
               (*(to_local(row[k]) - timedelta(days=1) for k in (0, 1)), visit))
    page = operative.get(f"/visits/{visit}/log")
    assert page.status_code == 302 and "/logged" in page.headers["Location"]
    refused = operative.post("/api/logs", json={
        "client_id": str(uuid.uuid4()), "visit_id": visit, "amends": first,
        "outcome": "completed", "distress": "some"})
    assert refused.status_code == 422
    assert "only on the day of the visit" in refused.get_json()["errors"]["amends"]
    assert db.execute("SELECT count(*) FROM visit_logs").fetchone()[0] == 1


def test_an_amended_no_access_does_not_count_twice_towards_repeated_no_access(operative, db,
                                                                            world):
    db.execute("DELETE FROM alerts")
    db.execute("DELETE FROM visit_logs")
    visit = world.visits["today"]
    first = first_log(operative, visit, outcome="no_access", no_access_reason="no_answer")
    operative.post("/api/logs", json={
        "client_id": str(uuid.uuid4()), "visit_id": visit, "amends": first,
        "outcome": "no_access", "no_access_reason": "access_problem", "distress": "none"})
    assert not any("Check in" in reason for reason in severities(db, visit))


def test_an_amendment_is_not_kept_when_its_audit_row_cannot_be_written(operative, db, world):
    visit = world.visits["today"]
    db.execute("DELETE FROM alerts")
    db.execute("DELETE FROM visit_logs")
    first = first_log(operative, visit)
    audited = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    with audit_refused(db), pytest.raises(sqlite3.IntegrityError):
        operative.post("/api/logs", json={
            "client_id": str(uuid.uuid4()), "visit_id": visit, "amends": first,
            "outcome": "stopped_unsafe", "distress": "none", "concerns": []})
    assert [r[0] for r in db.execute("SELECT id FROM visit_logs WHERE visit_id = ?",
                                     (visit,))] == [first]
    assert severities(db, visit) == []
    assert db.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audited
