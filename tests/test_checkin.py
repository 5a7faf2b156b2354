"""Check in and check out (the lone-worker pattern): each message from the phone stored once,
an overrun escalated by the worker (supervisor first, then the duty contacts) with a clock the
test controls, a late "out safe" that ends it calmly, "I need help", and the supervisor's page
that shows only their own firm."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from fieldapp.checkin import lone_worker  # noqa: F401  (registers the job handlers)
from fieldapp.core import jobs
from fieldapp.push import keys as push_keys
from fieldapp.push import queries as push_queries

from support import csrf_token_from, post_form


def later(minutes: int) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@pytest.fixture
def phone(signed_in, world):
    """The Acme operative's phone: sends a check-in message as its outbox does."""
    client = signed_in("operative")
    token = csrf_token_from(client.get("/today").get_data(as_text=True))

    def send(kind: str, client_id: str | None = None, visit: str = "today", **fields):
        body = {"client_id": client_id or str(uuid.uuid4()), "kind": kind,
                "visit_id": world.visits[visit], **fields}
        return client.post("/api/checkins", json=body, headers={"X-CSRFToken": token})

    send.client = client
    return send


@pytest.fixture
def on_duty(db, world):
    db.execute("UPDATE users SET on_duty = 1 WHERE id = ?", (world.users["admin"],))


def steps(db, reason: str = "overrun") -> list:
    return db.execute("SELECT step, user_id, alert_id, sent_at FROM checkin_escalations"
                      " WHERE reason = ? ORDER BY id", (reason,)).fetchall()


def run_due(db, now: datetime) -> None:
    while jobs.run_one(db, now=now):
        pass


def test_checking_in_then_out_safe_stores_both_and_escalates_nothing(phone, db, world, on_duty):
    going_in = str(uuid.uuid4())
    answer = phone("in", going_in, minutes=30, at=stamp(later(-1)))
    assert answer.status_code == 201
    row = db.execute("SELECT * FROM checkins").fetchone()
    assert (row["client_id"], row["operative_id"], row["expected_minutes"]) == (
        going_in, world.users["operative"], 30)
    assert datetime.fromisoformat(row["due_at"]) - datetime.fromisoformat(
        row["started_at"]) == timedelta(minutes=30)
    watch = db.execute("SELECT run_after FROM jobs WHERE kind = 'checkin_overdue'").fetchone()
    assert datetime.fromisoformat(watch["run_after"]) == datetime.fromisoformat(
        row["due_at"]) + timedelta(minutes=15)  # the grace period

    assert phone("out", checkin=going_in).status_code == 201
    assert db.execute("SELECT out_at FROM checkins").fetchone()["out_at"]
    run_due(db, later(60))
    assert steps(db) == []
    assert db.execute("SELECT count(*) FROM audit_log WHERE action IN"
                      " ('checkin_in', 'checkin_out')").fetchone()[0] == 2


def test_a_resent_message_is_stored_once_and_answered_the_same(phone, db):
    client_id = str(uuid.uuid4())
    first = phone("in", client_id, minutes=30)
    again = phone("in", client_id, minutes=30)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert db.execute("SELECT count(*) FROM checkins").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM checkin_events").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM jobs WHERE kind = 'checkin_overdue'"
                      ).fetchone()[0] == 1
    different = phone("in", client_id, minutes=60)
    assert different.status_code == 422
    assert "already sent with this id" in different.get_json()["errors"]["client_id"]


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"minutes": None}, "minutes", "Select how long you expect to be"),
    ({"minutes": 2}, "minutes", "Select how long you expect to be"),
    ({"minutes": "soon"}, "minutes", "Select how long you expect to be"),
    ({"minutes": 30, "client_id": "not-an-id"}, "client_id",
     "This message has no valid id: reload the page and try again"),
    ({"minutes": 30, "at": "yesterday"}, "at", "Send the time as the phone recorded it"),
])
def test_a_check_in_that_is_not_valid_is_refused_with_a_message(phone, db, fields, field,
                                                                 message):
    body = {"minutes": 30, **fields}
    client_id = body.pop("client_id", None)
    answer = phone("in", client_id, **{k: v for k, v in body.items() if v is not None})
    assert answer.status_code == 400
    assert answer.get_json()["errors"][field] == message
    assert db.execute("SELECT count(*) FROM checkins").fetchone()[0] == 0


def test_an_out_safe_for_an_unknown_check_in_is_refused(phone, db):
    answer = phone("out", checkin=str(uuid.uuid4()))
    assert answer.status_code == 422
    assert db.execute("SELECT count(*) FROM checkin_events").fetchone()[0] == 0


def test_an_overrun_goes_to_the_supervisor_then_the_duty_contacts(phone, db, world, on_duty):
    phone("in", minutes=30)
    run_due(db, later(44))  # the end plus 15 minutes' grace has not passed
    assert steps(db) == []

    run_due(db, later(46))
    first = steps(db)
    assert [(s["step"], s["user_id"]) for s in first] == [
        ("supervisor", world.users["supervisor"])]
    assert db.execute("SELECT escalated_at FROM checkins").fetchone()[0]
    pushes = [row["payload"] for row in db.execute(
        "SELECT payload FROM jobs WHERE kind = 'send_push'").fetchall()]
    assert any(f'"user_id": {world.users["supervisor"]}' in p and "lone_worker" in p
               for p in pushes)

    run_due(db, later(55))  # the supervisor has 10 minutes to acknowledge
    assert len(steps(db)) == 1
    run_due(db, later(57))
    duty = steps(db)[1]
    assert (duty["step"], duty["user_id"]) == ("duty", world.users["admin"])
    alert = db.execute("SELECT * FROM alerts WHERE id = ?", (duty["alert_id"],)).fetchone()
    assert alert["officer_id"] == world.users["admin"] and alert["severity"] == "urgent"
    assert alert["visit_id"] == world.visits["today"]
    assert "has not checked out of the visit at 1 Test Street" in alert["reasons"]
    assert first[0]["sent_at"] < duty["sent_at"]  # each step with its time
    run_due(db, later(120))
    assert len(steps(db)) == 2  # told once each


def test_the_duty_contacts_are_not_told_once_the_supervisor_acknowledges(phone, signed_in, db,
                                                                          on_duty):
    phone("in", minutes=30)
    run_due(db, later(46))
    escalation = db.execute("SELECT id FROM checkin_escalations").fetchone()["id"]
    answer = post_form(signed_in("supervisor"), f"/team/escalations/{escalation}/acknowledge",
                       page_url="/team")
    assert answer.status_code == 303
    run_due(db, later(60))
    assert [s["step"] for s in steps(db)] == ["supervisor"]
    assert db.execute("SELECT acknowledged_at FROM checkin_escalations").fetchone()[0]


def test_an_extension_moves_the_end_and_nothing_escalates_before_it(phone, db, on_duty):
    going_in = str(uuid.uuid4())
    phone("in", going_in, minutes=30)
    assert phone("extend", checkin=going_in, minutes=60).status_code == 201
    run_due(db, later(80))  # the first end plus grace has passed, the new one has not
    assert steps(db) == []
    run_due(db, later(106))
    assert [s["step"] for s in steps(db)] == ["supervisor"]


def test_the_rule_counts_from_the_time_the_phone_recorded(phone, db):
    """Checked in at 1 hour ago with no signal, sent now: already overdue."""
    phone("in", minutes=30, at=stamp(later(-60)))
    run_due(db, later(0))
    assert [s["step"] for s in steps(db)] == ["supervisor"]


def test_a_late_out_safe_ends_the_escalation_with_a_calm_note(phone, signed_in, db, world,
                                                              on_duty):
    going_in = str(uuid.uuid4())
    phone("in", going_in, minutes=30, at=stamp(later(-90)))
    run_due(db, later(0))
    assert len(steps(db)) == 1
    # The operative tapped "I'm out safe" 50 minutes ago, in a basement with no signal.
    assert phone("out", checkin=going_in, at=stamp(later(-50))).status_code == 201
    row = db.execute("SELECT * FROM checkins").fetchone()
    assert row["out_at"] < row["out_received_at"]
    assert "received late" in row["note"] and "The operative is OK" in row["note"]
    run_due(db, later(30))
    assert [s["step"] for s in steps(db)] == ["supervisor"]  # the duty team is not told
    page = signed_in("supervisor").get("/team").get_data(as_text=True)
    assert "Out safe." in page and "received late" in page


def test_a_late_out_safe_after_the_duty_step_tells_the_duty_contacts_calmly(phone, db, world,
                                                                            on_duty):
    going_in = str(uuid.uuid4())
    phone("in", going_in, minutes=30, at=stamp(later(-120)))
    run_due(db, later(0))
    run_due(db, later(11))
    assert [s["step"] for s in steps(db)] == ["supervisor", "duty"]
    phone("out", checkin=going_in, at=stamp(later(-20)))
    calm = db.execute("SELECT * FROM alerts WHERE officer_id = ? AND severity = 'reach_out'"
                      " AND visit_id = ?", (world.users["admin"], world.visits["today"])
                      ).fetchone()
    assert calm is not None and "is out safe" in calm["reasons"]
    assert "received late" in calm["reasons"]


def test_i_need_help_escalates_at_once_with_the_address(signed_in, db, world, on_duty):
    client = signed_in("operative")
    before = client.get(f"/visits/{world.visits['today']}").get_data(as_text=True)
    answer = post_form(client, f"/visits/{world.visits['today']}/help",
                       {"client_id": str(uuid.uuid4())},
                       page_url=f"/visits/{world.visits['today']}")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/visits/{world.visits['today']}#help-form")
    sent = steps(db, "help")
    assert [(s["step"], s["user_id"]) for s in sent] == [
        ("supervisor", world.users["supervisor"]), ("duty", world.users["admin"])]
    alert = db.execute("SELECT reasons FROM alerts WHERE id = ?", (sent[1]["alert_id"],)
                       ).fetchone()
    assert "asked for help at 1 Test Street" in alert["reasons"]
    duty_page = signed_in("admin").get(f"/alerts/{sent[1]['alert_id']}")
    assert duty_page.status_code == 200
    assert "asked for help at 1 Test Street" in duty_page.get_data(as_text=True)
    team = signed_in("supervisor").get("/team").get_data(as_text=True)
    assert "Operative asked for help" in team and "1 Test Street" in team
    assert "1 waiting</span>" in team  # in the navigation, on every page
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'team_escalations_viewed'"
                      " AND user_id = ?", (world.users["supervisor"],)).fetchone()[0] == 1
    # Nothing on the operative's screen says it was sent: the briefing reads as before.
    after = client.get(f"/visits/{world.visits['today']}").get_data(as_text=True)
    assert _visible_words(after) == _visible_words(before)


def _visible_words(html: str) -> str:
    """The page's main content, without the ids and tokens made fresh for each answer."""
    import re

    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r'value="[^"]*"', "", main))


def test_the_supervisor_sees_only_their_firms_operatives(signed_in, db, world):
    from factories import add_visit, window_around_now

    starts, ends = window_around_now()
    brightside_visit = add_visit(db, world.residents["riverside"], world.orgs["brightside"],
                                 [world.users["other_firm_operative"]], starts, ends)
    for person, visit_id in (("operative", world.visits["today"]),
                             ("other_firm_operative", brightside_visit)):
        client = signed_in(person)
        token = csrf_token_from(client.get("/today").get_data(as_text=True))
        assert client.post("/api/checkins", headers={"X-CSRFToken": token}, json={
            "client_id": str(uuid.uuid4()), "kind": "in", "visit_id": visit_id,
            "minutes": 30}).status_code == 201
    page = signed_in("supervisor").get("/team").get_data(as_text=True)
    assert "Operative" in page
    assert "Other Firm Operative" not in page
    for secret in ("Rita Resident", "1 Test Street", "JOB-1"):
        assert secret not in page  # no escalation: nothing of the resident


def test_a_supervisor_cannot_acknowledge_a_step_sent_to_someone_else(phone, signed_in, db,
                                                                     world, on_duty):
    db.execute("UPDATE users SET role = 'supervisor' WHERE id = ?", (world.users["colleague"],))
    phone("in", minutes=30, at=stamp(later(-60)))
    run_due(db, later(0))
    theirs = db.execute("SELECT id FROM checkin_escalations WHERE user_id = ?",
                        (world.users["colleague"],)).fetchone()["id"]
    answer = post_form(signed_in("supervisor"), f"/team/escalations/{theirs}/acknowledge",
                       page_url="/team")
    assert answer.status_code == 404


def test_the_support_table_counts_hard_visits_and_call_backs_never_as_performance(
        signed_in, db, world):
    client = signed_in("operative")
    token = csrf_token_from(client.get("/today").get_data(as_text=True))
    assert client.post("/api/logs", headers={"X-CSRFToken": token}, json={
        "client_id": str(uuid.uuid4()), "visit_id": world.visits["tomorrow"],
        "outcome": "stopped_distress", "distress": "significant", "concerns": []}
    ).status_code == 201
    assert post_form(client, f"/visits/{world.visits['tomorrow']}/call-me-back",
                     page_url="/today").status_code == 303
    page = signed_in("supervisor").get("/team").get_data(as_text=True)
    assert "never a performance figure" in page
    row = page.split('<h3 class="record__title">Operative</h3>')[1].split("</li>")[0]
    assert "Hard visits this week: 1 · asked for a call back: yes" in row


def test_the_briefing_asks_for_a_check_in_on_a_visit_not_to_visit_alone(signed_in, db, world):
    db.execute("UPDATE visits SET lone_working = 1 WHERE id = ?", (world.visits["today"],))
    page = signed_in("operative").get(f"/visits/{world.visits['today']}").get_data(as_text=True)
    assert "This visit is marked “do not visit alone”." in page
    assert "I’m going in" in page and "I need help" in page
    assert '<option value="120" selected>' in page  # the booked window: no step durations


def test_the_briefing_offers_notifications_until_reminders_reach_a_locked_phone(signed_in, db,
                                                                               world):
    client = signed_in("operative")
    url = f"/visits/{world.visits['today']}"
    offer = "Turn on notifications</a> to be reminded with the screen locked"
    page = client.get(url).get_data(as_text=True)
    assert "reminds you 10 minutes before the end while fieldapp is open." in page
    assert offer not in page  # the server cannot send pushes yet
    push_keys.generate(db)
    assert offer in client.get(url).get_data(as_text=True)
    push_queries.save_subscription(db, world.users["operative"], "https://push.example/device",
                                   "key", "auth", "2026-12-07T09:00:00+00:00")
    page = client.get(url).get_data(as_text=True)
    assert offer not in page
    assert "Your phone reminds you 10 minutes before the end." in page


def test_checking_in_with_javascript_off_shows_the_open_check_in(signed_in, db, world):
    client = signed_in("operative")
    url = f"/visits/{world.visits['today']}"
    answer = post_form(client, f"{url}/check-in", {"client_id": str(uuid.uuid4()),
                                                   "minutes": "45"}, page_url=url)
    assert answer.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert 'id="checkin-open" data-checkin="' in page
    assert 'id="checkin-start"' in page and "hidden>" in page.split('id="checkin-start"')[1][:200]


def test_an_admin_adds_a_supervisor_to_a_firm_not_to_the_landlord(signed_in, db, world):
    from admin_support import new_user_answers

    added = post_form(signed_in("admin"), "/admin/users/new", new_user_answers(
        world, role="supervisor", badge_number="", email="sup2@acme.test"))
    assert added.status_code == 303
    assert db.execute("SELECT role FROM users WHERE email = 'sup2@acme.test'").fetchone()[0] == (
        "supervisor")
    refused = post_form(signed_in("admin"), "/admin/users/new", new_user_answers(
        world, role="supervisor", organisation_id=str(world.orgs["riverside"]),
        badge_number="", email="sup3@acme.test"))
    assert refused.status_code == 422
    assert "supervisors belong to a firm" in refused.get_data(as_text=True)


def test_an_officer_marks_a_visit_do_not_visit_alone(signed_in, db, world):
    url = f"/schedule/{world.visits['today']}"
    page = signed_in("officer").get(url).get_data(as_text=True)
    assert "Do not visit alone: the operative checks in and out" in page
    from datetime import time as clock_time

    from fieldapp.core.clock import to_local

    row = db.execute("SELECT * FROM visits WHERE id = ?", (world.visits["today"],)).fetchone()
    starts, ends = to_local(row["starts_at"]), to_local(row["ends_at"])
    assert starts.time() == clock_time(10)
    answer = post_form(signed_in("officer"), url, {
        "job_ref": row["job_ref"], "trade": row["trade"], "firm_id": str(row["firm_id"]),
        "visit_date": starts.date().isoformat(), "starts": "10:00", "ends": ends.strftime("%H:%M"),
        "operative_ids": str(world.users["operative"]), "lone_working": "y"})
    assert answer.status_code == 303, answer.get_data(as_text=True)[:2000]
    assert db.execute("SELECT lone_working FROM visits WHERE id = ?",
                      (world.visits["today"],)).fetchone()[0] == 1


def test_the_landlord_says_from_when_a_visit_is_late_in_the_day(signed_in, db, world):
    url = f"/admin/organisations/{world.orgs['riverside']}/edit"
    client = signed_in("admin")
    answers = {"name": "Riverside Homes", "main_phone": "020 7946 0000",
               "duty_phone": "020 7946 0999", "safeguarding_phone": "020 7946 0555",
               "web_address": "https://www.riverside.example"}
    refused = post_form(client, url, {**answers, "late_from": "5pm"})
    assert refused.status_code == 422
    assert "Enter the time as 24-hour hours and minutes, like 17:00" in refused.get_data(
        as_text=True)
    assert post_form(client, url, {**answers, "late_from": "09:30"}).status_code == 303
    assert db.execute("SELECT late_from FROM organisations WHERE id = ?",
                      (world.orgs["riverside"],)).fetchone()[0] == "09:30"
    page = signed_in("operative").get(f"/visits/{world.visits['today']}").get_data(as_text=True)
    assert "This visit is late in the day (from 09:30)." in page  # the visit starts at 10:00


def test_measures_count_check_ins_overruns_and_escalations_per_firm(phone, signed_in, db):
    on_time, late = str(uuid.uuid4()), str(uuid.uuid4())
    phone("in", on_time, minutes=30)
    phone("out", checkin=on_time)
    phone("in", late, minutes=30, at=stamp(later(-120)))
    run_due(db, later(0))
    page = signed_in("officer").get("/measures").get_data(as_text=True)
    section = page.split("<h2>Working alone</h2>")[1].split("<h2>")[0]
    acme = section.split("Acme Repairs</h3>")[1].split("</li>")[0]
    assert "2 check-ins · 1 overran · 1 escalated" in acme


def test_after_a_hard_visit_the_operative_can_ask_for_a_call_back(signed_in, db, world):
    client = signed_in("operative")
    token = csrf_token_from(client.get("/today").get_data(as_text=True))
    log = client.post("/api/logs", headers={"X-CSRFToken": token}, json={
        "client_id": str(uuid.uuid4()), "visit_id": world.visits["tomorrow"],
        "outcome": "stopped_unsafe", "distress": "some", "concerns": []}).get_json()
    page = client.get(f"/visits/{world.visits['tomorrow']}/logged?log={log['id']}")
    assert "Ask my supervisor to call me" in page.get_data(as_text=True)
    answer = post_form(client, f"/visits/{world.visits['tomorrow']}/call-me-back",
                       page_url=f"/visits/{world.visits['tomorrow']}/logged?log={log['id']}")
    assert answer.status_code == 303
    assert db.execute("SELECT count(*) FROM call_back_requests WHERE operative_id = ?",
                      (world.users["operative"],)).fetchone()[0] == 1


def test_the_worker_command_escalates_an_overdue_check_in(phone, db, db_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    phone("in", minutes=30, at=stamp(later(-60)))
    result = subprocess.run([str(Path(sys.executable).parent / "fieldapp"), "worker", "--once"],
                            capture_output=True, text=True, timeout=60, check=False,
                            env={**os.environ, "FIELDAPP_DB": str(db_path)})
    assert result.returncode == 0, result.stderr
    assert [s["step"] for s in steps(db)] == ["supervisor"]
