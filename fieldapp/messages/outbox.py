"""Queueing messages: one call per event from the schedule and the logs, inside their
transaction, and the worker's jobs that write and send them. Never sent in a request.

A message has a key per event and channel (UNIQUE), so an event queued twice, or a job run
twice, never gives the resident a second copy. A booking or a change is written a few minutes
after it happens, by the worker: the officer adds the schedule of works just after booking,
and the resident gets one message with all of it, not one per click.
"""

import json
from datetime import UTC, datetime, timedelta

from flask import current_app, has_request_context

from fieldapp.core import jobs
from fieldapp.core.clock import to_local
from fieldapp.core.db import transaction
from fieldapp.messages import delivery, queries, words
from fieldapp.messages.reminders import reminder_time
from fieldapp.pathways.queries import advocate_copy_for
from fieldapp.voice import tokens

EVENTS = ("booked", "changed", "reminder", "cancelled", "cancelled_short_notice", "not_attended",
          "times_offered", "time_chosen", "you_said_we_did")
# Events that may happen to a visit more than once: each time is its own message.
REPEATABLE = ("changed", "times_offered", "time_chosen", "you_said_we_did")
# Events whose message carries the link to choose or change the time.
OFFERS_CHOICE = ("times_offered", "time_chosen")
# Booked and changed messages wait this long, so the steps added just after are in them.
WRITE_AFTER = timedelta(minutes=10)
# A cancellation by us this close to the visit is an apology, not a notice.
SHORT_NOTICE = timedelta(hours=24)
# Cancelled because the resident asked: our confirmation, never an apology for our slip.
RESIDENTS_OWN_REASONS = ("resident_asked",)
# Events that tell the resident about a booked visit: the rebook link goes with them.
OFFERS_REBOOK = ("booked", "changed", "reminder")


def channel_for(visit) -> tuple[str, str]:
    """The resident's preferred way, where we hold what it needs; a letter otherwise."""
    preferred = visit["preferred_contact"]
    if preferred == "text" and visit["phone"]:
        return "sms", visit["phone"]
    if preferred == "email" and visit["email"]:
        return "email", visit["email"]
    if preferred == "phone" and visit["phone"]:
        return "phone", visit["phone"]
    address = [visit["resident_name"], visit["address_line1"], visit["address_line2"],
               visit["town"], visit["postcode"]]
    return "letter", "\n".join(line for line in address if line)


def snapshot(db, visit) -> str:
    """What the resident is told the visit is: its time and who is coming."""
    return json.dumps({"starts_at": visit["starts_at"], "ends_at": visit["ends_at"],
                       "operatives": [o["id"] for o in queries.operatives_of_visit(
                           db, visit["id"])]})


def queue_for_visit(db, visit_id: int, event: str, now: datetime | None = None,
                    occasion: str | None = None) -> int | None:
    """Queue the message this event gives the resident; its id, or None when there is nothing
    new to tell (a change to the steps only, an event already told). Call inside the
    transaction that made the change."""
    now = now or datetime.now(UTC)
    visit = queries.visit_for_message(db, visit_id)
    if (event == "cancelled" and to_local(visit["starts_at"]) - now < SHORT_NOTICE
            and visit["cancel_reason"] not in RESIDENTS_OWN_REASONS):
        event = "cancelled_short_notice"
    if event not in EVENTS:
        raise ValueError(f"not a message event: {event}")
    state = snapshot(db, visit)
    with transaction(db):
        if event == "changed" and not _changed(db, visit_id, state):
            return None
        if event in ("booked", "changed", "time_chosen"):
            _queue_reminder(db, visit, now)
        waiting = queries.unwritten_message(db, visit_id, event)
        if event == "changed" and waiting is not None:
            queries.update_snapshot(db, waiting["id"], state)
            return waiting["id"]  # one message for a run of changes, written after the last
        return _queue(db, visit, event, state, now, occasion)


def _changed(db, visit_id: int, state: str) -> bool:
    told = queries.last_snapshot(db, visit_id)
    return told is not None and json.loads(told) != json.loads(state)


def _queue(db, visit, event: str, state: str, now: datetime,
           occasion: str | None = None) -> int | None:
    channel, recipient = channel_for(visit)
    occasion = occasion or (visit["starts_at"] if event == "reminder"
                else queries.event_count(db, visit["id"], event, channel) + 1
                if event in REPEATABLE else 1)
    message_id = queries.create_message(
        db, visit_id=visit["id"], resident_id=visit["resident_id"], event=event,
        channel=channel, key=f"visit-{visit['id']}:{event}:{occasion}:{channel}",
        recipient=recipient, visit_snapshot=state)
    later = WRITE_AFTER if event in ("booked", "changed") else timedelta(0)
    if message_id is not None:
        jobs.enqueue(db, "send_message", {"message_id": message_id}, run_after=now + later)
    # A supported resident may agree that their advocate gets a copy, by text.
    advocate = advocate_copy_for(db, visit["resident_id"])
    if advocate is not None:
        copy_id = queries.create_message(
            db, visit_id=visit["id"], resident_id=visit["resident_id"], event=event,
            channel="sms", key=f"visit-{visit['id']}:{event}:{occasion}:advocate-sms",
            recipient=advocate["advocate_phone"], visit_snapshot=state)
        if copy_id is not None:
            jobs.enqueue(db, "send_message", {"message_id": copy_id}, run_after=now + later)
    return message_id


def _queue_reminder(db, visit, now: datetime) -> None:
    when = reminder_time(visit["starts_at"])
    if when > now:  # booked later than that: the booking message is the reminder
        jobs.enqueue(db, "message_reminder", {"visit_id": visit["id"],
                                              "starts_at": visit["starts_at"]}, run_after=when)


def queue_after_log(db, visit_id: int, outcome: str) -> int | None:
    """A log that says we did not come is our slip: the resident hears it from us first."""
    if outcome == "not_attended":
        return queue_for_visit(db, visit_id, "not_attended")
    return None


def send_again(db, message_id: int, user_id: int) -> int:
    """The same words again, as a new message (its own key), sent by the worker to the
    resident's contact details as they are now (the officer may have just corrected them)."""
    original = queries.message(db, message_id)
    channel, recipient = channel_for(queries.visit_for_message(db, original["visit_id"]))
    with transaction(db):
        again = queries.create_message(
            db, visit_id=original["visit_id"], resident_id=original["resident_id"],
            event=original["event"], channel=channel,
            key=f"{original['key']}:again:{queries.resend_count(db, message_id) + 1}",
            recipient=recipient, visit_snapshot=original["visit_snapshot"],
            subject=original["subject"], body=original["body"], resend_of=message_id,
            created_by=user_id, language=original["language"])
        jobs.enqueue(db, "send_message", {"message_id": again})
    return again


@jobs.handler("message_reminder")
def remind(db, payload: dict, now) -> None:
    """The day before: only if the visit is still booked at the time it was booked for, not
    while the resident's visits are paused (they are away: reminders stop), and not while the
    resident's request for another time stands (we told them we would find one)."""
    visit = queries.visit_for_message(db, payload["visit_id"])
    if visit and visit["status"] == "booked" and visit["starts_at"] == payload["starts_at"] \
            and not visit["rebook_requested"] \
            and not queries.in_pause(db, visit["resident_id"], visit["starts_at"]):
        queue_for_visit(db, visit["id"], "reminder", now=now)


@jobs.handler("send_message")
def send_message(db, payload: dict, now) -> None:
    """Write the message (if it has no words yet) and send it. A message already sent, kept or
    refused is left alone, so a job run twice never sends twice."""
    message = queries.message(db, payload["message_id"])
    if message is None or message["status"] != "queued":
        return
    if not message["body"]:
        written = _write(db, message)
        with transaction(db):
            queries.write_message(db, message["id"], written.subject, written.body,
                                  written.language)
        message = queries.message(db, message["id"])
    outcome = delivery.deliver(db, message)  # raises on 429/5xx: the worker retries with backoff
    with transaction(db):
        queries.set_status(db, message["id"], outcome.status, error=outcome.error,
                           provider_id=outcome.provider_id, sent=outcome.status == "sent")
        if outcome.provider_id:
            jobs.enqueue(db, "message_status", {"message_id": message["id"], "checks": 0},
                         run_after=now + delivery.STATUS_AFTER)


def _write(db, message) -> words.Words:
    if not has_request_context():  # the worker: links are built as in a request
        with current_app.test_request_context():
            return _write(db, message)
    if message["event"] in OFFERS_CHOICE:
        return words.compose(db, message["visit_id"], message["event"],
                             choice_link=tokens.offer_url(message["visit_id"]))
    visit = queries.visit_for_message(db, message["visit_id"])
    # While the resident is away nothing asks them to act: no "can't make it?" link.
    asks_nothing = queries.in_pause(db, visit["resident_id"], visit["starts_at"])
    link = (tokens.rebook_url(message["visit_id"])
            if message["event"] in OFFERS_REBOOK and not asks_nothing else "")
    return words.compose(db, message["visit_id"], message["event"], rebook_link=link)


@jobs.handler("tell_what_changed")
def tell_what_changed(db, payload: dict, now) -> None:
    """An officer closed an alert raised by the resident's feedback and said what changed:
    the resident hears it ("you said, we did"). Queued once per alert (its own key); an alert
    closed with "no change was needed" sends nothing."""
    visit_id = queries.visit_of_changed_alert(db, payload["alert_id"])
    if visit_id is not None:
        queue_for_visit(db, visit_id, "you_said_we_did", now=now,
                        occasion=f"alert-{payload['alert_id']}")


@jobs.handler("message_status")
def check_status(db, payload: dict, now) -> None:
    """Ask Notify how a sent message is doing, until it is delivered or refused."""
    message = queries.message(db, payload["message_id"])
    if message is None or message["status"] != "sent":
        return
    status, error = delivery.fetch_status(message["provider_id"])
    with transaction(db):
        if status in ("delivered", "could_not_send"):
            queries.set_status(db, message["id"], status, error=error)
        elif payload["checks"] < delivery.STATUS_CHECKS:
            jobs.enqueue(db, "message_status", {**payload, "checks": payload["checks"] + 1},
                         run_after=now + delivery.STATUS_AFTER)


def for_visit(db, visit_id: int, landlord_id: int):
    """The visit's messages, newest first, for its page."""
    return queries.messages_for_visit(db, visit_id, landlord_id)


def for_resident(db, resident_id: int, landlord_id: int):
    """The resident's messages, newest first, for their page."""
    return queries.messages_for_resident(db, resident_id, landlord_id)
