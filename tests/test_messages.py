"""Messages to residents: the words (checked against the communication standards), one message
per event and channel, queued by the schedule and the logs in their own transaction, written
and sent by the worker; kept as "demo: not sent" when nothing is set up."""

import io
import re
from datetime import UTC, datetime, time, timedelta

import pytest

from fieldapp.core import jobs
from fieldapp.core.clock import LOCAL_ZONE, local_to_utc_iso, today_local
from fieldapp.messages import outbox, words
from fieldapp.residents.notes import add_private_note

from factories import add_adjustment, add_resident, add_visit
from support import csrf_token_from, post_form

# The checklist: never blame, threaten or order the resident about.
FORBIDDEN = ["failure to", "must", "legal action", "you failed", "required to"]
PRIVATE_NOTE = "Private: resident was sectioned in 2019"
HEALTH_DETAIL = "severe anxiety disorder, diagnosed 2020"
PASSWORD = "bluebell"


def at(days: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(today_local() + timedelta(days=days), time(hour, minute), LOCAL_ZONE)


def add_operative(db, world, name: str) -> int:
    first = name.split()[0].lower()
    return db.execute(
        "INSERT INTO users (name, email, password_hash, role, organisation_id, badge_number,"
        " created_at, updated_at) VALUES (?, ?, 'x', 'operative', ?, 'B', 'n', 'n')",
        (name, f"{first}@acme.test", world.orgs["acme"])).lastrowid


@pytest.fixture
def officer_phone(db, world):
    db.execute("UPDATE users SET phone = '020 7946 0123' WHERE id = ?", (world.users["officer"],))


def resident_with_everything(db, world, **fields) -> int:
    """A resident with many adjustments, a password, private notes and health detail."""
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Michael Grant", preferred_name="Mick", phone="07700 900123",
                            email="mick@example.test", preferred_contact="text",
                            doorstep_password=PASSWORD, advocate_name="Grace Obi", **fields)
    officer = world.users["officer"]
    add_adjustment(db, resident, "advocate_present", officer,
                   {"advocate": "Grace Obi", "phone": "07700 900456"}, detail=HEALTH_DETAIL)
    add_adjustment(db, resident, "call_ahead", officer, {"minutes": "30"})
    add_adjustment(db, resident, "doorstep_password", officer, {"password": PASSWORD})
    add_adjustment(db, resident, "other", officer, {"text": "Mentions panic attacks"})
    for code in ("gentle_knock", "explain_each_step", "noise_warning", "wait_at_door",
                 "written_schedule", "extra_time", "offer_breaks", "hearing", "sight",
                 "interpreter", "max_people", "same_gender", "avoid_times", "pets",
                 "fewer_visits", "text_ahead", "easy_read", "pre_visit"):
        add_adjustment(db, resident, code, officer)
    add_private_note(db, resident, officer, PRIVATE_NOTE)
    return resident


def boiler_visit(db, world, resident: int, operatives: list[int], days: int = 3) -> int:
    return add_visit(db, resident, world.orgs["acme"], operatives, at(days, 10), at(days, 12),
                     trade="Heating", steps=[
                         ("Turn off the water and drain the boiler", 10, {"water_off"}),
                         ("Cut out the old pipe", 25, {"noisy"}),
                         ("Fit the new pump and test the heating", None, set())])


def run_jobs(app, db, hours: float = 1) -> None:
    """Run every job due within the next hours, as the worker would."""
    with app.app_context():
        while jobs.run_one(db, now=datetime.now(UTC) + timedelta(hours=hours)):
            pass


def messages_of(db, visit_id: int) -> list:
    return db.execute("SELECT * FROM messages WHERE visit_id = ? ORDER BY id",
                      (visit_id,)).fetchall()


def compose_in(app, db, visit_id: int, event: str) -> words.Words:
    with app.test_request_context():
        return words.compose(db, visit_id, event, rebook_link="http://fieldapp.test/r/abc")


# The words ----------------------------------------------------------------------------------

def test_day_and_window_in_words():
    assert words.day_and_window("2026-12-04T10:00:00+00:00", "2026-12-04T12:00:00+00:00") == (
        "Friday 4 December, between 10am and 12 noon")
    assert words.day_and_window("2026-07-02T13:30:00+00:00", "2026-07-02T16:00:00+00:00") == (
        "Thursday 2 July, between 2:30pm and 5pm")  # British Summer Time


def test_a_booking_message_says_everything_the_resident_needs(app, db, world, officer_phone):
    resident = resident_with_everything(db, world)
    sam = add_operative(db, world, "Sam Jones")
    visit = boiler_visit(db, world, resident, [world.users["operative"], sam])
    body = compose_in(app, db, visit, "booked").body
    when = words.day_and_window(local_to_utc_iso(at(3, 10).date(), time(10)),
                                local_to_utc_iso(at(3, 10).date(), time(12)))
    assert body.startswith("Hello Mick,")
    assert f"We have booked a heating visit to your home on {when}." in body
    assert "Who is coming: Operative and Sam from Acme Repairs (2 people)." in body
    assert ("1. Turn off the water and drain the boiler. Your water will be off for about 10 "
            "minutes.") in body
    assert "2. Cut out the old pipe. This part is noisy, for about 25 minutes." in body
    assert "3. Fit the new pump and test the heating." in body
    assert "Grace Obi, your advocate, will be there. We will wait for them" in body
    assert "We will phone you 30 minutes before we arrive." in body
    assert "They will also say your doorstep password before they ask to come in." in body
    assert ("You never need to say it to them. If a caller asks you for it, keep the door shut "
            "and ring us.") in body
    assert "ring Riverside Homes on 020 7946 0000, the number on our letters" in body
    assert ("If this time does not suit, tell us here: http://fieldapp.test/r/abc. You do not "
            "have to give a reason.") in body
    assert "If we do not hear from you, we will come as booked." in body
    assert "Your contact at Riverside Homes is Officer, on 020 7946 0123." in body


@pytest.mark.parametrize("event", outbox.EVENTS)
@pytest.mark.parametrize("adjusted", [True, False], ids=["many adjustments", "none"])
def test_no_message_blames_threatens_or_tells_private_things(app, db, world, event, adjusted):
    resident = (resident_with_everything(db, world) if adjusted else
                add_resident(db, world.orgs["riverside"], world.users["officer"]))
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    message = compose_in(app, db, visit, event)
    text = (message.subject + "\n" + message.body).lower()
    for phrase in FORBIDDEN:
        assert not re.search(rf"\b{phrase}\b", text), f"{event}: {phrase!r}"
    for private in (PRIVATE_NOTE, HEALTH_DETAIL, PASSWORD, "panic", "anxiety", "hearing loss",
                    "sight loss", "Grace Obi, your advocate" if not adjusted else "sectioned"):
        assert private.lower() not in text, f"{event}: {private!r}"
    assert "Riverside Homes" in message.body and "Officer" in message.body


def test_our_slips_apologise_say_what_happened_and_what_we_will_do(app, db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    missed = compose_in(app, db, visit, "not_attended").body
    assert "We are sorry. We did not come to your home for the heating visit" in missed
    assert "This was our mistake, not yours." in missed
    assert "We have told Officer, and they will get in touch" in missed
    late_cancel = compose_in(app, db, visit, "cancelled_short_notice").body
    assert "We are sorry. We have had to cancel the heating visit" in late_cancel
    assert "Officer will get in touch to agree a new time with you" in late_cancel


def test_an_admin_reviews_every_template_in_the_app(db, world, signed_in):
    page = signed_in("admin").get("/messages/templates").get_data(as_text=True)
    for label in ("Visit booked", "Visit changed", "Reminder the day before", "Visit cancelled",
                  "Cancelled by us at short notice", "We could not attend"):
        assert label in page
    assert "If we do not hear from you, we will come as booked." in page
    assert signed_in("officer").get("/messages/templates").status_code == 403


# The events -----------------------------------------------------------------------------------

def book(client, world, **changes):
    data = {"visit_date": (today_local() + timedelta(days=3)).isoformat(), "starts": "10:00",
            "ends": "12:00", "job_ref": "MSG-1", "trade": "Heating",
            "firm_id": str(world.orgs["acme"]), "operative_ids": [str(world.users["operative"])],
            **changes}
    url = f"/schedule/new?resident={world.residents['riverside']}"
    return post_form(client, url, data)


@pytest.fixture
def texts(db, world):
    db.execute("UPDATE residents SET preferred_contact = 'text', phone = '07700 900111'"
               " WHERE id = ?", (world.residents["riverside"],))


def test_a_booking_queues_one_text_written_after_the_steps_are_added(app, db, world, signed_in,
                                                                     texts):
    client = signed_in("officer")
    response = book(client, world)
    visit = int(response.headers["Location"].rsplit("/", 1)[1])
    post_form(client, f"/schedule/{visit}/steps", {"new-description": "Bleed the radiators",
                                                   "new-expected_minutes": "15"},
              page_url=f"/schedule/{visit}")
    [message] = messages_of(db, visit)
    assert (message["event"], message["channel"], message["recipient"], message["status"],
            message["body"]) == ("booked", "sms", "07700 900111", "queued", "")
    with app.app_context():
        assert not jobs.run_one(db)  # not in the request, and not before the steps settle
    run_jobs(app, db)
    [message] = messages_of(db, visit)
    assert message["status"] == "demo_not_sent"
    assert "1. Bleed the radiators." in message["body"]
    assert "/r/" in message["body"]  # the signed rebook link


def test_changing_the_time_or_operatives_tells_the_resident_once(app, db, world, signed_in,
                                                                 texts):
    client = signed_in("officer")
    visit = int(book(client, world).headers["Location"].rsplit("/", 1)[1])
    run_jobs(app, db)
    url = f"/schedule/{visit}"
    same = {"visit_date": (today_local() + timedelta(days=3)).isoformat(), "starts": "10:00",
            "ends": "12:00", "job_ref": "MSG-1", "trade": "Heating",
            "firm_id": str(world.orgs["acme"]), "operative_ids": [str(world.users["operative"])],
            "notes_for_operative": "Side door"}
    post_form(client, url, same)
    assert [m["event"] for m in messages_of(db, visit)] == ["booked"]  # nothing they see
    post_form(client, url, {**same, "starts": "13:00", "ends": "15:00"})
    post_form(client, url, {**same, "starts": "14:00", "ends": "16:00"})
    assert [m["event"] for m in messages_of(db, visit)] == ["booked", "changed"]
    run_jobs(app, db)
    changed = messages_of(db, visit)[1]
    assert "between 2pm and 4pm" in changed["body"]
    post_form(client, url, {**same, "starts": "14:00", "ends": "16:00", "operative_ids": []})
    assert [m["event"] for m in messages_of(db, visit)] == ["booked", "changed", "changed"]


@pytest.mark.parametrize("change", ["time", "who is coming"])
def test_a_change_message_is_true_whether_the_time_or_who_is_coming_changed(
        app, db, world, signed_in, texts, change):
    """Told again when the time moves or the people coming change: the words never say the
    time moved when only the people did."""
    client = signed_in("officer")
    visit = int(book(client, world).headers["Location"].rsplit("/", 1)[1])
    run_jobs(app, db)
    same = {"visit_date": (today_local() + timedelta(days=3)).isoformat(), "starts": "10:00",
            "ends": "12:00", "job_ref": "MSG-1", "trade": "Heating",
            "firm_id": str(world.orgs["acme"]), "operative_ids": [str(world.users["operative"])]}
    changed = ({**same, "starts": "14:00", "ends": "16:00"} if change == "time"
               else {**same, "operative_ids": [str(world.users["colleague"])]})
    post_form(client, f"/schedule/{visit}", changed)
    run_jobs(app, db)
    message = messages_of(db, visit)[-1]
    assert message["event"] == "changed"
    day = today_local() + timedelta(days=3)
    when = words.day_and_window(local_to_utc_iso(day, time(int(changed["starts"][:2]))),
                                local_to_utc_iso(day, time(int(changed["ends"][:2]))))
    assert message["subject"] == f"A change to your heating visit on {when}"
    assert (f"We have made a change to your heating visit. It is on {when}. Here is the visit"
            " as it stands now, including who is coming.") in message["body"]
    assert f"If we do not hear from you, we will come on {when}." in message["body"]
    for moved in ("now on", "new time", "changed your heating visit: now"):
        assert moved not in message["subject"] + message["body"]


def test_a_database_already_seeded_gets_the_new_change_words(db):
    from fieldapp.core.migrations import m180_change_words_true_for_time_or_people
    db.execute("UPDATE message_templates SET subject = 'We have changed your {trade} visit: now"
               " {when}', opening = 'We have changed your {trade} visit. It is now on {when}."
               " Here is the visit as it stands now.', next_steps = 'If we do not hear from"
               " you, we will come at the new time. If anything else changes, we will tell you"
               " straight away.' WHERE event = 'changed'")
    db.execute("UPDATE message_templates SET subject = 'Our own words' WHERE event = 'booked'")
    m180_change_words_true_for_time_or_people(db)
    row = db.execute("SELECT * FROM message_templates WHERE event = 'changed'").fetchone()
    assert row["subject"] == "A change to your {trade} visit on {when}"
    assert "It is on {when}" in row["opening"] and "come on {when}" in row["next_steps"]
    assert db.execute("SELECT subject FROM message_templates WHERE event = 'booked'"
                      ).fetchone()[0] == "Our own words"


@pytest.mark.parametrize("event", ["booked", "changed"])
def test_while_the_resident_asks_for_another_time_no_message_says_we_will_come(
        app, db, world, event):
    """Operatives do not go while the resident's request for another time stands: a booking
    or change message written then says so, not "we will come as booked"."""
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    db.execute("UPDATE visits SET rebook_requested = 1 WHERE id = ?", (visit,))
    body = compose_in(app, db, visit, event).body
    assert "we will come" not in body, body
    when = words.day_and_window(local_to_utc_iso(at(3, 10).date(), time(10)),
                                local_to_utc_iso(at(3, 10).date(), time(12)))
    assert (f"You asked us for another time, so nobody will come on {when} unless you tell us"
            " it suits you. If anything changes, we will tell you straight away.") in body


def starting_in_a_few_hours(db, visit_id: int) -> None:
    """The visit moved to start three hours from now: short notice at any time of day (the
    world's visit tomorrow at 09:00 is more than a day away before 09:00)."""
    starts = datetime.now(UTC) + timedelta(hours=3)
    db.execute("UPDATE visits SET starts_at = ?, ends_at = ? WHERE id = ?",
               (starts.isoformat(timespec="seconds"),
                (starts + timedelta(hours=2)).isoformat(timespec="seconds"), visit_id))


def test_cancelling_at_short_notice_is_an_apology(app, db, world, signed_in, texts):
    starting_in_a_few_hours(db, world.visits["tomorrow"])
    client = signed_in("officer")
    response = post_form(client, f"/schedule/{world.visits['tomorrow']}/cancel",
                         {"reason": "no_operative"},
                         page_url=f"/schedule/{world.visits['tomorrow']}/cancel")
    assert response.status_code == 303
    [message] = messages_of(db, world.visits["tomorrow"])
    assert message["event"] == "cancelled_short_notice"
    run_jobs(app, db)
    assert "We are sorry" in messages_of(db, world.visits["tomorrow"])[0]["body"]


def test_cancelling_at_short_notice_because_the_resident_asked_is_no_apology(
        app, db, world, signed_in, texts):
    starting_in_a_few_hours(db, world.visits["tomorrow"])
    client = signed_in("officer")
    response = post_form(client, f"/schedule/{world.visits['tomorrow']}/cancel",
                         {"reason": "resident_asked"},
                         page_url=f"/schedule/{world.visits['tomorrow']}/cancel")
    assert response.status_code == 303
    [message] = messages_of(db, world.visits["tomorrow"])
    assert message["event"] == "cancelled"


@pytest.mark.parametrize("hours_ahead", [3, 24 * 5])
def test_a_cancellation_promises_only_what_we_do(app, db, world, hours_ahead):
    # Sent for every reason, even "no longer needed": a new time only if the work still needs
    # doing (the officer is alerted then), and nobody is promised a place in a queue.
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    starts = datetime.now(UTC) + timedelta(hours=hours_ahead)
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts,
                      starts + timedelta(hours=2))
    db.execute("UPDATE visits SET status = 'cancelled', cancel_reason = 'not_needed'"
               " WHERE id = ?", (visit,))
    for event in ("cancelled", "cancelled_short_notice"):
        body = compose_in(app, db, visit, event).body
        assert "If the work still needs doing, Officer will get in touch" in body, body
        assert "agree a new time with you" in body and "front of the list" not in body


def test_a_database_already_seeded_gets_the_new_cancellation_words(db):
    from fieldapp.core.migrations import m150_cancellation_words_promise_what_we_do
    db.execute("UPDATE message_templates SET next_steps = 'You do not need to do anything."
               " {contact} will get in touch to find a new time that suits you, and we will"
               " keep you to the front of the list.' WHERE event = 'cancelled_short_notice'")
    m150_cancellation_words_promise_what_we_do(db)
    assert {row[0] for row in db.execute(
        "SELECT next_steps FROM message_templates WHERE event LIKE 'cancelled%'")} == {
        "You do not need to do anything. If the work still needs doing, {contact} will get in"
        " touch to agree a new time with you."}


@pytest.mark.parametrize(("n", "words"), [
    ("1", "No more than 1 person will come into your home at once."),
    ("3", "No more than 3 people will come into your home at once."),
    ("", "No more than two people will come into your home at once.")])
def test_the_most_people_inside_reads_right_for_one(app, db, world, n, words):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    add_adjustment(db, resident, "max_people", world.users["officer"], {"n": n})
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    assert words in compose_in(app, db, visit, "booked").body


def test_with_no_officer_the_housing_team_reads_naturally_mid_sentence(app, db, world):
    resident = add_resident(db, world.orgs["riverside"], None)
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    cancelled = compose_in(app, db, visit, "cancelled").body
    assert "If the work still needs doing, the housing team at Riverside Homes will get" \
        in cancelled
    missed = compose_in(app, db, visit, "not_attended").body
    assert "We have told the housing team at Riverside Homes, and they will get in touch" \
        in missed
    assert "Our housing team" not in cancelled + missed


def test_cancelling_well_ahead_is_a_notice(app, db, world, signed_in, texts):
    client = signed_in("officer")
    visit = int(book(client, world).headers["Location"].rsplit("/", 1)[1])
    post_form(client, f"/schedule/{visit}/cancel", {"reason": "moved"},
              page_url=f"/schedule/{visit}/cancel")
    assert [m["event"] for m in messages_of(db, visit)] == ["booked", "cancelled"]


def test_the_reminder_goes_the_day_before_only_if_the_visit_still_stands(app, db, world,
                                                                          signed_in, texts):
    client = signed_in("officer")
    visit = int(book(client, world).headers["Location"].rsplit("/", 1)[1])
    reminder = db.execute("SELECT * FROM jobs WHERE kind = 'message_reminder'").fetchone()
    due = datetime.fromisoformat(reminder["run_after"])
    assert due == datetime.combine(today_local() + timedelta(days=2), time(10), LOCAL_ZONE)
    with app.app_context():
        while jobs.run_one(db, now=due + timedelta(minutes=1)):
            pass
    events = [(m["event"], m["status"]) for m in messages_of(db, visit)]
    assert events == [("booked", "demo_not_sent"), ("reminder", "demo_not_sent")]
    assert "This is a reminder of your heating visit tomorrow" in messages_of(db, visit)[1]["body"]
    with app.app_context():  # the job again (at least once): still one reminder
        outbox.remind(db, {"visit_id": visit, "starts_at": reminder and
                           db.execute("SELECT starts_at FROM visits WHERE id = ?",
                                      (visit,)).fetchone()[0]}, due)
    assert len(messages_of(db, visit)) == 2


def test_a_moved_visit_gets_no_reminder_for_its_old_time(app, db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    with app.app_context():
        outbox.remind(db, {"visit_id": visit, "starts_at": "2000-01-01T10:00:00+00:00"},
                      datetime.now(UTC))
    assert messages_of(db, visit) == []


def test_no_reminder_while_the_resident_asks_for_another_time(app, db, world):
    # They were told "we will find another time": "we will come as booked" would contradict it.
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    db.execute("UPDATE visits SET rebook_requested = 1 WHERE id = ?", (visit,))
    starts_at = db.execute("SELECT starts_at FROM visits WHERE id = ?", (visit,)).fetchone()[0]
    with app.app_context():
        outbox.remind(db, {"visit_id": visit, "starts_at": starts_at}, datetime.now(UTC))
    assert messages_of(db, visit) == []


def test_a_log_saying_we_did_not_attend_sends_our_apology_once(app, db, world, signed_in,
                                                               texts):
    from fieldapp.logs.forms import LogInput
    from fieldapp.logs.store import store_log

    visit = db.execute("SELECT * FROM visits WHERE id = ?", (world.visits["today"],)).fetchone()
    log = LogInput("11111111-1111-4111-8111-111111111111", "not_attended", None, "none", [],
                   "", "")
    assert store_log(db, visit, world.users["operative"], log)[0] == "created"
    assert store_log(db, visit, world.users["operative"], log)[0] == "replayed"
    [message] = [m for m in messages_of(db, visit["id"]) if m["event"] == "not_attended"]
    run_jobs(app, db)
    assert "This was our mistake, not yours." in messages_of(db, visit["id"])[-1]["body"]


def test_a_message_is_never_sent_twice_for_one_event(app, db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            preferred_contact="text", phone="07700 900222")
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    first = outbox.queue_for_visit(db, visit, "not_attended")
    assert outbox.queue_for_visit(db, visit, "not_attended") is None
    run_jobs(app, db)
    with app.app_context():  # the send job run again after it finished: nothing more
        outbox.send_message(db, {"message_id": first}, datetime.now(UTC))
    assert [m["status"] for m in messages_of(db, visit)] == ["demo_not_sent"]


@pytest.mark.parametrize(("preference", "phone", "email", "channel"), [
    ("text", "07700 900333", "", "sms"),
    ("email", "", "a@example.test", "email"),
    ("phone", "07700 900333", "", "phone"),
    ("letter", "07700 900333", "a@example.test", "letter"),
    ("text", "", "a@example.test", "letter"),
])
def test_the_channel_follows_the_residents_preference(db, world, preference, phone, email,
                                                      channel):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            preferred_contact=preference, phone=phone, email=email)
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    outbox.queue_for_visit(db, visit, "not_attended")
    assert messages_of(db, visit)[0]["channel"] == channel


# The officer sees them ---------------------------------------------------------------------

def test_the_officer_sees_each_message_as_received_and_opening_it_is_audited(
        app, db, world, signed_in, texts):
    client = signed_in("officer")
    visit = int(book(client, world).headers["Location"].rsplit("/", 1)[1])
    run_jobs(app, db)
    [message] = messages_of(db, visit)
    resident_page = client.get(f"/residents/{world.residents['riverside']}").get_data(
        as_text=True)
    assert f'href="/messages/{message["id"]}"' in resident_page
    assert "Visit booked: Text message" in resident_page and "Demo: not sent" in resident_page
    assert f'href="/messages/{message["id"]}"' in client.get(f"/schedule/{visit}").get_data(
        as_text=True)
    page = client.get(f"/messages/{message['id']}").get_data(as_text=True)
    assert "to 07700 900111" in page and "This is a demo" in page
    assert "We have booked a heating visit to your home on" in page
    audit = db.execute("SELECT * FROM audit_log WHERE action = 'message_viewed'").fetchone()
    assert (audit["record_id"], audit["user_id"]) == (str(message["id"]), world.users["officer"])
    assert signed_in("operative").get(f"/messages/{message['id']}").status_code == 403


def test_send_again_sends_the_same_words_as_a_new_message(app, db, world, signed_in, texts):
    client = signed_in("officer")
    visit = int(book(client, world).headers["Location"].rsplit("/", 1)[1])
    run_jobs(app, db)
    [first] = messages_of(db, visit)
    response = post_form(client, f"/messages/{first['id']}/again",
                         page_url=f"/messages/{first['id']}")
    assert response.status_code == 303
    run_jobs(app, db)
    first, again = messages_of(db, visit)
    assert (again["resend_of"], again["body"], again["status"]) == (
        first["id"], first["body"], "demo_not_sent")
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'message_sent_again'"
                      ).fetchone()[0] == 1


def test_a_resident_who_prefers_a_call_is_on_the_officers_call_list_with_the_words(
        app, db, world, signed_in):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Doreen Walsh", preferred_name="Mrs Walsh",
                            preferred_contact="phone", phone="07700 900777")
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    outbox.queue_for_visit(db, visit, "not_attended")
    run_jobs(app, db)
    [message] = messages_of(db, visit)
    client = signed_in("officer")
    calls = client.get("/messages/calls").get_data(as_text=True)
    assert "Mrs Walsh: We could not attend" in calls and 'href="tel:07700900777"' in calls
    script = client.get(f"/messages/{message['id']}").get_data(as_text=True)
    assert "read them the words below" in script and "This was our mistake, not yours." in script
    response = post_form(client, f"/messages/{message['id']}/called",
                         page_url=f"/messages/{message['id']}")
    assert response.status_code == 303
    assert messages_of(db, visit)[0]["status"] == "called"
    assert "Mrs Walsh" not in client.get("/messages/calls").get_data(as_text=True)
    assert signed_in("operative").get("/messages/calls").status_code == 403


def test_an_imported_visit_tells_the_resident_and_a_reimport_with_a_new_time_too(
        app, db, world, signed_in, texts):
    db.execute("UPDATE residents SET tenancy_ref = 'T-77' WHERE id = ?",
               (world.residents["riverside"],))
    day = (today_local() + timedelta(days=5)).isoformat()
    client = signed_in("officer")

    def import_csv(start: str, end: str) -> None:
        text = ("job_ref,tenancy_ref,date,start,end,trade,firm\n"
                f"IMP-1,T-77,{day},{start},{end},Plumbing,Acme Repairs\n")
        page = client.get("/schedule/import").get_data(as_text=True)
        response = client.post("/schedule/import", data={
            "csrf_token": csrf_token_from(page),
            "file": (io.BytesIO(text.encode()), "jobs.csv")}, content_type="multipart/form-data")
        assert response.status_code == 303
        post_form(client, response.headers["Location"])

    import_csv("09:00", "11:00")
    visit = db.execute("SELECT id FROM visits WHERE job_ref = 'IMP-1'").fetchone()["id"]
    assert [m["event"] for m in messages_of(db, visit)] == ["booked"]
    run_jobs(app, db)
    import_csv("13:00", "15:00")
    assert [m["event"] for m in messages_of(db, visit)] == ["booked", "changed"]


def test_a_change_message_is_written_in_the_residents_language(app, db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    db.execute("UPDATE residents SET language = 'pl' WHERE id = ?", (resident,))
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    written = compose_in(app, db, visit, "changed")
    assert written.language == "pl"
    assert written.subject.startswith("Zmiana w Państwa wizycie (heating): ")
    assert "Poniżej wizyta w obecnym kształcie, w tym kto przyjdzie." in written.body
