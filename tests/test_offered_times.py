"""The resident's own choice of time: the officer's offer and its checks, the resident's pick,
none suit, change of mind, undo "I can't do this time", what matters to them; "you said, we
did"; the measures that count them."""

import re
import threading
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
import requests

from fieldapp.choice.forms import WHEN_LIMIT, WISH_LIMIT
from fieldapp.choice.logic import NONE_SUIT_REASON, UNDO_REASON, WISH_REASON
from fieldapp.choice.queries import create_offer
from fieldapp.core import jobs
from fieldapp.core.clock import LOCAL_ZONE, to_local, today_local
from fieldapp.core.db import utc_now
from fieldapp.logs.queries import create_log
from fieldapp.messages import words
from fieldapp.messages.outbox import queue_for_visit, tell_what_changed
from fieldapp.voice import tokens

from factories import (
    add_adjustment,
    add_resident,
    add_visit,
    free_days,
    offer_times,
    window_around_now,
)
from support import csrf_token_from


@pytest.fixture
def resident(db, world):
    return add_resident(db, world.orgs["riverside"], world.users["officer"], name="Nora Quiet",
                        preferred_contact="email", email="nora@example.test")


@pytest.fixture
def days():
    """Free days after tomorrow (the world's operative is booked tomorrow morning)."""
    return free_days(4, after=today_local() + timedelta(days=1))


@pytest.fixture
def visit(db, world, resident, days):
    """Booked on the fourth free day; the first three are offered."""
    starts = datetime.combine(days[3], time(9), LOCAL_ZONE)
    return add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts,
                     starts + timedelta(hours=2), trade="Gas heating")


def link(app, visit_id: int) -> str:
    with app.test_request_context():
        return "/t/" + tokens.make(tokens.OFFER_SALT, visit_id)


def windows(db, visit_id: int) -> list:
    return db.execute("""SELECT offered_windows.* FROM offered_windows JOIN time_offers
        ON time_offers.id = offer_id WHERE visit_id = ? AND status = 'open'
        ORDER BY starts_at""", (visit_id,)).fetchall()


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def visit_row(db, visit_id: int):
    return db.execute("SELECT * FROM visits WHERE id = ?", (visit_id,)).fetchone()


def messages_of(db, visit_id: int, event: str) -> list:
    return db.execute("SELECT * FROM messages WHERE visit_id = ? AND event = ?",
                      (visit_id, event)).fetchall()


def alert_reasons(db, visit_id: int) -> list[str]:
    return [r["reasons"] for r in db.execute("SELECT reasons FROM alerts WHERE visit_id = ? AND"
                                             " escalated_from IS NULL", (visit_id,))]


def send(client, url: str, data: dict, page_url: str | None = None):
    token = csrf_token_from(client.get(page_url or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def pick(client, url: str, window_id, version: int | None = None):
    html = client.get(url).get_data(as_text=True)
    seen = re.search(r'name="version"[^>]*value="(\d+)"', html) \
        or re.search(r'value="(\d+)"[^>]*name="version"', html)
    return client.post(url, data={"csrf_token": csrf_token_from(html),
                                  "window": str(window_id),
                                  "version": str(version if version is not None
                                                      else seen.group(1))})


# The officer's offer -------------------------------------------------------------------------

def offer_form(days_and_times) -> dict:
    data = {}
    for n, (day, starts, ends) in enumerate(days_and_times, start=1):
        data.update({f"day{n}": day, f"starts{n}": starts, f"ends{n}": ends})
    return data


def test_officer_offers_times_and_the_resident_is_sent_the_link(app, db, signed_in, visit,
                                                                days):
    officer = signed_in("officer")
    url = f"/schedule/{visit}/times"
    response = send(officer, url, offer_form(
        [(days[0].isoformat(), "10:00", "12:00"), (days[1].isoformat(), "13:00", "15:00"),
         (days[2].isoformat(), "08:00", "10:00")]))
    assert response.status_code == 303, re.findall(r'field-error.*', response.get_data(
        as_text=True))
    assert [to_local(w["starts_at"]).date() for w in windows(db, visit)] == days[:3]
    [message] = messages_of(db, visit, "times_offered")
    assert message["channel"] == "email"
    with app.test_request_context():
        the_link = tokens.offer_url(visit)
        written = words.compose(db, visit, "times_offered", choice_link=the_link)
    assert the_link in written.body
    assert written.body.count("\n- ") == 3 and "You do not have to give a reason" in written.body
    page = officer.get(f"/schedule/{visit}").get_data(as_text=True)
    assert "3 times offered" in page and link(app, visit) in page
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'times_offered'"
                      ).fetchone()[0] == 1


def _day(days, n):
    return days[n].isoformat()


def _sunday():
    day = today_local() + timedelta(days=1)
    while day.weekday() != 6:
        day += timedelta(days=1)
    return day.isoformat()


OFFER_ERRORS = [
    ("one time only", lambda d: [(_day(d, 0), "10:00", "12:00")], "day1",
     "Enter at least 2 times to offer, each on a different day"),
    ("same day twice", lambda d: [(_day(d, 0), "10:00", "12:00"), (_day(d, 0), "14:00", "16:00")],
     "day2", "Time 2 is on the same day as time 1: offer each time on a different day"),
    ("in the past", lambda d: [((today_local() - timedelta(days=1)).isoformat(), "10:00",
                                "12:00"), (_day(d, 1), "10:00", "12:00")],
     "day1", "Time 1 must be in the future"),
    ("the day already booked", lambda d: [(_day(d, 3), "13:00", "15:00"),
                                          (_day(d, 1), "10:00", "12:00")],
     "day1", "Time 1 is on the day already booked: offer other days"),
    ("a Sunday", lambda d: [(_sunday(), "10:00", "12:00"), (_day(d, 1), "10:00", "12:00")],
     "day1", "Time 1 is on a Sunday: offer Monday to Saturday"),
    ("before working hours", lambda d: [(_day(d, 0), "07:00", "09:00"),
                                        (_day(d, 1), "10:00", "12:00")],
     "starts1", "Time 1 must be between 8am and 7pm, the hours we visit"),
    ("after working hours", lambda d: [(_day(d, 0), "18:00", "20:00"),
                                       (_day(d, 1), "10:00", "12:00")],
     "starts1", "Time 1 must be between 8am and 7pm, the hours we visit"),
    ("ends before it starts", lambda d: [(_day(d, 0), "12:00", "10:00"),
                                         (_day(d, 1), "10:00", "12:00")],
     "ends1", "Time 1 must end after it starts"),
    ("not a time", lambda d: [(_day(d, 0), "ten", "12:00"), (_day(d, 1), "10:00", "12:00")],
     "starts1", "Enter the start of time 1 as hours and minutes, like 10:00"),
    ("a time with no date", lambda d: [("", "10:00", "12:00"), (_day(d, 1), "10:00", "12:00")],
     "day1", "Enter the date of time 1"),
    ("not a date", lambda d: [("2026-02-30", "10:00", "12:00"), (_day(d, 1), "10:00", "12:00")],
     "day1", "Date must be a real date, like 2026-11-23"),
]


@pytest.mark.parametrize("rows, field, message", [e[1:] for e in OFFER_ERRORS],
                         ids=[e[0] for e in OFFER_ERRORS])
def test_an_offer_that_breaks_a_rule_is_refused_with_its_answers_kept(db, signed_in, visit,
                                                                      days, rows, field,
                                                                      message):
    officer = signed_in("officer")
    response = send(officer, f"/schedule/{visit}/times", offer_form(rows(days)))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'href="#{field}">{message}' in html.replace("&#39;", "'")
    assert html.count(message) == 2  # in the summary and beside the field
    assert "<title>Error: " in html
    assert windows(db, visit) == [] and messages_of(db, visit, "times_offered") == []


def test_an_offer_at_a_time_the_resident_asked_us_to_avoid_is_refused(db, world, signed_in,
                                                                      visit, resident, days):
    add_adjustment(db, resident, "avoid_times", world.users["officer"],
                   {"not_before": "10:00", "not_after": "", "days": []})
    response = send(signed_in("officer"), f"/schedule/{visit}/times", offer_form(
        [(_day(days, 0), "09:00", "11:00"), (_day(days, 1), "10:00", "12:00")]))
    assert response.status_code == 422
    assert "Time 1: the window starts at 09:00, and the resident asked us not to visit before" \
        in response.get_data(as_text=True)


def test_an_offer_when_the_operative_is_booked_elsewhere_is_refused(db, world, signed_in, visit,
                                                                    days):
    other = add_resident(db, world.orgs["riverside"], world.users["officer"])
    starts = datetime.combine(days[0], time(11), LOCAL_ZONE)
    add_visit(db, other, world.orgs["acme"], [world.users["operative"]], starts,
              starts + timedelta(hours=1), job_ref="JOB-ELSEWHERE")
    response = send(signed_in("officer"), f"/schedule/{visit}/times", offer_form(
        [(_day(days, 0), "10:00", "12:00"), (_day(days, 1), "10:00", "12:00")]))
    assert response.status_code == 422
    assert "Time 1: Operative is already booked then: JOB-ELSEWHERE" \
        in response.get_data(as_text=True)


# The resident's pick -------------------------------------------------------------------------

def test_a_pick_books_the_visit_at_once_and_confirms_it(app, db, signed_in, visit, days):
    offer_times(db, visit, days[:3])
    url, chosen = link(app, visit), windows(db, visit)[1]
    resident = app.test_client()
    page = resident.get(url).get_data(as_text=True)
    assert "Choose a time for your visit" in page and "None of these times suit me" in page
    response = pick(resident, url, chosen["id"])
    assert response.status_code == 303 and "said=picked" in response.headers["Location"]
    moved = visit_row(db, visit)
    assert (moved["starts_at"], moved["ends_at"]) == (chosen["starts_at"], chosen["ends_at"])
    assert len(messages_of(db, visit, "time_chosen")) == 1
    officer_page = signed_in("officer").get(f"/schedule/{visit}").get_data(as_text=True)
    assert "The resident chose" in officer_page
    after = resident.get(response.headers["Location"]).get_data(as_text=True)
    assert "We have booked your visit for" in after and "reminder the day before" in after
    assert "The people coming will see the new time on their list." in after
    assert "we have told the people coming" not in after
    with app.test_request_context():
        written = words.compose(db, visit, "time_chosen", choice_link="LINK")
    assert "the time you chose" in written.body and "reminder the day before" in written.body
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'time_chosen_by_resident'"
                      ).fetchone()[0] == 1


def test_a_window_taken_meanwhile_is_refused_calmly_with_the_others_still_offered(
        app, db, world, visit, days):
    offer_times(db, visit, days[:3])
    url, first = link(app, visit), windows(db, visit)[0]
    resident = app.test_client()
    html = resident.get(url).get_data(as_text=True)
    other = add_resident(db, world.orgs["riverside"], world.users["officer"])
    add_visit(db, other, world.orgs["acme"], [world.users["operative"]],
              to_local(first["starts_at"]), to_local(first["ends_at"]))
    response = resident.post(url, data={"csrf_token": csrf_token_from(html),
                                        "window": first["id"], "version": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "That time has just been taken" in page
    assert "The times below are still free." in page
    assert f'type="radio" value="{first["id"]}"' not in page
    assert all(f'type="radio" value="{w["id"]}"' in page for w in windows(db, visit)[1:])
    assert visit_row(db, visit)["starts_at"] != first["starts_at"]


def test_a_pick_from_a_page_that_is_out_of_date_is_refused_calmly(app, db, visit, days):
    """Two tabs of one link: the second pick saw the offer before the first one booked."""
    offer_times(db, visit, days[:3])
    url, (first, second, _third) = link(app, visit), windows(db, visit)
    resident = app.test_client()
    assert pick(resident, url, first["id"], version=0).status_code == 303
    response = pick(resident, url, second["id"], version=0)
    assert response.status_code == 409
    assert "Your visit was just booked from another tab, phone or computer" \
        in response.get_data(as_text=True)
    assert visit_row(db, visit)["starts_at"] == first["starts_at"]


def test_two_tabs_picking_at_the_same_moment_make_one_booking(app, db, live_server, visit,
                                                               days):
    offer_times(db, visit, days[:3])
    url = live_server.url + link(app, visit)
    session = requests.Session()
    token = csrf_token_from(session.get(url, timeout=10).text)
    first, second = windows(db, visit)[:2]
    start, answers = threading.Barrier(2), {}

    def choose(window):
        start.wait()
        answers[window["id"]] = session.post(url, data={
            "csrf_token": token, "window": window["id"],
            "version": "0"}, allow_redirects=False, timeout=10)

    threads = [threading.Thread(target=choose, args=(w,)) for w in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.status_code for a in answers.values())
    assert statuses == [303, 409], statuses
    winner = next(w for w in (first, second) if answers[w["id"]].status_code == 303)
    loser = next(a for a in answers.values() if a.status_code == 409)
    assert "Your visit was just booked from another tab, phone or computer" in loser.text
    assert visit_row(db, visit)["starts_at"] == winner["starts_at"]
    assert len(messages_of(db, visit, "time_chosen")) == 1
    assert db.execute("SELECT count(*) FROM visits WHERE resident_id = ?",
                      (visit_row(db, visit)["resident_id"],)).fetchone()[0] == 1


def test_the_resident_can_change_their_mind_up_to_the_day_before(app, db, visit, days):
    offer_times(db, visit, days[:3])
    url, (first, second, _third) = link(app, visit), windows(db, visit)
    resident = app.test_client()
    assert pick(resident, url, first["id"]).status_code == 303
    assert pick(resident, url, second["id"]).status_code == 303
    assert visit_row(db, visit)["starts_at"] == second["starts_at"]
    assert pick(resident, url, second["id"]).status_code == 303  # the same time sent again
    assert db.execute("SELECT changes FROM time_offers WHERE visit_id = ?",
                      (visit,)).fetchone()[0] == 1
    assert len(messages_of(db, visit, "time_chosen")) == 2


@pytest.mark.parametrize(("days_ahead", "said"), [
    (3, "If you need to change the time, use the same link until the day before the visit:"
        " LINK"),
    (1, "If you need to change the time, you can use the same link until the end of today:"
        " LINK"),
    (0, None)], ids=["in three days", "tomorrow", "today"])
def test_the_confirmation_offers_the_link_to_change_only_while_it_can(app, db, world, resident,
                                                                     days_ahead, said):
    """A change of mind is taken up to the day before the visit (logic.can_change): a time
    chosen for tomorrow can be changed until the end of today, one for today not at all."""
    if days_ahead:
        starts = datetime.combine(today_local() + timedelta(days=days_ahead), time(10),
                                  LOCAL_ZONE)
    else:
        starts = datetime.now(LOCAL_ZONE).replace(microsecond=0) + timedelta(minutes=30)
        if starts.date() != today_local():
            pytest.skip("needs a visit later today")
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts,
                      starts + timedelta(hours=1))
    with app.test_request_context():
        body = words.compose(db, visit, "time_chosen", choice_link="LINK").body
    if said:
        assert said in body
    else:
        assert "LINK" not in body and "same link" not in body
        assert "If you need to change the time, tell Officer." in body


def test_a_change_of_mind_on_the_day_of_the_visit_is_refused(app, db, world, resident):
    now = datetime.now(LOCAL_ZONE)
    if now.hour >= 22:
        pytest.skip("needs an hour left today for a window later today")
    starts = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    ends = min(starts + timedelta(hours=1), now.replace(hour=23, minute=59, second=0))
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                      *[datetime.combine(free_days(1)[0], t, LOCAL_ZONE)
                        for t in (time(9), time(11))])
    later = datetime.combine(free_days(2)[1], time(10), LOCAL_ZONE)
    create_offer(db, visit, [(utc(starts), utc(ends)),
                             (utc(later), utc(later + timedelta(hours=2)))], None, utc_now())
    url, (today_window, later_window) = link(app, visit), windows(db, visit)
    resident_phone = app.test_client()
    picked = pick(resident_phone, url, today_window["id"])
    assert picked.status_code == 303
    # 10am the day before has passed: no reminder is queued, so none is promised.
    said = resident_phone.get(picked.headers["Location"]).get_data(as_text=True)
    assert "reminder" not in said
    assert "The people coming will see the new time on their list." in said
    with app.test_request_context():
        written = words.compose(db, visit, "time_chosen", choice_link="LINK").body
    assert "reminder" not in written and "the time you chose" in written
    page = resident_phone.get(url).get_data(as_text=True)
    assert "It is now too close to the visit to change it here" in page
    response = pick(resident_phone, url, later_window["id"], version=1)
    assert response.status_code == 409
    assert ("The time can no longer be changed here. Call Riverside Homes on <a class=\"call\""
            ) in response.get_data(as_text=True)
    assert to_local(visit_row(db, visit)["starts_at"]).date() == today_local()


def test_none_suit_tells_the_officer_when_would_and_keeps_the_booking(app, db, visit, days):
    offer_times(db, visit, days[:2])
    url, booked = link(app, visit), visit_row(db, visit)["starts_at"]
    resident = app.test_client()
    html = resident.get(url).get_data(as_text=True)
    response = resident.post(url, data={"csrf_token": csrf_token_from(html),
                                        "window": "none", "version": "0",
                                        "when_suits": "Any weekday after 3pm"})
    assert response.status_code == 303 and "said=none" in response.headers["Location"]
    assert visit_row(db, visit)["starts_at"] == booked
    assert db.execute("SELECT none_suit_when FROM time_offers WHERE visit_id = ?",
                      (visit,)).fetchone()[0] == "Any weekday after 3pm"
    assert NONE_SUIT_REASON in alert_reasons(db, visit)


def test_a_pick_with_no_time_chosen_says_what_to_do(app, db, visit, days):
    offer_times(db, visit, days[:2])
    url = link(app, visit)
    resident = app.test_client()
    html = resident.get(url).get_data(as_text=True)
    response = resident.post(url, data={"csrf_token": csrf_token_from(html),
                                        "version": "0"})
    assert response.status_code == 422
    assert "Choose a time, or choose none of these" in response.get_data(as_text=True)


def test_i_cant_do_this_time_can_be_taken_back_from_the_same_link(app, db, signed_in, visit):
    resident = app.test_client()
    with app.test_request_context():
        rebook = "/r/" + tokens.make(tokens.REBOOK_SALT, visit)
    assert send(resident, rebook, {"days": ["tuesday"]}).status_code == 200
    assert visit_row(db, visit)["rebook_requested"] == 1
    url = link(app, visit)
    assert "You told us you can" in resident.get(url).get_data(as_text=True)
    officer_page = signed_in("officer").get(f"/schedule/{visit}/times").get_data(as_text=True)
    assert "Days that suit: Tuesday" in officer_page
    # The "I can't do this time" link itself leads there.
    assert link(app, visit) in resident.get(rebook).get_data(as_text=True)
    response = send(resident, url + "/undo", {}, page_url=url)
    assert response.status_code == 303 and "said=undone" in response.headers["Location"]
    assert visit_row(db, visit)["rebook_requested"] == 0
    assert UNDO_REASON in alert_reasons(db, visit)
    assert "The visit stays as booked" in resident.get(response.headers["Location"]).get_data(
        as_text=True)
    # The "I can't do this time" link works again, should the resident need it.
    assert "Which days suit you?" in resident.get(rebook).get_data(as_text=True)


def test_what_matters_to_the_resident_becomes_an_adjustment_in_one_step(app, db, world,
                                                                        signed_in, visit,
                                                                        resident):
    phone = app.test_client()
    words_given = "Please phone when you are 30 minutes away"
    response = send(phone, link(app, visit) + "/wish", {"words": words_given},
                    page_url=link(app, visit))
    assert response.status_code == 303
    assert WISH_REASON in alert_reasons(db, visit)
    officer = signed_in("officer")
    page = officer.get(f"/schedule/{visit}/times").get_data(as_text=True)
    assert words_given in page
    response = send(officer, f"/schedule/{visit}/times/adjustment",
                    {"instruction": "Phone the resident 30 minutes before you arrive.",
                     "consent_how": "email"},
                    page_url=f"/schedule/{visit}/times")
    assert response.status_code == 303
    adjustment = db.execute("SELECT * FROM adjustments WHERE resident_id = ? AND"
                            " type_code = 'other'", (resident,)).fetchone()
    assert "30 minutes before you arrive" in adjustment["parameters"]
    assert (adjustment["consent_given_by"], adjustment["consent_how"]) == ("resident", "email")
    assert db.execute("SELECT adjustment_id FROM visit_wishes WHERE visit_id = ?",
                      (visit,)).fetchone()[0] == adjustment["id"]


def test_operatives_see_the_officers_instruction_never_the_residents_own_words(
        app, db, world, signed_in, visit, resident):
    """The resident may write about their health; the briefing carries only the instruction
    the officer wrote (checked for health detail), as with any adjustment."""
    words_given = "I have PTSD and panic attacks, please ring me first"
    send(app.test_client(), link(app, visit) + "/wish", {"words": words_given},
         page_url=link(app, visit))
    officer = signed_in("officer")
    response = send(officer, f"/schedule/{visit}/times/adjustment",
                    {"instruction": "Phone the resident before you arrive.",
                     "consent_how": "phone"}, page_url=f"/schedule/{visit}/times")
    assert response.status_code == 303
    adjustment = db.execute("SELECT * FROM adjustments WHERE type_code = 'other'").fetchone()
    assert "PTSD" not in (adjustment["detail"] or "")
    today = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                      *window_around_now(), trade="Gas heating")
    briefing = signed_in("operative").get(f"/visits/{today}").get_data(as_text=True)
    assert "Phone the resident before you arrive." in briefing
    assert "PTSD" not in briefing and "panic" not in briefing


def test_turning_the_wish_into_an_adjustment_needs_how_they_agreed(app, db, signed_in, visit):
    send(app.test_client(), link(app, visit) + "/wish", {"words": "Noisy part first"},
         page_url=link(app, visit))
    officer = signed_in("officer")
    response = send(officer, f"/schedule/{visit}/times/adjustment",
                    {"instruction": "Do the noisy part first."},
                    page_url=f"/schedule/{visit}/times")
    assert response.status_code == 422
    assert "Select how the resident agreed" in response.get_data(as_text=True)


def test_an_empty_wish_says_what_to_do(app, db, visit):
    response = send(app.test_client(), link(app, visit) + "/wish", {"words": " "},
                    page_url=link(app, visit))
    assert response.status_code == 422
    assert "Write what matters to you, or leave this part" in response.get_data(as_text=True)


def test_words_too_long_say_which_and_how_long_without_must(app, db, visit, days):
    offer_times(db, visit, days[:2])
    url = link(app, visit)
    resident = app.test_client()
    html = resident.get(url).get_data(as_text=True)
    page = resident.post(url, data={"csrf_token": csrf_token_from(html), "window": "none",
                                    "version": "0", "when_suits": "x" * (WHEN_LIMIT + 1)}
                         ).get_data(as_text=True)
    assert (f"What you wrote about when would suit you is too long. Shorten it to {WHEN_LIMIT}"
            " characters or fewer.") in page
    page = send(resident, url + "/wish", {"words": "x" * (WISH_LIMIT + 1)}, page_url=url
                ).get_data(as_text=True)
    assert (f"What you wrote about what matters to you is too long. Shorten it to {WISH_LIMIT}"
            " characters or fewer.") in page
    assert " must " not in page


def test_a_link_that_is_not_ours_or_a_cancelled_visit_says_so_calmly(app, db, world, resident):
    client = app.test_client()
    assert "This link does not work" in client.get("/t/not-a-token").get_data(as_text=True)
    cancelled = add_visit(db, resident, world.orgs["acme"], [], *[
        datetime.combine(free_days(1)[0], t, LOCAL_ZONE) for t in (time(9), time(10))],
        status="cancelled")
    assert "This visit is cancelled" in client.get(link(app, cancelled)).get_data(as_text=True)


def test_another_landlords_officer_cannot_offer_times(db, signed_in, visit, days):
    client = signed_in("other_landlord_officer")
    assert client.get(f"/schedule/{visit}/times").status_code == 404


# You said, we did ----------------------------------------------------------------------------

@pytest.fixture
def feedback_alert(app, db, world, resident):
    now = datetime.now(LOCAL_ZONE)
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                      now - timedelta(minutes=30), now + timedelta(minutes=30), trade="Roofing")
    with app.test_request_context():
        url = "/f/" + tokens.make(tokens.FEEDBACK_SALT, visit)
    send(app.test_client(), url, {"felt_safe": "no"})
    return visit, db.execute("SELECT * FROM alerts WHERE visit_id = ?", (visit,)).fetchone()


def test_closing_a_feedback_alert_needs_what_changed(db, signed_in, feedback_alert):
    _visit, alert = feedback_alert
    assert alert["feedback_theme"] == "Feeling safe"
    officer = signed_in("officer")
    response = send(officer, f"/alerts/{alert['id']}/close",
                    {"action_taken": "Called them", "change_made": "yes"},
                    page_url=f"/alerts/{alert['id']}")
    assert response.status_code == 422
    assert "Enter what changed, in words the resident will read" in response.get_data(
        as_text=True)


def test_closing_a_feedback_alert_tells_the_resident_what_changed(app, db, signed_in,
                                                                  feedback_alert):
    visit, alert = feedback_alert
    officer = signed_in("officer")
    said = "Operatives now show their ID card before they knock."
    response = send(officer, f"/alerts/{alert['id']}/close",
                    {"action_taken": "Spoke to the firm", "change_made": "yes",
                     "what_changed": said},
                    page_url=f"/alerts/{alert['id']}")
    assert response.status_code == 303
    assert db.execute("SELECT kind FROM jobs WHERE kind = 'tell_what_changed'").fetchone()
    with app.app_context():
        tell_what_changed(db, {"alert_id": alert["id"]}, datetime.now(LOCAL_ZONE))
        tell_what_changed(db, {"alert_id": alert["id"]}, datetime.now(LOCAL_ZONE))  # run twice
    assert len(messages_of(db, visit, "you_said_we_did")) == 1
    with app.test_request_context():
        written = words.compose(db, visit, "you_said_we_did")
    assert said in written.body and "Because of what you said" in written.body
    assert said in officer.get(f"/alerts/{alert['id']}").get_data(as_text=True)
    page = officer.get("/measures").get_data(as_text=True)
    assert "You said, we did" in page and said in page and "Feeling safe" in page
    csv = officer.get("/measures/export.csv?what=said_did").get_data(as_text=True)
    assert "Feeling safe" in csv and said in csv


def test_measures_count_visits_chosen_and_changed_by_the_resident(app, db, world, signed_in,
                                                                   resident):
    soon = free_days(3, after=today_local() + timedelta(days=1))
    starts = datetime.combine(soon[2], time(9), LOCAL_ZONE)
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts,
                      starts + timedelta(hours=2))
    offer_times(db, visit, soon[:2])
    url, (first, second) = link(app, visit), windows(db, visit)
    phone = app.test_client()
    pick(phone, url, first["id"])
    pick(phone, url, second["id"])
    officer = signed_in("officer")
    period = f"period=custom&first={today_local()}&last={today_local() + timedelta(days=20)}"
    page = officer.get(f"/measures?{period}").get_data(as_text=True)
    assert re.search(r'figure__value">1</span><span class="figure__label">chosen by the '
                     r'resident', page)
    assert re.search(r'figure__value">1</span><span class="figure__label">changed by the '
                     r'resident', page)
    csv = officer.get(f"/measures/export.csv?what=figures&{period}").get_data(as_text=True)
    assert "visits chosen by the resident,1" in csv and "visits changed by the resident,1" in csv


def test_the_job_kinds_are_handled():
    assert "tell_what_changed" in jobs.HANDLERS


def test_the_residents_page_arrives_in_the_first_round_trip(app, db, visit, days):
    """Under 14 KB compressed, with four times offered, a request standing and a wish given."""
    offer_times(db, visit, days[:3])
    phone = app.test_client()
    url = link(app, visit)
    with app.test_request_context():
        rebook = "/r/" + tokens.make(tokens.REBOOK_SALT, visit)
    send(phone, rebook, {"days": ["tuesday"]})
    send(phone, url + "/wish", {"words": "x" * 500}, page_url=url)
    response = phone.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(response.get_data()) < 14 * 1024


def test_the_residents_page_opens_in_their_language(app, db, world, days):
    """Day names come from the locale's own data, so the page shows the resident's language
    before any catalogue is translated."""
    turkish = add_resident(db, world.orgs["riverside"], world.users["officer"], language="tr")
    starts = datetime.combine(days[3], time(9), LOCAL_ZONE)
    visit = add_visit(db, turkish, world.orgs["acme"], [world.users["operative"]], starts,
                      starts + timedelta(hours=2))
    offer_times(db, visit, days[:2])
    page = app.test_client().get(link(app, visit)).get_data(as_text=True)
    turkish_days = ("Pazartesi", "Salı", "Çarşamba", "Perşembe", "Cuma", "Cumartesi")
    assert any(day in page for day in turkish_days)
    english = app.test_client().get(link(app, offer_visit_in_english(db, world, days)))
    assert not any(day in english.get_data(as_text=True) for day in turkish_days)


def offer_visit_in_english(db, world, days) -> int:
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    starts = datetime.combine(days[3], time(14), LOCAL_ZONE)
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts,
                      starts + timedelta(hours=2))
    offer_times(db, visit, days[:2], starts_hour=15)
    return visit


def test_the_offer_form_starts_with_the_operatives_first_free_times(db, signed_in, visit, days):
    officer = signed_in("officer")
    html = officer.get(f"/schedule/{visit}/times").get_data(as_text=True)
    filled = {}
    for tag in re.findall(r"<input[^>]+>", html):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and re.fullmatch(r"(day|starts|ends)\d", name.group(1)):
            filled[name.group(1)] = value.group(1)
    assert {k for k, v in filled.items() if v} == {f"{f}{n}" for f in ("day", "starts", "ends")
                                                   for n in (1, 2, 3)}
    # Tomorrow morning the operative is booked 9 to 11: the first free time is the afternoon.
    tomorrow = today_local() + timedelta(days=1)
    if tomorrow.weekday() != 6:
        assert (filled["day1"], filled["starts1"]) == (tomorrow.isoformat(), "13:00")
    response = officer.post(f"/schedule/{visit}/times",
                            data={"csrf_token": csrf_token_from(html), **filled})
    assert response.status_code == 303
    assert len(windows(db, visit)) == 3


def test_a_pick_from_times_the_officer_has_since_replaced_is_refused_calmly(app, db, visit,
                                                                         days):
    old_offer = offer_times(db, visit, days[:2])
    url, old_window = link(app, visit), windows(db, visit)[0]
    resident = app.test_client()
    html = resident.get(url).get_data(as_text=True)
    offer_times(db, visit, days[1:3], starts_hour=14)
    response = resident.post(url, data={"csrf_token": csrf_token_from(html),
                                        "window": old_window["id"], "version": "0",
                                        "offer": old_offer})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "We have just sent you new times to choose from" in page
    assert all(f'type="radio" value="{w["id"]}"' in page for w in windows(db, visit))
    assert visit_row(db, visit)["starts_at"] != old_window["starts_at"]


def test_the_worker_writes_the_confirmation_in_the_residents_words(app, db, visit, days):
    """Offered, then chosen: the worker writes both messages with the link, as it runs."""
    offer_times(db, visit, days[:2])
    with app.app_context():
        queue_for_visit(db, visit, "times_offered")
    assert pick(app.test_client(), link(app, visit), windows(db, visit)[0]["id"]).status_code \
        == 303
    with app.app_context():
        while jobs.run_one(db, now=datetime.now(UTC)):
            pass
    offered = messages_of(db, visit, "times_offered")[0]
    chosen = messages_of(db, visit, "time_chosen")[0]
    assert "/t/" in offered["body"] and "None of these" not in offered["body"]
    assert offered["subject"] == "Choose a time for your gas heating visit"
    assert "the time you chose" in chosen["body"] and "/t/" in chosen["body"]
    assert chosen["status"] != "queued"


# A visit that has happened -------------------------------------------------------------------

def _happened(db, world, resident, how: str) -> int:
    """A visit the link must no longer move: "started" (its time has begun), "logged" (booked
    ahead but logged already: the operative came early), "done" (yesterday, and logged)."""
    if how == "started":
        starts, ends = window_around_now()
    else:
        day = free_days(1)[0] if how == "logged" else today_local() - timedelta(days=1)
        starts = datetime.combine(day, time(9), LOCAL_ZONE)
        ends = starts + timedelta(hours=2)
    visit = add_visit(db, resident, world.orgs["acme"], [], starts, ends, trade="Gas heating")
    if how != "started":
        create_log(db, client_id=str(uuid.uuid4()), visit_id=visit,
                   author_id=world.users["operative"], outcome="completed", distress="none",
                   payload_hash="x", created_at=utc_now())
    return visit


def _untouched(db, visit: int, booked) -> None:
    assert (visit_row(db, visit)["starts_at"], visit_row(db, visit)["ends_at"]) == booked
    offer = db.execute("SELECT * FROM time_offers WHERE visit_id = ?", (visit,)).fetchone()
    assert offer["chosen_window_id"] is None and offer["none_suit_at"] is None
    assert messages_of(db, visit, "time_chosen") == [] and alert_reasons(db, visit) == []
    assert db.execute("SELECT count(*) FROM audit_log WHERE record_type = 'visit' AND"
                      " record_id = ? AND action IN ('time_chosen_by_resident',"
                      " 'offered_times_none_suit')", (str(visit),)).fetchone()[0] == 0


@pytest.mark.parametrize("how", ["started", "logged", "done"])
def test_a_visit_that_has_happened_is_never_moved_by_its_link(app, db, world, resident, days,
                                                               how):
    visit = _happened(db, world, resident, how)
    offer_times(db, visit, days[:2])  # offered before it happened, and never replaced
    booked = (visit_row(db, visit)["starts_at"], visit_row(db, visit)["ends_at"])
    client = app.test_client()
    for answer in ({"window": str(windows(db, visit)[0]["id"])},
                   {"window": "none", "when_suits": "Mornings"}):
        response = send(client, link(app, visit), {**answer, "version": "0"},
                        page_url="/login")
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "<h1>The time of this visit has passed</h1>" in page
        assert "Choose a time" not in page
    _untouched(db, visit, booked)


@pytest.mark.parametrize("how", ["started", "logged", "done", "cancelled"])
def test_every_form_of_the_link_answers_closed_once_the_visit_happened(app, db, world, signed_in,
                                                                       resident, days, how):
    """Not only the pick: the page itself, "what matters to you" and "I can make this time
    after all" answer with the closed page, and nothing is saved or raised."""
    from fieldapp.voice.queries import save_rebook_request

    if how == "cancelled":
        visit = _happened(db, world, resident, "logged")
        db.execute("DELETE FROM visit_logs WHERE visit_id = ?", (visit,))
        db.execute("UPDATE visits SET status = 'cancelled' WHERE id = ?", (visit,))
        heading = "<h1>This visit is cancelled</h1>"
    else:
        visit = _happened(db, world, resident, how)
        heading = "<h1>The time of this visit has passed</h1>"
    offer_times(db, visit, days[:2])
    save_rebook_request(db, visit, ["tuesday"], [], "", utc_now())
    db.execute("UPDATE visits SET rebook_requested = 1 WHERE id = ?", (visit,))
    booked = (visit_row(db, visit)["starts_at"], visit_row(db, visit)["ends_at"])
    client, url = app.test_client(), link(app, visit)
    page = client.get(url).get_data(as_text=True)
    assert heading in page and "Choose a time" not in page
    for path, data in (("", {"window": str(windows(db, visit)[0]["id"]), "version": "0"}),
                       ("", {"window": "none", "when_suits": "Mornings", "version": "0"}),
                       ("/wish", {"words": "Please ring first"}),
                       ("/undo", {})):
        response = send(client, url + path, data, page_url="/login")
        assert response.status_code == 200, path
        assert heading in response.get_data(as_text=True), path
    _untouched(db, visit, booked)
    assert db.execute("SELECT count(*) FROM visit_wishes WHERE visit_id = ?",
                      (visit,)).fetchone()[0] == 0
    assert visit_row(db, visit)["rebook_requested"] == 1
    assert db.execute("SELECT withdrawn_at FROM rebook_requests WHERE visit_id = ?",
                      (visit,)).fetchone()[0] is None


def test_a_pick_sent_as_the_visit_is_logged_is_refused(app, db, world, resident, days):
    """The visit read before the log arrived is checked again as the pick, the "none suit",
    the wish or the undo is made."""
    from fieldapp.choice import logic, queries

    starts = datetime.combine(free_days(1)[0], time(9), LOCAL_ZONE)
    visit = add_visit(db, resident, world.orgs["acme"], [], starts, starts + timedelta(hours=2))
    offer_times(db, visit, days[:2])
    seen, offer = queries.visit_for_choice(db, visit), queries.open_offer(db, visit)
    booked = (seen["starts_at"], seen["ends_at"])
    create_log(db, client_id=str(uuid.uuid4()), visit_id=visit,
               author_id=world.users["operative"], outcome="completed", distress="none",
               payload_hash="x", created_at=utc_now())
    with app.test_request_context():
        assert logic.pick(db, seen, offer, windows(db, visit)[0]["id"], 0) == "closed"
        assert logic.none_suit(db, seen, offer, "", 0) == "closed"
        assert logic.save_wish(db, seen, "Please ring first") == "closed"
        assert logic.undo_cant_make_it(db, seen) == "closed"
    _untouched(db, visit, booked)
    assert db.execute("SELECT count(*) FROM visit_wishes WHERE visit_id = ?",
                      (visit,)).fetchone()[0] == 0


def test_a_cancelled_visits_offer_cannot_be_answered(app, db, signed_in, visit, days):
    offer_times(db, visit, days[:2])
    db.execute("UPDATE visits SET status = 'cancelled' WHERE id = ?", (visit,))
    booked = (visit_row(db, visit)["starts_at"], visit_row(db, visit)["ends_at"])
    response = send(app.test_client(), link(app, visit),
                    {"window": str(windows(db, visit)[0]["id"]), "version": "0"},
                    page_url="/login")
    assert response.status_code == 200
    assert "<h1>This visit is cancelled</h1>" in response.get_data(as_text=True)
    _untouched(db, visit, booked)
    page = signed_in("officer").get(f"/schedule/{visit}/times").get_data(as_text=True)
    assert "This offer is closed because the visit is cancelled" in page


def test_the_officer_sees_the_offer_closed_because_the_visit_happened(app, db, world, signed_in,
                                                                      resident, days):
    visit = _happened(db, world, resident, "done")
    offer_times(db, visit, days[:2])
    assert "<h1>The time of this visit has passed</h1>" in app.test_client().get(
        link(app, visit)).get_data(as_text=True)
    officer = signed_in("officer")
    page = officer.get(f"/schedule/{visit}/times").get_data(as_text=True)
    assert "This offer is closed because the visit has happened" in page
    response = send(officer, f"/schedule/{visit}/times", offer_form(
        [(_day(days, 2), "10:00", "12:00"), (_day(days, 3), "13:00", "15:00")]))
    assert response.status_code == 422
    assert "This visit has happened: there is nothing to offer" in response.get_data(
        as_text=True)
    assert len(windows(db, visit)) == 2 and messages_of(db, visit, "times_offered") == []


@pytest.mark.parametrize("how", ["started", "done", "cancelled"])
def test_the_officers_visit_page_says_why_an_unanswered_offer_closed(app, db, world, signed_in,
                                                                     resident, days, how):
    visit = _happened(db, world, resident, "done" if how == "cancelled" else how)
    offer_times(db, visit, days[:2])
    officer = signed_in("officer")
    if how == "cancelled":
        db.execute("DELETE FROM visit_logs WHERE visit_id = ?", (visit,))
        db.execute("UPDATE visits SET status = 'cancelled' WHERE id = ?", (visit,))
    page = officer.get(f"/schedule/{visit}").get_data(as_text=True)
    assert "The resident has not chosen yet." not in page
    if how == "cancelled":  # a cancelled visit's page shows no links to the resident at all
        assert "This visit is cancelled" in page and "Link to choose a time" not in page
    else:
        assert "The offer closed without a choice: the visit has happened." in page


def test_the_officers_visit_page_waits_for_a_choice_while_the_offer_is_open(signed_in, db,
                                                                          visit, days):
    offer_times(db, visit, days[:2])
    page = signed_in("officer").get(f"/schedule/{visit}").get_data(as_text=True)
    assert "The resident has not chosen yet." in page and "closed without a choice" not in page


def test_times_offered_after_i_cant_make_it_never_says_we_will_come_as_booked(app, db, visit,
                                                                            days):
    # The resident was told "we will find another time", and operatives do not go unless the
    # office says: the message says the booked time is off unless the resident says it suits.
    db.execute("UPDATE visits SET rebook_requested = 1 WHERE id = ?", (visit,))
    offer_times(db, visit, days[:2])
    with app.test_request_context():
        body = words.compose(db, visit, "times_offered", choice_link="/t/x").body
    assert "come as booked" not in body
    assert "does not suit you, so nobody will come at that time unless you tell us it does" \
        in body
    db.execute("UPDATE visits SET rebook_requested = 0 WHERE id = ?", (visit,))
    with app.test_request_context():
        body = words.compose(db, visit, "times_offered", choice_link="/t/x").body
    assert "If we do not hear from you, we will come as booked" in body
