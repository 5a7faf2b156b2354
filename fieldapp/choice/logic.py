"""What a pick, a "none suit", an undo or a wish does, each in one transaction with its audit
row, its message (messages.outbox) and, where the officer must act, an alert."""

from datetime import UTC, date, datetime, time, timedelta

from flask_babel import format_date, gettext

from fieldapp.alerts.rules import raise_visit_alert_once
from fieldapp.choice import queries
from fieldapp.core import audit
from fieldapp.core.catalogues import timing_broken
from fieldapp.core.clock import LOCAL_ZONE, to_local, today_local
from fieldapp.core.db import transaction, utc_now
from fieldapp.messages import outbox
from fieldapp.schedule.checks import window_in_words
from fieldapp.schedule.queries import booked_visits_overlapping
from fieldapp.voice.tokens import why_offer_closed

NONE_SUIT_REASON = "None of the times offered suit the resident"
UNDO_REASON = "The resident can make the booked time after all"
WISH_REASON = "The resident said what matters to them for the visit"


def window_words(starts_at: str, ends_at: str) -> str:
    """"Thursday 4 December, 10:00 to 12:00" in the page's language."""
    starts, ends = to_local(starts_at), to_local(ends_at)
    return gettext("%(day)s, %(starts)s to %(ends)s",
                   day=format_date(starts.date(), "EEEE d MMMM"),
                   starts=starts.strftime("%H:%M"), ends=ends.strftime("%H:%M"))


def clashes(db, landlord_id: int, visit_id: int, operatives, starts_at: str,
            ends_at: str) -> list[str]:
    """The visit's operatives' other bookings that overlap this window, in the officer's words:
    a window taken meanwhile is not offered and cannot be picked."""
    return [f"{v['operatives'][o]} is already booked then: {v['job_ref']}, "
            f"{window_in_words(v['starts_at'], v['ends_at'])}"
            for v in booked_visits_overlapping(db, landlord_id, starts_at, ends_at)
            if v["id"] != visit_id for o in operatives if o in v["operatives"]]


def slot_taken_elsewhere(window, visit_id: int) -> bool:
    """The window was offered from an available slot that another visit has since taken."""
    return window["slot_taken_by"] not in (None, visit_id)


def live_offer(db, visit):
    """The visit's open offer while the resident can still answer it, else None."""
    return None if why_offer_closed(db, visit) else queries.open_offer(db, visit["id"])


def can_change(visit, offer, now: datetime | None = None) -> bool:
    """The first pick may be made while the offer is open and the visit to come; a change of
    mind up to the day before the visit booked."""
    if visit["status"] != "booked" or offer is None:
        return False
    if to_local(visit["starts_at"]) <= (now or datetime.now(UTC)):
        return False
    if offer["chosen_window_id"] is None:
        return True
    return today_local() < to_local(visit["starts_at"]).date()


def windows_to_show(db, visit, offer, now: datetime | None = None) -> list[dict]:
    """The offer's windows still to be had: in the future and not taken by the operatives'
    other bookings, each with its words; the one chosen is marked."""
    now = now or datetime.now(UTC)
    operatives = queries.operatives_of_visit(db, visit["id"])
    shown = []
    for window in queries.windows_of_offer(db, offer["id"]):
        if to_local(window["starts_at"]) <= now:
            continue
        chosen = window["id"] == offer["chosen_window_id"]
        if not chosen and slot_taken_elsewhere(window, visit["id"]):
            continue
        if not chosen and clashes(db, visit["landlord_id"], visit["id"], operatives,
                                  window["starts_at"], window["ends_at"]):
            continue
        shown.append({**dict(window), "chosen": chosen,
                      "label": window_words(window["starts_at"], window["ends_at"])})
    return shown


def pick(db, visit, offer, window_id: int, seen_version: int) -> str:
    """Books the visit at the window picked: "booked", or why not: "taken" (an operative was
    booked then meanwhile, or it has passed), "raced" (another pick got there first), "late",
    "closed" (the visit has happened or is cancelled: it is never moved)."""
    now = utc_now()
    with transaction(db):
        visit = queries.visit_for_choice(db, visit["id"])  # as it is now, in the transaction
        if why_offer_closed(db, visit):
            return "closed"
        if not can_change(visit, offer):
            return "late"
        if window_id == offer["chosen_window_id"]:
            return "booked"  # the time already chosen, sent again: nothing changes
        window = next((w for w in queries.windows_of_offer(db, offer["id"])
                       if w["id"] == window_id), None)
        if window is None or to_local(window["starts_at"]) <= datetime.now(UTC) \
                or slot_taken_elsewhere(window, visit["id"]) or clashes(
                db, visit["landlord_id"], visit["id"], queries.operatives_of_visit(
                    db, visit["id"]), window["starts_at"], window["ends_at"]):
            return "taken"
        if not queries.choose_window(db, offer["id"], window_id, seen_version, now):
            return "raced"
        queries.move_visit(db, visit["id"], window["starts_at"], window["ends_at"], now)
        # A slot chosen before is free again; the one chosen now is the visit's. Under this
        # transaction's write lock, the check above still holds: the take cannot fail.
        queries.release_slots_of_visit(db, visit["id"], keep_slot_id=window["slot_id"])
        if window["slot_id"] is not None:
            queries.take_slot(db, window["slot_id"], visit["id"], now)
        audit.record("time_chosen_by_resident", "visit", visit["id"], db=db)
        outbox.queue_for_visit(db, visit["id"], "time_chosen")
    return "booked"


def none_suit(db, visit, offer, when_suits: str, seen_version: int) -> str:
    """"none", or why not: "raced", or "closed" (the visit has happened or is cancelled)."""
    now = utc_now()
    with transaction(db):
        visit = queries.visit_for_choice(db, visit["id"])
        if why_offer_closed(db, visit):
            return "closed"
        if offer["version"] != seen_version:
            return "raced"
        queries.mark_none_suit(db, offer["id"], when_suits, now)
        raise_visit_alert_once(db, visit, "reach_out", NONE_SUIT_REASON)
        audit.record("offered_times_none_suit", "visit", visit["id"], db=db)
    return "none"


def undo_cant_make_it(db, visit) -> str:
    """"undone", "none" (there was no request standing), or "closed" (the visit has happened
    or is cancelled: there is nothing left to take back)."""
    with transaction(db):
        if why_offer_closed(db, queries.visit_for_choice(db, visit["id"])):
            return "closed"
        if not queries.withdraw_rebook_request(db, visit["id"], utc_now()):
            return "none"
        raise_visit_alert_once(db, visit, "reach_out", UNDO_REASON)
        audit.record("rebook_request_withdrawn", "visit", visit["id"], db=db)
    return "undone"


def save_wish(db, visit, words: str) -> str:
    """"saved", or "closed" (the visit has happened or is cancelled: a wish for it is late)."""
    with transaction(db):
        if why_offer_closed(db, queries.visit_for_choice(db, visit["id"])):
            return "closed"
        queries.save_wish(db, visit["id"], words, utc_now())
        raise_visit_alert_once(db, visit, "reach_out", WISH_REASON)
        audit.record("visit_wish_given", "visit", visit["id"], db=db)
    return "saved"


# The windows the offer form suggests, in order of preference, each two hours.
SUGGESTED_SLOTS = ((time(10), time(12)), (time(13), time(15)), (time(15), time(17)),
                   (time(8), time(10)))
SUGGEST_DAYS_AHEAD = 14


def free_windows(db, visit, timing: dict, count: int = 3) -> list[tuple[date, time, time]]:
    """The first free windows of the visit's operatives, one a day, from tomorrow: not the day
    booked, not Sunday, not at times the resident asked us to avoid. What the offer form
    starts with; the officer may change any of them."""
    operatives = queries.operatives_of_visit(db, visit["id"])
    booked_day, found = to_local(visit["starts_at"]).date(), []
    for ahead in range(1, SUGGEST_DAYS_AHEAD + 1):
        day = today_local() + timedelta(days=ahead)
        if day == booked_day or day.weekday() == 6:
            continue
        for start, end in SUGGESTED_SLOTS:
            starts, ends = (datetime.combine(day, at, LOCAL_ZONE) for at in (start, end))
            window = [moment.astimezone(UTC).isoformat(timespec="seconds")
                      for moment in (starts, ends)]
            if not timing_broken(timing, starts, ends) and not clashes(
                    db, visit["landlord_id"], visit["id"], operatives, *window):
                found.append((day, start, end))
                break
        if len(found) == count:
            break
    return found
