"""The officer's inbox: their residents' alerts, acknowledged then closed with the action taken."""

import sqlite3

import pytest

from pages import check_page
from support import audit_refused, csrf_token_from, post_form


def alert_row(db, alert_id: int):
    return db.execute("SELECT * FROM alerts WHERE id = ?", (alert_id,)).fetchone()


def test_inbox_lists_my_residents_alerts_with_counts(signed_in, world, db):
    db.execute("INSERT INTO alerts (resident_id, officer_id, severity, reasons, created_at)"
               " VALUES (?, ?, 'urgent', 'Significant distress', '2026-01-01T10:00:00+00:00')",
               (world.residents["riverside"], world.users["officer"]))
    html = signed_in("officer").get("/inbox").get_data(as_text=True)
    check_page(html)
    assert "2 new" in html and "1 urgent" in html
    assert html.index("Urgent: Significant distress") < html.index("No access")


def test_inbox_lists_every_open_alert_then_the_twenty_most_recently_closed(signed_in, world, db):
    for day in range(1, 29):
        db.execute("INSERT INTO alerts (resident_id, officer_id, severity, reasons, status,"
                   " created_at, closed_at, action_taken) VALUES (?1, ?2, 'reach_out', ?3,"
                   " 'closed', ?4, ?4, 'Called')",
                   (world.residents["riverside"], world.users["officer"], f"Closed on day {day}",
                    f"2026-02-{day:02d}T10:00:00+00:00"))
    db.execute("INSERT INTO alerts (resident_id, officer_id, severity, reasons, created_at)"
               " VALUES (?, ?, 'reach_out', 'Old but still open', '2025-06-01T10:00:00+00:00')",
               (world.residents["riverside"], world.users["officer"]))
    html = signed_in("officer").get("/inbox").get_data(as_text=True)
    closed = [day for day in range(1, 29) if f"Closed on day {day}<" in html]
    assert closed == list(range(9, 29))  # the 20 newest
    assert html.index("Old but still open") < html.index("Closed on day 28")
    assert "then the 20 most recently closed" in html


def test_inbox_counts_refresh_as_a_fragment(signed_in):
    response = signed_in("officer").get("/inbox", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="alert-counts"' in html
    assert "HX-Request" in response.headers["Vary"]


def test_other_officers_see_none_of_my_alerts(signed_in, world):
    for person in ("admin", "other_landlord_officer"):
        client = signed_in(person)
        assert "No access" not in client.get("/inbox").get_data(as_text=True)
        assert client.get(f"/alerts/{world.others['alert']}").status_code == 404


def test_alert_page_shows_the_log_and_is_audited(signed_in, world, db):
    html = signed_in("officer").get(f"/alerts/{world.others['alert']}").get_data(as_text=True)
    check_page(html)
    assert "No answer" in html and "Operative, Acme Repairs" in html
    audit = db.execute("SELECT * FROM audit_log WHERE action = 'alert_viewed'").fetchone()
    assert audit["record_id"] == str(world.others["alert"])


def test_acknowledge_then_close_with_the_action_taken(signed_in, world, db):
    client, alert = signed_in("officer"), world.others["alert"]
    response = post_form(client, f"/alerts/{alert}/acknowledge", page_url=f"/alerts/{alert}")
    assert response.status_code == 303
    row = alert_row(db, alert)
    assert row["status"] == "acknowledged" and row["acknowledged_by"] == world.users["officer"]
    response = post_form(client, f"/alerts/{alert}/close", {"action_taken": "Rang Rita; rebooked"},
                         page_url=f"/alerts/{alert}")
    assert response.status_code == 303
    row = alert_row(db, alert)
    assert (row["status"], row["action_taken"]) == ("closed", "Rang Rita; rebooked")


def test_acknowledge_by_htmx_swaps_the_status(signed_in, world):
    client, alert = signed_in("officer"), world.others["alert"]
    page = client.get(f"/alerts/{alert}").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/alerts/{alert}/acknowledge",
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and "Acknowledged at" in html


def test_closing_needs_the_action_taken(signed_in, world, db):
    client, alert = signed_in("officer"), world.others["alert"]
    response = post_form(client, f"/alerts/{alert}/close", {"action_taken": "  "},
                         page_url=f"/alerts/{alert}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert "<title>Error: " in html and html.count("Enter the action you took") == 2
    assert alert_row(db, alert)["status"] == "new"


@pytest.mark.parametrize(("typed", "status", "message"), [
    ("\n\t ", "new", "Enter the action you took"),
    ("x" * 501, "acknowledged", "Action taken must be 500 characters or fewer"),
    ("Rang again", "closed", "This alert is already closed"),
])
def test_an_alert_that_cannot_be_closed_says_why_and_keeps_what_was_typed(
        signed_in, world, db, typed, status, message):
    alert = world.others["alert"]
    db.execute("UPDATE alerts SET status = ?, acknowledged_at = created_at,"
               " closed_at = CASE ? WHEN 'closed' THEN created_at END, action_taken = 'Called'"
               " WHERE id = ?", (status, status, alert))
    response = post_form(signed_in("officer"), f"/alerts/{alert}/close",
                         {"action_taken": typed}, page_url=f"/alerts/{alert}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert 'href="#action_taken"' in html and message in html
    if status != "closed":  # a closed alert has no form left to type in
        assert 'id="action_taken-error"' in html and typed.strip() in html
    assert alert_row(db, alert)["status"] == status


def test_another_officer_cannot_acknowledge_or_close(signed_in, world, db):
    client, alert = signed_in("other_landlord_officer"), world.others["alert"]
    assert post_form(client, f"/alerts/{alert}/acknowledge", page_url="/inbox").status_code == 404
    assert post_form(client, f"/alerts/{alert}/close", {"action_taken": "x"},
                     page_url="/inbox").status_code == 404
    assert alert_row(db, alert)["status"] == "new"


def test_officer_home_and_navigation_show_new_alerts(signed_in):
    html = signed_in("officer").get("/residents").get_data(as_text=True)
    assert '<span class="badge">1 new</span>' in html
    assert 'id="alert-counts"' in html and "1 new" in html
    assert "badge" not in signed_in("other_landlord_officer").get("/residents").get_data(
        as_text=True)


@pytest.mark.parametrize(("action", "audited"), [("acknowledge", "alert_acknowledged"),
                                                  ("close", "alert_closed")])
def test_an_alert_change_whose_audit_cannot_be_written_is_not_kept(signed_in, world, db, action,
                                                                   audited):
    client, alert = signed_in("officer"), world.others["alert"]
    token = csrf_token_from(client.get(f"/alerts/{alert}").get_data(as_text=True))
    with audit_refused(db), pytest.raises(sqlite3.IntegrityError):
        client.post(f"/alerts/{alert}/{action}",
                    data={"csrf_token": token, "action_taken": "Rang Rita"})
    row = alert_row(db, alert)
    assert (row["status"], row["acknowledged_at"], row["closed_at"]) == ("new", None, None)
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = ?",
                      (audited,)).fetchone()[0] == 0
