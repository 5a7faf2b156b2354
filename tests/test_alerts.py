"""The officer's inbox: their residents' alerts, acknowledged then closed with the action taken."""

import re
import sqlite3

import pytest

from fieldapp.core.words import date_words

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


def add_alert(db, world, reasons: str, severity: str = "reach_out", status: str = "new",
              created: str = "2026-03-05T10:00:00+00:00", escalated_from=None,
              officer: str = "officer", log_id=None) -> int:
    return db.execute(
        "INSERT INTO alerts (resident_id, officer_id, log_id, severity, reasons, status,"
        " created_at, escalated_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (world.residents["riverside"], world.users[officer], log_id, severity, reasons, status,
         created, escalated_from)).lastrowid


def test_alert_page_has_a_short_heading_and_lists_each_reason_under_it(signed_in, world, db):
    alert = add_alert(db, world, "Adult safeguarding concern; Significant distress; "
                                 "Visit stopped: the resident was distressed", "urgent",
                      log_id=world.others["log"])
    html = signed_in("officer").get(f"/alerts/{alert}").get_data(as_text=True)
    page = check_page(html)
    assert "<h1>Urgent: Rita Resident</h1>" in html and "<title>Urgent: Rita Resident" in html
    reasons = html.split('<ul class="alert-reasons">')[1].split("</ul>")[0]
    assert re.findall(r"<li>([^<]+)</li>", reasons) == [
        "Adult safeguarding concern", "Significant distress",
        "Visit stopped: the resident was distressed"]
    # The reasons, then straight away the button: nothing long stands between them.
    assert html.index("</h1>") < html.index("alert-reasons") < html.index("Acknowledge:") \
        < html.index("The log")
    assert page.h1_count == 1


def test_a_duty_copy_says_why_it_came_and_lists_the_reasons(signed_in, world, db):
    original = add_alert(db, world, "Significant distress", "urgent", officer="admin")
    copy = add_alert(db, world, "Escalated, not yet acknowledged: Significant distress; "
                                "Gas smell reported", "urgent", escalated_from=original)
    html = signed_in("officer").get(f"/alerts/{copy}").get_data(as_text=True)
    reasons = html.split('<ul class="alert-reasons">')[1].split("</ul>")[0]
    assert re.findall(r"<li>([^<]+)</li>", reasons) == ["Significant distress",
                                                         "Gas smell reported"]
    assert "Escalated, not yet acknowledged" in html.split("</h1>")[1].split("alert-reasons")[0]


def inbox_titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="record__title"><a [^>]*>([^<]+)</a>', html)


def filter_links(html: str) -> dict[str, bool]:
    nav = html.split('aria-label="Show alerts"')[1].split("</nav>")[0]
    return {label: "aria-current" in attributes
            for attributes, label in re.findall(r"<a ([^>]*)>([^<]+)</a>", nav)}


@pytest.fixture
def mixed_inbox(db, world):
    add_alert(db, world, "Mine, urgent", "urgent", created="2026-03-05T10:00:00+00:00")
    add_alert(db, world, "Mine, closed", status="closed", created="2026-03-04T10:00:00+00:00")
    original = add_alert(db, world, "Someone else's", "urgent", officer="admin")
    add_alert(db, world, "Duty copy, urgent", "urgent", escalated_from=original,
              created="2026-03-03T10:00:00+00:00")


@pytest.mark.parametrize(("query", "current", "titles"), [
    ("", "All", ["Urgent: Mine, urgent", "Urgent: Duty copy, urgent", "No access",
                 "Mine, closed"]),
    ("?show=all", "All", ["Urgent: Mine, urgent", "Urgent: Duty copy, urgent", "No access",
                          "Mine, closed"]),
    ("?show=mine", "Mine", ["Urgent: Mine, urgent", "No access", "Mine, closed"]),
    ("?show=urgent", "Urgent", ["Urgent: Mine, urgent", "Urgent: Duty copy, urgent"]),
    ("?show=nonsense", "All", ["Urgent: Mine, urgent", "Urgent: Duty copy, urgent",
                               "No access", "Mine, closed"]),
])
def test_inbox_filters_are_links_with_the_current_one_marked(signed_in, mixed_inbox, query,
                                                              current, titles):
    html = signed_in("officer").get(f"/inbox{query}").get_data(as_text=True)
    check_page(html)
    assert inbox_titles(html) == titles
    assert filter_links(html) == {label: label == current for label in ("Mine", "Urgent", "All")}
    assert 'href="/inbox?show=mine"' in html and 'href="/inbox?show=urgent"' in html


def test_inbox_shows_the_visits_date_beside_the_alerts(signed_in, world, db):
    db.execute("UPDATE visits SET starts_at = '2026-03-02T10:00:00+00:00',"
               " ends_at = '2026-03-02T12:00:00+00:00' WHERE id = ?", (world.visits["today"],))
    db.execute("UPDATE alerts SET created_at = '2026-03-03T09:15:00+00:00' WHERE id = ?",
               (world.others["alert"],))
    html = signed_in("officer").get("/inbox").get_data(as_text=True)
    record = html.split("No access</a>")[1].split("</li>")[0]
    visit_day = date_words("2026-03-02T10:00:00+00:00")
    alert_day = date_words("2026-03-03T09:15:00+00:00")
    assert f"Visit {visit_day} · alert {alert_day} 09:15" in record
