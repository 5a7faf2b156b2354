"""The lone-worker pattern: "I'm going in" starts a timer, "I'm out safe" ends it, and a visit
nobody checked out of in time escalates, by the worker: the operative's supervisors first (push
and their page), then the landlord's duty contacts (an urgent alert in their inbox, and push),
each step recorded with its time, until someone acknowledges. "I need help" escalates to both
at once.

Every message from the phone carries a client id made on the phone and is stored once, in the
same transaction as its effect. Times count from when the phone recorded the message, so a
check-in sent late from a basement still escalates on time, and an "out safe" that arrives
after an escalation ends it with a calm "received late" note.
"""

import uuid
from datetime import UTC, datetime, time, timedelta

from flask import current_app, has_app_context

from fieldapp.alerts import queries as alerts
from fieldapp.checkin import queries
from fieldapp.checkin.forms import EXTEND_MINUTES, KINDS, MINUTES, CheckinInput, minutes_choices
from fieldapp.core import audit, jobs
from fieldapp.core.clock import clock_time, day_bounds_utc, to_local, today_local
from fieldapp.core.db import transaction
from fieldapp.push import queries as push_queries
from fieldapp.push import sender

GRACE_MINUTES = 15
STEP_MINUTES = 10
REMIND_BEFORE_MINUTES = 10


def _setting(name: str, default: int) -> timedelta:
    minutes = current_app.config.get(name, default) if has_app_context() else default
    return timedelta(minutes=int(minutes))


def grace() -> timedelta:
    """How long after the expected end we wait for "out safe" before escalating."""
    return _setting("FIELDAPP_CHECKIN_GRACE_MINUTES", GRACE_MINUTES)


def step_window() -> timedelta:
    """How long the supervisors have to acknowledge before the duty contacts are told."""
    return _setting("FIELDAPP_CHECKIN_STEP_MINUTES", STEP_MINUTES)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def why_check_in(visit) -> list[str]:
    """Why the briefing asks for a check-in: the visit's flag, or a start at or after the
    landlord's "late in the day" time. Any other visit may be checked into by choice."""
    reasons = []
    if visit["lone_working"]:
        reasons.append("This visit is marked “do not visit alone”.")
    late_from = time.fromisoformat(visit["late_from"] or "17:00")
    if to_local(visit["starts_at"]).time() >= late_from:
        reasons.append(f"This visit is late in the day (from {late_from:%H:%M}).")
    return reasons


def expected_minutes(visit) -> int:
    """From the schedule of works' durations; else the booked window."""
    if visit["steps_minutes"]:
        return max(5, min(480, int(visit["steps_minutes"])))
    window = to_local(visit["ends_at"]) - to_local(visit["starts_at"])
    return max(5, min(480, int(window.total_seconds() // 60)))


def address(visit) -> str:
    parts = (visit["address_line1"], visit["address_line2"], visit["town"], visit["postcode"])
    return ", ".join(part for part in parts if part)


def event_body(event) -> dict:
    """What the phone gets back, the same on a resend."""
    return {"client_id": event["client_id"], "kind": event["kind"],
            "received_at": event["received_at"], "checkin_id": event["checkin_id"]}


def record(db, visit, operative_id: int, message: CheckinInput,
           now: datetime) -> tuple[str, dict]:
    """Stores one message from the phone, exactly once, with its effect and audit row.
    Returns ("created" | "replayed" | "conflict" | "unknown_checkin", body)."""
    # A phone clock ahead of ours counts as now: a check-in cannot end later than it could.
    phone_at = min(message.at or now, now)
    with transaction(db):
        existing = queries.event_by_client_id(db, message.client_id)
        if existing is not None:
            same = (existing["payload_hash"], existing["visit_id"], existing["operative_id"]) == (
                message.payload_hash(), visit["id"], operative_id)
            return ("replayed" if same else "conflict"), event_body(existing)
        target = None
        if message.checkin:
            started = queries.event_by_client_id(db, message.checkin)
            if started is None or started["checkin_id"] is None or (
                    started["operative_id"] != operative_id):
                return "unknown_checkin", {}
            target = queries.checkin(db, started["checkin_id"])
        elif message.kind in ("in", "help"):
            target = queries.open_checkin(db, visit["id"], operative_id)
        queries.create_event(
            db, client_id=message.client_id, kind=message.kind, visit_id=visit["id"],
            operative_id=operative_id, checkin_id=target["id"] if target else None,
            phone_at=stamp(phone_at), minutes=message.minutes,
            payload_hash=message.payload_hash(), received_at=stamp(now))
        if message.kind == "in" and target is None:
            target_id = _start(db, visit, operative_id, message, phone_at, now)
            queries.set_event_checkin(db, message.client_id, target_id)
        elif message.kind == "extend":
            _extend(db, target, message.minutes, phone_at, now)
        elif message.kind == "out":
            _out(db, target, phone_at, now)
        elif message.kind == "help":
            _help(db, visit, operative_id, target, message.client_id, phone_at, now)
        audit.record(f"checkin_{message.kind}", "visit", visit["id"], user_id=operative_id,
                     db=db)
        return "created", event_body(queries.event_by_client_id(db, message.client_id))


def _start(db, visit, operative_id, message, phone_at, now) -> int:
    due = phone_at + timedelta(minutes=message.minutes)
    checkin_id = queries.create_checkin(
        db, client_id=message.client_id, visit_id=visit["id"], operative_id=operative_id,
        started_at=stamp(phone_at), received_at=stamp(now), expected_minutes=message.minutes,
        due_at=stamp(due))
    _watch(db, checkin_id, due, now)
    return checkin_id


def _watch(db, checkin_id: int, due: datetime, now: datetime) -> None:
    """The overrun watch, and the reminder pushed to the operative's own devices: the phone's
    timer alone does not fire in a closed or sleeping browser."""
    payload = {"checkin_id": checkin_id, "due_at": stamp(due)}
    jobs.enqueue(db, "checkin_overdue", payload, run_after=due + grace())
    remind = due - timedelta(minutes=REMIND_BEFORE_MINUTES)
    if remind > now:
        jobs.enqueue(db, "checkin_remind", payload, run_after=remind)


def _late_words(what: str, phone_at: datetime, now: datetime) -> str:
    return (f"{what} at {clock_time(stamp(phone_at))} by the phone's clock, received late at "
            f"{clock_time(stamp(now))}: the phone had no signal. The operative is OK.")


def _extend(db, row, minutes: int, phone_at: datetime, now: datetime) -> None:
    if row["out_at"]:
        return
    due = max(datetime.fromisoformat(row["due_at"]), phone_at) + timedelta(minutes=minutes)
    note = ""
    if row["escalated_at"]:
        note = _late_words("Extended", phone_at, now)
        _calm_the_escalation(db, row, note, now)
        queries.mark_checkin_escalated(db, row["id"], None)
    queries.extend_checkin(db, row["id"], stamp(due), note)
    _watch(db, row["id"], due, now)


def _out(db, row, phone_at: datetime, now: datetime) -> None:
    if row["out_at"]:
        return
    note = ""
    if row["escalated_at"]:
        note = _late_words("Out safe", phone_at, now)
        _calm_the_escalation(db, row, note, now)
    queries.check_out(db, row["id"], stamp(phone_at), stamp(now), note)


def _calm_the_escalation(db, row, note: str, now: datetime) -> None:
    """Everyone told of the overrun hears that the operative is OK, calmly: the supervisors on
    their page and by push, the duty contacts by a reach-out alert beside the urgent one."""
    source = overrun_source(row)
    visit = queries.visit_with_address(db, row["visit_id"])
    for step in queries.escalation_steps(db, source):
        if step["step"] == "supervisor":
            sender.queue_for_user(db, step["user_id"], "lone_worker_safe", "/team")
        else:
            alert_id = alerts.insert_alert(
                db, visit["resident_id"], step["user_id"], None, "reach_out",
                f"Lone working: {queries.user_name(db, row['operative_id'])} is out safe. "
                + note, stamp(now))
            alerts.set_alert_visit(db, alert_id, visit["id"])
            sender.queue_for_user(db, step["user_id"], "lone_worker_safe", f"/alerts/{alert_id}")


def _help(db, visit, operative_id, row, client_id: str, phone_at: datetime,
          now: datetime) -> None:
    """At once, to the supervisors and the duty contacts, with the visit's address."""
    full = queries.visit_with_address(db, visit["id"])
    name = queries.user_name(db, operative_id)
    words = (f"{name} asked for help at {address(full)} at {clock_time(stamp(phone_at))}. "
             "They pressed a discreet button: call them and ask simple yes or no questions, "
             "or send someone.")
    source = f"help:{client_id}"
    for step in ("supervisor", "duty"):
        _send_step(db, step, source, "help", full, operative_id, row["id"] if row else None,
                   words, now)


def overrun_source(row) -> str:
    return f"checkin:{row['id']}:{row['due_at']}"


def _send_step(db, step: str, source: str, reason: str, visit, operative_id: int,
               checkin_id: int | None, words: str, now: datetime) -> int:
    """Sends one step of an escalation and records it per person; the number told."""
    if step == "supervisor":
        people = queries.supervisor_ids(db, visit["firm_id"])
    else:
        people = queries.duty_ids(db, visit["landlord_id"])
    for user_id in people:
        alert_id = None
        url = "/team"
        if step == "duty":
            alert_id = alerts.insert_alert(db, visit["resident_id"], user_id, None, "urgent",
                                           words, stamp(now))
            alerts.set_alert_visit(db, alert_id, visit["id"])
            url = f"/alerts/{alert_id}"
        queries.create_escalation(
            db, source=source, checkin_id=checkin_id, visit_id=visit["id"],
            operative_id=operative_id, reason=reason, step=step, user_id=user_id,
            alert_id=alert_id, sent_at=stamp(now))
        sender.queue_for_user(db, user_id, "lone_worker", url)
    return len(people)


def _overrun_words(db, row, visit) -> str:
    return (f"Lone working: {queries.user_name(db, row['operative_id'])} has not checked out "
            f"of the visit at {address(visit)}. Checked in at {clock_time(row['started_at'])}, "
            f"expected out by {clock_time(row['due_at'])}.")


def _still_waiting(db, payload: dict):
    row = queries.checkin(db, payload["checkin_id"])
    if row is None or row["out_at"] or row["due_at"] != payload["due_at"]:
        return None  # out safe, or extended (a new watch was queued then)
    return row


@jobs.handler("checkin_overdue")
def overdue(db, payload: dict, now: datetime) -> None:
    """Safe to run twice: a check-in already escalated, out or extended is left alone."""
    with transaction(db):
        row = _still_waiting(db, payload)
        if row is None or row["escalated_at"]:
            return
        visit = queries.visit_with_address(db, row["visit_id"])
        queries.mark_checkin_escalated(db, row["id"], stamp(now))
        words = _overrun_words(db, row, visit)
        told = _send_step(db, "supervisor", overrun_source(row), "overrun", visit,
                          row["operative_id"], row["id"], words, now)
        if told:
            jobs.enqueue(db, "checkin_duty", payload, run_after=now + step_window())
        else:  # no supervisor to tell: straight to the duty contacts
            _send_step(db, "duty", overrun_source(row), "overrun", visit,
                       row["operative_id"], row["id"], words, now)
        audit.record("checkin_escalated", "visit", row["visit_id"], db=db)


@jobs.handler("checkin_remind")
def remind(db, payload: dict, now: datetime) -> None:
    """"Still OK?" to the operative's devices, unless they are out or have extended (the
    extension queued its own reminder). The push names no resident: it links to the visit."""
    with transaction(db):
        row = _still_waiting(db, payload)
        if row is None or row["escalated_at"]:
            return
        sender.queue_for_user(db, row["operative_id"], "checkin_reminder",
                              f"/visits/{row['visit_id']}#check-in")


@jobs.handler("checkin_duty")
def duty(db, payload: dict, now: datetime) -> None:
    """The next step, unless a supervisor acknowledged or the duty contacts were told."""
    with transaction(db):
        row = _still_waiting(db, payload)
        if row is None or row["acknowledged_at"]:
            return
        source = overrun_source(row)
        if queries.is_acknowledged(db, source) or any(
                step["step"] == "duty" for step in queries.escalation_steps(db, source)):
            return
        visit = queries.visit_with_address(db, row["visit_id"])
        _send_step(db, "duty", source, "overrun", visit, row["operative_id"], row["id"],
                   _overrun_words(db, row, visit) + " Their supervisor has not acknowledged.",
                   now)
        audit.record("checkin_escalated_to_duty", "visit", row["visit_id"], db=db)


def acknowledge(db, escalation, user_id: int, now: datetime) -> None:
    with transaction(db):
        queries.acknowledge_escalation(db, escalation["source"], user_id, stamp(now))
        if escalation["checkin_id"] and escalation["reason"] == "overrun":
            queries.acknowledge_checkin(db, escalation["checkin_id"], user_id, stamp(now))
        audit.record("checkin_escalation_acknowledged", "visit", escalation["visit_id"],
                     user_id=user_id, db=db)


def remind_at(row) -> str:
    """When the phone reminds the operative: 10 minutes before the end."""
    return stamp(datetime.fromisoformat(row["due_at"]) - timedelta(minutes=REMIND_BEFORE_MINUTES))




def panel(db, visit_id: int, operative_id: int) -> dict | None:
    """What the briefing shows of check-in for this operative's visit; None when it is not
    theirs or not around today."""
    start, end = day_bounds_utc(today_local() - timedelta(days=1), days=3)
    visit = queries.visit_for_checkin(db, visit_id, operative_id, start, end)
    if visit is None:
        return None
    expected = expected_minutes(visit)
    current = queries.open_checkin(db, visit_id, operative_id)
    last = None if current else queries.last_checkin(db, visit_id, operative_id)
    return {"reasons": why_check_in(visit), "expected": expected,
            "minutes": minutes_choices(MINUTES, expected),
            "extend_minutes": minutes_choices(EXTEND_MINUTES),
            "open": current, "remind_at": remind_at(current) if current else None,
            "last": last,
            # Without push, the reminder shows only while the app is open: the page says so,
            # and offers notifications where the server can send them.
            "reminders_pushed": push_queries.subscription_count(db, operative_id) > 0,
            "can_push": push_queries.vapid_private_pem(db) is not None,
            # Made now, so a double tap or a resend of the same form is stored once.
            "ids": {kind: str(uuid.uuid4()) for kind in KINDS}}
