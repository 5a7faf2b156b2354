"""Closing an alert raised by the resident's feedback: the officer says whether anything
changed. Only a change is sent to the resident ("you said, we did") and counted in the
measures' table; "no change was needed" sends nothing and is counted apart."""

import re
from datetime import datetime, timedelta

import pytest

from fieldapp.alerts import escalation, queries
from fieldapp.core import jobs, migrations
from fieldapp.core.clock import LOCAL_ZONE, today_local
from fieldapp.core.db import connect, transaction
from fieldapp.measures.queries import Period, figures, recount
from fieldapp.messages import words
from fieldapp.messages.outbox import tell_what_changed
from fieldapp.voice import tokens

from factories import add_resident, add_visit
from support import csrf_token_from

SAID = "Operatives now show their ID card before they knock."


def send(client, url: str, data: dict, page_url: str | None = None):
    token = csrf_token_from(client.get(page_url or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def close(client, alert_id: int, data: dict):
    return send(client, f"/alerts/{alert_id}/close", data, page_url=f"/alerts/{alert_id}")


def jobs_told(db) -> int:
    return db.execute("SELECT count(*) FROM jobs WHERE kind = 'tell_what_changed'").fetchone()[0]


@pytest.fixture
def resident(db, world):
    return add_resident(db, world.orgs["riverside"], world.users["officer"], name="Nora Quiet",
                        preferred_contact="email", email="nora@example.test")


@pytest.fixture
def raise_feedback_alert(app, db, world, resident):
    """The resident says they did not feel safe at a visit: an alert for their officer."""
    def raise_one(trade: str = "Roofing"):
        now = datetime.now(LOCAL_ZONE)
        visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                          now - timedelta(minutes=30), now + timedelta(minutes=30), trade=trade)
        with app.test_request_context():
            url = "/f/" + tokens.make(tokens.FEEDBACK_SALT, visit)
        send(app.test_client(), url, {"felt_safe": "no"})
        return visit, db.execute("SELECT * FROM alerts WHERE visit_id = ?"
                                 " AND escalated_from IS NULL", (visit,)).fetchone()
    return raise_one


def test_no_change_needed_sends_nothing_and_needs_no_what_changed(db, signed_in,
                                                                   raise_feedback_alert):
    visit, alert = raise_feedback_alert()
    officer = signed_in("officer")
    response = close(officer, alert["id"], {
        "action_taken": "Called Nora: the operative had shown his card",
        "change_made": "no", "outcome_note": "Nora was glad we checked."})
    assert response.status_code == 303
    assert jobs_told(db) == 0
    row = db.execute("SELECT * FROM alerts WHERE id = ?", (alert["id"],)).fetchone()
    assert (row["status"], row["feedback_outcome"], row["what_changed"],
            row["outcome_note"]) == ("closed", "no_change", "", "Nora was glad we checked.")
    assert db.execute("SELECT count(*) FROM messages WHERE visit_id = ? AND"
                      " event = 'you_said_we_did'", (visit,)).fetchone()[0] == 0
    assert db.execute("SELECT 1 FROM audit_log WHERE action = 'alert_closed' AND"
                      " record_id = ?", (str(alert["id"]),)).fetchone()
    inbox = officer.get("/inbox").get_data(as_text=True)
    assert "The alert is closed. Nothing is sent to the resident." in inbox
    page = officer.get(f"/alerts/{alert['id']}").get_data(as_text=True)
    assert "No change was needed: nothing was sent to the resident." in page
    assert "Nora was glad we checked." in page


def test_a_change_still_needs_what_changed_and_sends_nothing_until_written(
        db, signed_in, raise_feedback_alert):
    _visit, alert = raise_feedback_alert()
    response = close(signed_in("officer"), alert["id"],
                     {"action_taken": "Spoke to the firm", "change_made": "yes"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter what changed, in words the resident will read" in html
    assert 'href="#what_changed"' in html
    assert jobs_told(db) == 0
    assert db.execute("SELECT status FROM alerts WHERE id = ?",
                      (alert["id"],)).fetchone()[0] != "closed"


def test_a_change_is_sent_to_the_resident_once(app, db, signed_in, raise_feedback_alert):
    visit, alert = raise_feedback_alert()
    officer = signed_in("officer")
    response = close(officer, alert["id"], {"action_taken": "Spoke to the firm",
                                            "change_made": "yes", "what_changed": SAID})
    assert response.status_code == 303
    assert jobs_told(db) == 1
    assert db.execute("SELECT feedback_outcome FROM alerts WHERE id = ?",
                      (alert["id"],)).fetchone()[0] == "changed"
    with app.app_context():
        tell_what_changed(db, {"alert_id": alert["id"]}, datetime.now(LOCAL_ZONE))
        tell_what_changed(db, {"alert_id": alert["id"]}, datetime.now(LOCAL_ZONE))
    assert db.execute("SELECT count(*) FROM messages WHERE visit_id = ? AND"
                      " event = 'you_said_we_did'", (visit,)).fetchone()[0] == 1
    inbox = officer.get("/inbox").get_data(as_text=True)
    assert "The alert is closed. The resident will be told what changed." in inbox


def test_the_form_asks_whether_anything_changed_and_keeps_the_answers(
        db, signed_in, raise_feedback_alert):
    _visit, alert = raise_feedback_alert()
    officer = signed_in("officer")
    page = officer.get(f"/alerts/{alert['id']}").get_data(as_text=True)
    assert "Did anything change because of what the resident said?" in page
    assert "Yes: write what changed" in page and "No change was needed" in page
    response = close(officer, alert["id"], {"action_taken": "Called them back"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<title>Error: " in html and "There is a problem" in html
    message = "Select whether anything changed because of what the resident said"
    assert f'href="#change_made-0">{message}</a>' in html
    assert html.count(message) == 2  # in the summary and beside the radios
    assert "Called them back" in html
    assert jobs_told(db) == 0


def test_no_change_with_what_changed_written_says_so_rather_than_drop_it(
        db, signed_in, raise_feedback_alert):
    """Nothing typed is silently lost: words for the resident with "no change" is a question."""
    _visit, alert = raise_feedback_alert()
    response = close(signed_in("officer"), alert["id"], {
        "action_taken": "Called them back", "change_made": "no", "what_changed": SAID})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Select Yes to send what changed to the resident, or clear what changed" in html
    assert SAID in html
    assert re.search(r'<input checked[^>]*id="change_made-1"', html)
    assert jobs_told(db) == 0


def test_measures_count_changes_in_the_table_and_no_change_apart(app, db, world, signed_in,
                                                                 raise_feedback_alert):
    officer = signed_in("officer")
    _v1, changed = raise_feedback_alert("Roofing")
    _v2, unchanged = raise_feedback_alert("Glazing")
    close(officer, changed["id"], {"action_taken": "Spoke to the firm", "change_made": "yes",
                                   "what_changed": SAID})
    close(officer, unchanged["id"], {"action_taken": "Called them", "change_made": "no",
                                     "outcome_note": "A private word for the record"})
    period = Period(today_local(), today_local(), "today")
    landlord = world.orgs["riverside"]
    counted = figures(db, landlord, period)
    assert [row["what_changed"] for row in counted.said_did] == [SAID]
    assert counted.said_no_change == 1
    again = recount(db, landlord, period)
    assert (len(again.said_did), again.said_no_change) == (1, 1)
    page = officer.get("/measures").get_data(as_text=True)
    assert SAID in page and "A private word" not in page
    assert "closed with no change needed" in page
    csv = officer.get("/measures/export.csv?what=said_did").get_data(as_text=True)
    assert csv.count("Feeling safe") == 1 and SAID in csv
    figures_csv = officer.get("/measures/export.csv?what=figures").get_data(as_text=True)
    assert "feedback alerts closed with a change (resident told),1" in figures_csv
    assert "feedback alerts closed with no change needed (nothing sent),1" in figures_csv
    assert "A private word" not in csv + figures_csv


def tell_every_queued_change(app, db) -> None:
    """What the worker does with each "tell what changed" job queued, each run twice."""
    rows = db.execute("SELECT payload FROM jobs WHERE kind = 'tell_what_changed'").fetchall()
    with app.app_context():
        for row in rows * 2:
            tell_what_changed(db, jobs.json.loads(row["payload"]), datetime.now(LOCAL_ZONE))


@pytest.mark.parametrize("how", ["escalated", "no officer"])
def test_a_change_closed_on_a_duty_copy_is_told_once_in_the_copys_words(
        app, db, world, signed_in, resident, raise_feedback_alert, how):
    """A duty copy of a feedback alert, closed with a change: the resident hears that change,
    once; the original (the record the measures count) and every other copy close with it."""
    db.execute("UPDATE users SET on_duty = 1 WHERE id = ?", (world.users["admin"],))
    if how == "no officer":  # nobody's inbox: the duty rota gets copies at once
        db.execute("UPDATE residents SET officer_id = NULL WHERE id = ?", (resident,))
    visit, alert = raise_feedback_alert()
    if how == "escalated":
        with transaction(db):
            escalation.send_to_duty(db, queries.alert_with_landlord(db, alert["id"]),
                                    "Escalated, not yet acknowledged: ")
    copy = db.execute("SELECT * FROM alerts WHERE escalated_from = ? AND officer_id = ?",
                      (alert["id"], world.users["admin"])).fetchone()
    assert copy["feedback_theme"] == "Feeling safe"
    response = close(signed_in("admin"), copy["id"], {
        "action_taken": "Called Nora", "change_made": "yes", "what_changed": SAID})
    assert response.status_code == 303
    if how == "escalated":  # the resident's officer, later, has nothing left to close
        response = close(signed_in("officer"), alert["id"], {
            "action_taken": "Spoke to the firm", "change_made": "yes",
            "what_changed": "Something else entirely."})
        assert response.status_code == 422
        assert "This alert is already closed" in response.get_data(as_text=True)
    tell_every_queued_change(app, db)
    assert db.execute("SELECT count(*) FROM messages WHERE visit_id = ? AND"
                      " event = 'you_said_we_did'", (visit,)).fetchone()[0] == 1
    with app.test_request_context():
        assert SAID in words.compose(db, visit, "you_said_we_did").body
    original = db.execute("SELECT * FROM alerts WHERE id = ?", (alert["id"],)).fetchone()
    assert (original["status"], original["feedback_outcome"], original["what_changed"]) == (
        "closed", "changed", SAID)
    assert db.execute("SELECT count(*) FROM alerts WHERE (id = ? OR escalated_from = ?) AND"
                      " status != 'closed'", (alert["id"], alert["id"])).fetchone()[0] == 0
    counted = figures(db, world.orgs["riverside"], Period(today_local(), today_local(), "today"))
    assert [row["what_changed"] for row in counted.said_did] == [SAID]


def test_a_copy_left_open_after_its_original_closed_still_tells_its_change(
        app, db, world, signed_in, resident, raise_feedback_alert):
    """Closed apart before copies closed together: the copy's change is still told, once."""
    db.execute("UPDATE users SET on_duty = 1 WHERE id = ?", (world.users["admin"],))
    db.execute("UPDATE residents SET officer_id = NULL WHERE id = ?", (resident,))
    visit, alert = raise_feedback_alert()
    db.execute("UPDATE alerts SET status = 'closed', closed_at = '2026-01-01T00:00:00+00:00',"
               " feedback_outcome = 'no_change' WHERE id = ?", (alert["id"],))
    copy = db.execute("SELECT id FROM alerts WHERE escalated_from = ?",
                      (alert["id"],)).fetchone()["id"]
    assert close(signed_in("admin"), copy, {"action_taken": "Called Nora", "change_made": "yes",
                                            "what_changed": SAID}).status_code == 303
    tell_every_queued_change(app, db)
    assert db.execute("SELECT count(*) FROM messages WHERE visit_id = ? AND"
                      " event = 'you_said_we_did'", (visit,)).fetchone()[0] == 1
    with app.test_request_context():
        assert SAID in words.compose(db, visit, "you_said_we_did").body


def test_migration_marks_earlier_closes_with_what_changed_as_changed(tmp_path):
    db = connect(str(tmp_path / "old.db"))
    name = next(m.name for m in migrations.migrations.pending(db)
                if m.name.endswith("_feedback_outcome"))
    migrations.migrations.apply(db, stop_before=name)
    db.execute("INSERT INTO organisations (name, kind, created_at, updated_at)"
               " VALUES ('A', 'landlord', 'n', 'n')")
    resident = add_resident(db, 1)
    for status, theme, said in (("closed", "Feeling safe", SAID), ("closed", "", ""),
                                ("new", "Feeling safe", "")):
        db.execute("INSERT INTO alerts (resident_id, severity, reasons, status, created_at,"
                   " feedback_theme, what_changed) VALUES (?, 'reach_out', 'r', ?, 'n', ?, ?)",
                   (resident, status, theme, said))
    migrations.apply(db)
    assert [r[0] for r in db.execute("SELECT feedback_outcome FROM alerts ORDER BY id")] == [
        "changed", "", ""]
    db.close()
