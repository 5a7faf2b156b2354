"""Every log, not only those that raised an alert, on the officer's visit page and in the log
history on the resident's page: newest first, the outcome in words, who logged it and when."""

import re
import uuid
from datetime import datetime, time, timedelta

import pytest

from fieldapp.core.clock import LOCAL_ZONE, today_local

from factories import add_resident, add_visit
from pages import check_page
from support import csrf_token_from


def at(hour: int, days: int = 0) -> datetime:
    return datetime.combine(today_local() + timedelta(days=days), time(hour), LOCAL_ZONE)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html: str, heading_id: str) -> str:
    return text_of(html.split(f'id="{heading_id}"')[1].split("</section>")[0])


@pytest.fixture
def logged(db, world, signed_in):
    """Two visits of one resident: one logged "completed" (no alert), one "no access"."""
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Lena Logged")
    me = [world.users["operative"]]
    visits = {"earlier": add_visit(db, resident, world.orgs["acme"], me, at(8), at(9),
                                   trade="Glazing"),
              "later": add_visit(db, resident, world.orgs["acme"], me, at(13), at(14),
                                 trade="Roofing")}
    client = signed_in("operative")
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token_from(
        client.get("/today").get_data(as_text=True))
    for key, outcome, reason in (("earlier", "completed", None),
                                 ("later", "no_access", "no_answer")):
        response = client.post("/api/logs", json={
            "client_id": str(uuid.uuid4()), "visit_id": visits[key], "outcome": outcome,
            "no_access_reason": reason, "distress": "none",
            "concerns": ["damp_mould"] if key == "earlier" else [], "note": "",
            "follow_up": ""})
        assert response.status_code == 201
    assert db.execute("SELECT count(*) FROM alerts WHERE log_id = ?", (
        response.get_json()["id"] - 1,)).fetchone()[0] == 1  # damp and mould: a reach-out
    return resident, visits


def test_a_log_that_raised_no_alert_shows_on_the_officers_visit_page(db, world, signed_in):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"], name="Ann")
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], at(8),
                      at(9), trade="Glazing")
    client = signed_in("operative")
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token_from(
        client.get("/today").get_data(as_text=True))
    log = client.post("/api/logs", json={
        "client_id": str(uuid.uuid4()), "visit_id": visit, "outcome": "completed",
        "distress": "none", "concerns": [], "note": "New sealant round the window"})
    assert log.get_json()["alerts"] == []
    html = signed_in("officer").get(f"/schedule/{visit}").get_data(as_text=True)
    check_page(html)
    logs = section(html, "visit-logs")
    assert "Completed" in logs
    assert "Logged by Operative today at" in logs
    assert "New sealant round the window" in logs


def test_a_visit_with_no_log_says_so(db, world, signed_in):
    html = signed_in("officer").get(
        f"/schedule/{world.visits['tomorrow']}").get_data(as_text=True)
    assert "Not logged yet" in section(html, "visit-logs")


def test_the_residents_page_lists_every_log_newest_first_in_words(db, world, signed_in,
                                                                  logged):
    resident, _visits = logged
    html = signed_in("officer").get(f"/residents/{resident}").get_data(as_text=True)
    check_page(html)
    history = section(html, "log-history")
    assert history.index("Roofing") < history.index("Glazing")  # newest first
    assert "No access: No answer" in history
    assert "Completed" in history and "Damp and mould" in history
    assert history.count("Logged by Operative today at") == 2
    assert not re.search(r"\d{4}-\d{2}-\d{2}", history)  # no ISO dates


def test_a_changed_log_shows_both_versions_and_says_which_is_current(db, world, signed_in):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"], name="Cy")
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], at(8),
                      at(9), trade="Glazing")
    client = signed_in("operative")
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token_from(
        client.get("/today").get_data(as_text=True))
    body = {"visit_id": visit, "distress": "none", "concerns": [], "note": ""}
    first = client.post("/api/logs", json={**body, "client_id": str(uuid.uuid4()),
                                           "outcome": "completed"}).get_json()
    client.post("/api/logs", json={**body, "client_id": str(uuid.uuid4()),
                                   "outcome": "partly_completed", "amends": first["id"]})
    logs = section(signed_in("officer").get(f"/schedule/{visit}").get_data(as_text=True),
                   "visit-logs")
    assert logs.index("Partly completed") < logs.index("Completed")
    assert "Replaced by a newer version" in logs


def test_another_landlords_officer_sees_no_log_history(db, world, signed_in, logged):
    resident, visits = logged
    other = signed_in("other_landlord_officer")
    assert other.get(f"/residents/{resident}").status_code == 404
    assert other.get(f"/schedule/{visits['later']}").status_code == 404
