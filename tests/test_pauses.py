"""A pause, not a penalty: a resident away in hospital, in crisis or staying elsewhere. Recorded
with consent, the reason kept on the officer's side; visits in it rearranged; no reminders, no
no-access counted; a welcome-home alert on return; partners tell us on a signed link, and
nothing changes until the officer confirms."""

import json
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest

from fieldapp.core import jobs
from fieldapp.core.clock import local_to_utc_iso, today_local
from fieldapp.messages import outbox
from fieldapp.pauses import returns
from fieldapp.pauses.private import create_pause

from factories import add_visit
from pages import assert_field_error, check_page
from support import assert_nothing_kept_when_audit_refused, csrf_token_from, post_form

TODAY = today_local()
# Words that would say why a resident is away: none may reach an operative or a push.
REASON_WORDS = ("hospital", "crisis", "staying somewhere else", "In hospital")


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


def pause_form(**changes) -> dict:
    return {"reason": "hospital", "starts_on": day(-1), "ends_on": day(10),
            "told_by": "advocate", "consent_given_by": "resident", "consent_how": "phone",
            "consent_on": day(0), **changes}


def add_pause(db, world, resident: int | None = None, starts: int = -1, ends: int | None = 10,
              reason: str = "hospital") -> int:
    """A pause straight into the database, as the form stores it."""
    resident = resident or world.residents["riverside"]
    starts_on = TODAY + timedelta(days=starts)
    ends_on = TODAY + timedelta(days=ends) if ends is not None else None
    with db.conn:
        pause_id = create_pause(db, resident, world.users["officer"], {
            "reason": reason, "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else None,
            "starts_at": returns.day_start(starts_on),
            "ends_at": returns.day_start(ends_on) if ends_on else None,
            "told_by": "resident", "consent_given_by": "resident", "consent_how": "phone",
            "consent_on": day(-1)})
    return pause_id


def alerts_saying(db, words: str) -> list:
    return db.execute("SELECT * FROM alerts WHERE reasons = ?", (words,)).fetchall()


def run_due_jobs(app, db, now: datetime) -> None:
    with app.app_context():
        while jobs.run_one(db, now=now):
            pass


# Recording a pause

def test_officer_records_a_pause_with_consent_audited_with_it(signed_in, world, db):
    officer = signed_in("officer")
    resident = world.residents["riverside"]
    page = officer.get(f"/residents/{resident}/pause/new").get_data(as_text=True)
    check_page(page)
    response = post_form(officer, f"/residents/{resident}/pause/new", pause_form())
    assert response.status_code == 303
    pause = db.execute("SELECT * FROM resident_pauses").fetchone()
    assert (pause["reason"], pause["starts_on"], pause["ends_on"], pause["told_by"],
            pause["consent_given_by"]) == ("hospital", day(-1), day(10), "advocate", "resident")
    audit = db.execute("SELECT * FROM audit_log WHERE action = 'pause_recorded'").fetchone()
    assert audit["record_id"] == str(pause["id"])
    job = db.execute("SELECT * FROM jobs WHERE kind = 'pause_return'").fetchone()
    assert json.loads(job["payload"])["ends_at"] == returns.day_start(TODAY + timedelta(10))
    shown = officer.get(response.headers["Location"]).get_data(as_text=True)
    check_page(shown)
    assert "In hospital" in shown and "Told by" in shown
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'pause_viewed'"
                      ).fetchone()[0] == 1
    resident_page = officer.get(f"/residents/{resident}").get_data(as_text=True)
    assert "Visits are paused until" in resident_page and "In hospital" not in resident_page


def test_a_pause_with_no_end_date_is_reviewed_every_28_days(signed_in, world, db):
    officer = signed_in("officer")
    resident = world.residents["riverside"]
    assert post_form(officer, f"/residents/{resident}/pause/new",
                     pause_form(ends_on="", reason="other")).status_code == 303
    job = db.execute("SELECT * FROM jobs WHERE kind = 'pause_review'").fetchone()
    due = datetime.fromisoformat(json.loads(job["payload"])["due"])
    assert due == datetime.fromisoformat(returns.day_start(TODAY - timedelta(1))) + \
        timedelta(days=28)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"reason": ""}, "reason", "Select why the resident is away"),
    ({"reason": "diagnosis"}, "reason", "Select why the resident is away"),
    ({"starts_on": ""}, "starts_on", "Enter the date they are away from, like 2026-11-23"),
    ({"starts_on": "2026-02-30"}, "starts_on", "Away from must be a real date, like 2026-11-23"),
    ({"ends_on": day(-1)}, "ends_on",
     "The date they are back must be after the date they are away from"),
    ({"starts_on": day(-5), "ends_on": day(-2)}, "ends_on",
     "The date they are back must be today or in the future"),
    ({"told_by": ""}, "told_by", "Select who told us"),
    ({"consent_given_by": ""}, "consent_given_by", "Select who gave consent"),
    ({"consent_how": ""}, "consent_how", "Select how consent was given"),
    ({"consent_on": ""}, "consent_on", "Enter the date consent was given, like 2026-11-23"),
    ({"consent_on": day(1)}, "consent_on",
     "The date consent was given must be today or in the past"),
])
def test_a_pause_with_a_problem_is_refused_with_answers_kept(signed_in, world, db, changes,
                                                             field, message):
    officer = signed_in("officer")
    url = f"/residents/{world.residents['riverside']}/pause/new"
    response = post_form(officer, url, pause_form(**changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert_field_error(html, field, message)
    check_page(html)
    assert db.execute("SELECT count(*) FROM resident_pauses").fetchone()[0] == 0


def test_a_pause_overlapping_another_is_refused(signed_in, world, db):
    add_pause(db, world, starts=-3, ends=None)
    response = post_form(signed_in("officer"),
                         f"/residents/{world.residents['riverside']}/pause/new", pause_form())
    assert response.status_code == 422
    assert "These dates overlap a pause already recorded" in response.get_data(as_text=True)


def test_a_pause_is_not_kept_when_its_audit_row_cannot_be_written(signed_in, world, db):
    officer = signed_in("officer")
    url = f"/residents/{world.residents['riverside']}/pause/new"
    token = csrf_token_from(officer.get(url).get_data(as_text=True))
    assert_nothing_kept_when_audit_refused(db, ("resident_pauses", "jobs"), lambda: officer.post(
        url, data={"csrf_token": token, **pause_form()}))


@pytest.mark.parametrize("action", ["end", "keep", "cancel", "partner"])
def test_a_pause_change_whose_audit_cannot_be_written_is_not_kept(app, signed_in, world, db,
                                                                  action):
    pause = add_pause(db, world, starts=0, ends=5)
    officer = signed_in("officer")
    if action == "partner":
        link = make_partner_link(officer)
        client = partner_client(app)
        url, data, tables = link, {
            "event": "admission", "event_on": day(0), "resident_name": "Rita Resident",
            "postcode": "RS1 1AA", "contact_name": "Sam", "contact_phone": "020 7946 0123"}, (
            "partner_reports", "alerts")
    else:
        client = officer
        url = {"end": f"/pauses/{pause}/end",
               "keep": f"/pauses/{pause}/visits/{world.visits['tomorrow']}/keep",
               "cancel": f"/pauses/{pause}/visits/{world.visits['tomorrow']}/cancel"}[action]
        data = {"agreed": "y"} if action == "cancel" else {}
        tables = ("resident_pauses", "pause_visit_actions", "visits", "alerts", "messages")
        link = f"/pauses/{pause}"
    token = csrf_token_from(client.get(link).get_data(as_text=True))
    assert_nothing_kept_when_audit_refused(db, tables, lambda: client.post(
        url, data={"csrf_token": token, **data}))


def test_another_landlords_officer_cannot_open_or_end_a_pause(signed_in, world, db):
    pause = add_pause(db, world)
    stranger = signed_in("other_landlord_officer")
    assert stranger.get(f"/pauses/{pause}").status_code == 404
    token = csrf_token_from(stranger.get("/partners").get_data(as_text=True))
    assert stranger.post(f"/pauses/{pause}/end", data={"csrf_token": token}).status_code == 404
    assert signed_in("operative").get(f"/pauses/{pause}").status_code == 403


# While paused

def test_no_access_in_a_pause_does_not_raise_repeated_no_access(signed_in, world, db):
    """The world has a no-access log today; a second one tomorrow would raise "check in"."""
    add_pause(db, world, starts=0, ends=5)
    operative = signed_in("operative")
    operative.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token_from(
        operative.get("/today").get_data(as_text=True))
    response = operative.post("/api/logs", json={
        "client_id": str(uuid.uuid4()), "visit_id": world.visits["tomorrow"],
        "outcome": "no_access", "no_access_reason": "no_answer", "distress": "none",
        "concerns": [], "note": "", "follow_up": ""})
    assert response.status_code == 201
    assert alerts_saying(db, "Check in with the resident: something may be getting in the "
                             "way") == []


def test_booking_in_a_pause_warns_and_needs_a_reason(signed_in, world, db):
    add_pause(db, world, starts=0, ends=10)
    officer = signed_in("officer")
    url = f"/schedule/new?resident={world.residents['riverside']}"
    visit = {"visit_date": day(3), "starts": "10:00", "ends": "12:00", "job_ref": "JOB-P1",
             "trade": "Heating", "firm_id": world.orgs["acme"]}
    first = post_form(officer, url, visit)
    assert first.status_code == 409
    html = first.get_data(as_text=True)
    assert "Visits for this resident are paused from" in html
    confirmed = html.split('name="confirmed" type="hidden" value="')[1].split('"')[0]
    token = csrf_token_from(html)
    without_reason = officer.post(url, data={**visit, "csrf_token": token, "book_anyway": "y",
                                             "confirmed": confirmed})
    assert without_reason.status_code == 422
    assert_field_error(without_reason.get_data(as_text=True), "paused_reason",
                       "Enter why this visit cannot wait until the pause ends, like "
                       "emergency work for no heating")
    assert db.execute("SELECT count(*) FROM visits WHERE job_ref = 'JOB-P1'").fetchone()[0] == 0
    booked = officer.post(url, data={**visit, "csrf_token": token, "book_anyway": "y",
                                     "confirmed": confirmed,
                                     "paused_reason": "Emergency: no heating"})
    assert booked.status_code == 303
    row = db.execute("SELECT * FROM visits WHERE job_ref = 'JOB-P1'").fetchone()
    assert row["paused_booking_reason"] == "Emergency: no heating"


def test_visits_in_a_pause_are_listed_for_one_action_each(signed_in, world, db):
    pause = add_pause(db, world, starts=0, ends=3)
    resident = world.residents["riverside"]
    later = datetime.combine(TODAY + timedelta(days=2), time(9), UTC)
    extra = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], later,
                      later + timedelta(hours=1), job_ref="JOB-LATER")
    officer = signed_in("officer")
    page_url = f"/pauses/{pause}"
    html = officer.get(page_url).get_data(as_text=True)
    check_page(html)
    assert "JOB-2" in html and "JOB-LATER" in html
    # Keep: recorded once.
    tomorrow = world.visits["tomorrow"]
    assert post_form(officer, f"/pauses/{pause}/visits/{tomorrow}/keep",
                     {"note": "Urgent leak"}, page_url=page_url).status_code == 303
    assert post_form(officer, f"/pauses/{pause}/visits/{tomorrow}/keep", {},
                     page_url=page_url).status_code == 404
    # Cancel: only with the resident's agreement.
    refused = post_form(officer, f"/pauses/{pause}/visits/{extra}/cancel", {},
                        page_url=page_url)
    assert refused.status_code == 422
    assert "Confirm the resident agreed to cancel" in refused.get_data(as_text=True)
    assert post_form(officer, f"/pauses/{pause}/visits/{extra}/cancel", {"agreed": "y"},
                     page_url=page_url).status_code == 303
    visit = db.execute("SELECT status, cancel_reason FROM visits WHERE id = ?",
                       (extra,)).fetchone()
    assert tuple(visit) == ("cancelled", "resident_asked")
    actions = db.execute("SELECT visit_id, action, note FROM pause_visit_actions ORDER BY id"
                         ).fetchall()
    assert [tuple(a) for a in actions] == [(tomorrow, "kept", "Urgent leak"),
                                           (extra, "cancelled", "")]
    assert db.execute("SELECT count(*) FROM audit_log WHERE action IN ('pause_visit_kept',"
                      " 'visit_cancelled')").fetchone()[0] == 2


def audit_rows(db, action: str) -> list[tuple]:
    return [tuple(row) for row in db.execute(
        "SELECT user_id, record_type, record_id FROM audit_log WHERE action = ?", (action,))]


@pytest.mark.parametrize(("change", "data"), [
    ("keep", {"note": "x" * 301}),
    ("keep", {"note": "Goes ahead: her dementia is worse"}),
    ("cancel", {}),
])
def test_the_reason_shown_again_after_a_refused_change_is_audited(signed_in, world, db, change,
                                                                   data):
    pause = add_pause(db, world, starts=0, ends=3)
    officer = signed_in("officer")
    response = post_form(officer, f"/pauses/{pause}/visits/{world.visits['tomorrow']}/{change}",
                         data, page_url="/partners")  # the form's token, without the page
    assert response.status_code == 422
    assert "In hospital" in response.get_data(as_text=True)
    assert audit_rows(db, "pause_viewed") == [(world.users["officer"], "pause", str(pause))]


def test_a_visit_in_a_pause_moves_only_to_after_the_return(signed_in, world, db):
    pause = add_pause(db, world, starts=0, ends=3)
    officer = signed_in("officer")
    url = f"/pauses/{pause}/visits/{world.visits['tomorrow']}/move"
    check_page(officer.get(url).get_data(as_text=True))
    early = post_form(officer, url, {"visit_date": day(2), "starts": "09:00", "ends": "11:00"})
    assert early.status_code == 422
    assert "The new date must be on or after the day the resident is back" in \
        early.get_data(as_text=True)
    moved = post_form(officer, url, {"visit_date": day(4), "starts": "09:00", "ends": "11:00"})
    assert moved.status_code == 303
    row = db.execute("SELECT starts_at FROM visits WHERE id = ?",
                     (world.visits["tomorrow"],)).fetchone()
    assert row["starts_at"] == local_to_utc_iso(TODAY + timedelta(days=4), time(9))
    assert db.execute("SELECT action FROM pause_visit_actions").fetchone()[0] == "moved"
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'visit_updated'"
                      ).fetchone()[0] == 1


def test_reminders_stop_while_visits_are_paused(app, world, db):
    add_pause(db, world, starts=0, ends=5)
    visit = db.execute("SELECT * FROM visits WHERE id = ?", (world.visits["tomorrow"],)
                       ).fetchone()
    with app.app_context():
        outbox.remind(db, {"visit_id": visit["id"], "starts_at": visit["starts_at"]},
                      datetime.now(UTC))
    assert db.execute("SELECT count(*) FROM messages WHERE event = 'reminder'").fetchone()[0] == 0


@pytest.mark.parametrize("paused", [True, False])
def test_a_message_about_a_visit_in_a_pause_asks_nothing_of_the_resident(app, world, db, paused):
    """No "can't make this time?" link while they are away; the control keeps it."""
    if paused:
        add_pause(db, world, starts=0, ends=5)
    with db.conn:
        outbox.queue_for_visit(db, world.visits["tomorrow"], "booked",
                               now=datetime.now(UTC) - timedelta(hours=1))
    run_due_jobs(app, db, datetime.now(UTC) + timedelta(hours=1))
    [body] = [row["body"] for row in db.execute(
        "SELECT body FROM messages WHERE visit_id = ? AND event = 'booked'",
        (world.visits["tomorrow"],))]
    assert body and ("/r/" in body) is not paused


# The return

def test_a_pause_ending_raises_one_alert_once_even_if_the_worker_runs_twice(app, world, db):
    pause = add_pause(db, world, starts=-3, ends=2)
    with db.conn:
        returns.schedule(db, pause)
    after_end = datetime.now(UTC) + timedelta(days=3)
    run_due_jobs(app, db, after_end)
    with app.app_context():  # the same job again (delivery is at least once)
        returns.pause_return(db, {"pause_id": pause, "ends_at": returns.day_start(
            TODAY + timedelta(days=2))}, after_end)
    [alert] = alerts_saying(db, returns.WELCOME_HOME)
    assert (alert["severity"], alert["officer_id"]) == ("reach_out", world.users["officer"])


def test_the_officer_ending_a_pause_raises_the_welcome_home_alert_once(app, signed_in, world,
                                                                       db):
    pause = add_pause(db, world, starts=-3, ends=None)
    officer = signed_in("officer")
    assert post_form(officer, f"/pauses/{pause}/end", {},
                     page_url=f"/pauses/{pause}").status_code == 303
    row = db.execute("SELECT * FROM resident_pauses WHERE id = ?", (pause,)).fetchone()
    assert row["ends_on"] == day(0) and row["ended_by"] == world.users["officer"]
    run_due_jobs(app, db, datetime.now(UTC) + timedelta(days=60))  # the old review job
    [alert] = alerts_saying(db, returns.WELCOME_HOME)
    assert alerts_saying(db, returns.REVIEW) == []
    page = officer.get(f"/alerts/{alert['id']}").get_data(as_text=True)
    check_page(page)
    assert "Welcome home: check in with the resident" in page


def test_an_open_ended_pause_raises_one_review_per_28_days(app, world, db):
    pause = add_pause(db, world, starts=-1, ends=None)
    with db.conn:
        returns.schedule(db, pause)
    first_due = datetime.now(UTC) + timedelta(days=28)
    run_due_jobs(app, db, first_due)
    payload = {"pause_id": pause, "due": (datetime.fromisoformat(
        returns.day_start(TODAY - timedelta(days=1))) + timedelta(days=28)).isoformat()}
    with app.app_context():
        returns.pause_review(db, payload, first_due)  # run twice: still one
    assert len(alerts_saying(db, returns.REVIEW)) == 1
    run_due_jobs(app, db, first_due + timedelta(days=28))
    assert len(alerts_saying(db, returns.REVIEW)) == 2


# Partners

def make_partner_link(officer, name: str = "Riverside Hospital discharge team") -> str:
    response = post_form(officer, "/partners", {"partner_name": name})
    assert response.status_code == 303
    html = officer.get("/partners").get_data(as_text=True)
    check_page(html)
    return "/p/" + html.split("/p/")[1].split('"')[0]


def partner_client(app):
    """A partner's browser at an address of its own: the page's rate limit counts per address,
    in memory for the whole test process."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"198.51.100.{next(ADDRESSES)}"
    return client


ADDRESSES = iter(range(1, 255))


def partner_report(client, link: str, **changes):
    return post_form(client, link, {
        "event": "admission", "event_on": day(0), "resident_name": "Rita Resident",
        "postcode": "rs1 1aa", "contact_name": "Sam Nurse", "contact_phone": "020 7946 0123",
        **changes})


def test_a_partner_link_starts_a_pause_only_after_the_officer_confirms(app, signed_in, world,
                                                                       db):
    officer = signed_in("officer")
    link = make_partner_link(officer)
    partner = partner_client(app)
    page = partner.get(link).get_data(as_text=True)
    check_page(page)
    assert "Riverside Hospital discharge team" in page and "What happens next" in page
    response = partner_report(partner, link)
    assert response.status_code == 200
    assert "Nothing changes for the resident until the officer has checked" in \
        response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM resident_pauses").fetchone()[0] == 0
    [alert] = db.execute("SELECT reasons FROM alerts WHERE reasons LIKE '%partner%'").fetchall()
    assert "admi" not in alert["reasons"] and "hospital" not in alert["reasons"].lower()
    news = officer.get("/partners/news").get_data(as_text=True)
    check_page(news)
    assert "Sam Nurse" in news and "That matches" in news
    report = db.execute("SELECT id FROM partner_reports").fetchone()["id"]
    form_url = f"/residents/{world.residents['riverside']}/pause/new?report={report}"
    form = officer.get(form_url).get_data(as_text=True)
    assert "Nothing changes until you save this form" in form
    assert db.execute("SELECT count(*) FROM resident_pauses").fetchone()[0] == 0
    assert post_form(officer, form_url, pause_form(
        told_by="health_partner", starts_on=day(0), report=str(report))).status_code == 303
    pause = db.execute("SELECT id FROM resident_pauses").fetchone()["id"]
    row = db.execute("SELECT status, pause_id FROM partner_reports").fetchone()
    assert tuple(row) == ("confirmed", pause)


def test_the_partners_news_shown_on_the_pause_form_is_audited(app, signed_in, world, db):
    officer = signed_in("officer")
    partner_report(partner_client(app), make_partner_link(officer))
    report = db.execute("SELECT id FROM partner_reports").fetchone()["id"]
    form_url = f"/residents/{world.residents['riverside']}/pause/new?report={report}"
    seen = [(world.users["officer"], "partner_report", str(report))]
    assert "Nothing changes until you save this form" in officer.get(form_url).get_data(
        as_text=True)
    assert audit_rows(db, "partner_report_viewed") == seen
    refused = post_form(officer, form_url, pause_form(reason="", report=str(report)),
                        page_url="/partners")
    assert refused.status_code == 422
    assert "Nothing changes until you save this form" in refused.get_data(as_text=True)
    assert audit_rows(db, "partner_report_viewed") == seen * 2
    assert "Nothing changes" not in officer.get(form_url.split("?")[0]).get_data(as_text=True)
    assert audit_rows(db, "partner_report_viewed") == seen * 2


def test_the_partner_page_reveals_nothing_back(app, signed_in, db):
    link = make_partner_link(signed_in("officer"))
    found = partner_report(partner_client(app), link).get_data(as_text=True)
    not_found = partner_report(partner_client(app), link, resident_name="Nobody Known"
                               ).get_data(as_text=True)
    assert found == not_found
    assert "Rita" not in found and "1 Test Street" not in found


def test_a_partner_discharge_ends_the_pause_when_the_officer_confirms(app, signed_in, world,
                                                                      db):
    pause = add_pause(db, world, starts=-5, ends=None)
    officer = signed_in("officer")
    link = make_partner_link(officer)
    partner_report(partner_client(app), link, event="discharge")
    assert db.execute("SELECT ends_on FROM resident_pauses").fetchone()[0] is None
    report = db.execute("SELECT id FROM partner_reports").fetchone()["id"]
    response = post_form(officer, f"/partners/news/{report}/discharge", {},
                         page_url="/partners/news")
    assert response.status_code == 303
    assert db.execute("SELECT ends_on FROM resident_pauses WHERE id = ?",
                      (pause,)).fetchone()[0] == day(0)
    assert len(alerts_saying(db, returns.WELCOME_HOME)) == 1


def test_the_partner_page_slows_down_a_flood_of_sends(app, signed_in, db):
    link = make_partner_link(signed_in("officer"))
    partner = partner_client(app)
    token = csrf_token_from(partner.get(link).get_data(as_text=True))
    statuses = [partner.post(link, data={"csrf_token": token}).status_code for _ in range(11)]
    assert statuses == [422] * 10 + [429]
    assert db.execute("SELECT count(*) FROM partner_reports").fetchone()[0] == 0


def test_a_stopped_partner_link_takes_nothing(app, signed_in, db):
    officer = signed_in("officer")
    link = make_partner_link(officer)
    link_id = db.execute("SELECT id FROM partner_links").fetchone()["id"]
    assert post_form(officer, f"/partners/{link_id}/revoke", {},
                     page_url="/partners").status_code == 303
    page = app.test_client().get(link).get_data(as_text=True)
    check_page(page)
    assert "This link is not working" in page
    assert app.test_client().get("/p/not-a-token").status_code == 200


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"event": ""}, "event", "Select what has happened"),
    ({"event_on": ""}, "event_on", "Enter the date, like 2026-11-23"),
    ({"event_on": day(90)}, "event_on", "Enter a date within two months of today"),
    ({"resident_name": ""}, "resident_name", "Enter the full name of the resident"),
    ({"postcode": ""}, "postcode", "Enter their home postcode, like RS1 1AA"),
    ({"contact_phone": "call me"}, "contact_phone",
     "Enter a phone number, like 020 7946 0000 or 07700 900 000"),
])
def test_a_partner_report_with_a_problem_is_refused(app, signed_in, db, changes, field, message):
    link = make_partner_link(signed_in("officer"))
    response = partner_report(partner_client(app), link, **changes)
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), field, message)
    assert db.execute("SELECT count(*) FROM partner_reports").fetchone()[0] == 0


# What the operative sees

def test_operative_never_sees_the_pause_reason(app, signed_in, world, db):
    pause = add_pause(db, world, starts=-1, ends=5, reason="hospital")
    operative = signed_in("operative")
    today = operative.get("/today").get_data(as_text=True)
    briefing = operative.get(f"/visits/{world.visits['today']}").get_data(as_text=True)
    pack = operative.get("/api/offline-pack").get_data(as_text=True)
    assert "Visits are paused" in today and "Visits are paused" in briefing
    with db.conn:
        returns.welcome_home(db, pause)
    pushes = [row["payload"] for row in db.execute(
        "SELECT payload FROM jobs WHERE kind = 'send_push'")]
    assert pushes
    for text in (today, briefing, pack, *pushes):
        for word in REASON_WORDS:
            assert word.lower() not in text.lower()


# Measures

def test_measures_show_pauses_and_no_access_during_them_apart(signed_in, world, db):
    add_pause(db, world, starts=0, ends=3)  # the world's no-access log is today, in the pause
    html = signed_in("officer").get("/measures").get_data(as_text=True)
    check_page(html)
    assert '<span class="figure__value">1</span><span class="figure__label">no access during ' \
           'a pause' in html
    assert "pause started" in html
    assert '<span class="figure__value">No data</span><span class="figure__label">no access' \
           '</span>' in html


def test_the_measures_spreadsheet_has_the_pause_figures(signed_in, world, db):
    pause = add_pause(db, world, starts=-20, ends=None)
    with db.conn:
        returns.end_on(db, db.execute("SELECT * FROM resident_pauses WHERE id = ?",
                                      (pause,)).fetchone(), TODAY, world.users["officer"])
    csv_text = signed_in("officer").get("/measures/export.csv").get_data(as_text=True)
    assert "pauses ended,1,," in csv_text
    assert "pause length in days (median of those ended),20,," in csv_text
    # Back today: the visit today is after the pause, so it counts as usual.
    assert "no access during a pause (not in the rate),0,," in csv_text
