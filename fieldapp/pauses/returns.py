"""The return: a "welcome home" alert on the pause's end date (or when the officer ends it),
and a review alert every 28 days for a pause with no end date. Worker jobs, safe to run twice:
each alert is marked raised under a unique key in the same transaction as the alert itself."""

from datetime import UTC, date, datetime, time, timedelta

from fieldapp.alerts.rules import raise_resident_alert
from fieldapp.core import jobs
from fieldapp.core.clock import local_to_utc_iso, today_local
from fieldapp.core.db import transaction
from fieldapp.pauses import queries

REVIEW_EVERY = timedelta(days=28)
# The alerts' words: the officer's prompt, never why the resident was away.
WELCOME_HOME = "Welcome home: check in with the resident and rebook their visits"
REVIEW = ("Visits have been paused for 28 days with no end date: check in with the resident "
          "and decide together whether to keep the pause")


def day_start(day: date) -> str:
    return local_to_utc_iso(day, time.min)


def schedule(db, pause_id: int) -> None:
    """Queue the pause's next alert, inside the transaction that recorded or changed it."""
    pause = queries.pause(db, pause_id)
    if pause["ends_at"] is None:
        due = datetime.fromisoformat(pause["starts_at"]) + REVIEW_EVERY
        jobs.enqueue(db, "pause_review", {"pause_id": pause_id, "due": due.isoformat()},
                     run_after=due)
    else:
        jobs.enqueue(db, "pause_return", {"pause_id": pause_id, "ends_at": pause["ends_at"]},
                     run_after=datetime.fromisoformat(pause["ends_at"]))


def end_on(db, pause, ends_on: date, user_id: int | None, now: datetime | None = None) -> None:
    """The resident is back on that day: today or earlier ends the pause now, with the
    welcome-home alert; a later day waits for the worker. Inside a transaction."""
    now = now or datetime.now(UTC)
    ends_on = max(ends_on, date.fromisoformat(pause["starts_on"]))
    ends_at = day_start(ends_on)
    if ends_on <= today_local():
        ends_at = max(min(ends_at, now.isoformat(timespec="seconds")), pause["starts_at"])
    queries.set_end(db, pause["id"], ends_on.isoformat(), ends_at, user_id)
    if ends_on <= today_local():
        welcome_home(db, pause["id"])
    else:
        schedule(db, pause["id"])


def welcome_home(db, pause_id: int) -> int | None:
    """The return alert, once per pause whoever asks first (the officer or the worker)."""
    pause = queries.pause(db, pause_id)
    if not queries.mark_alert_raised(db, pause_id, "return", "return"):
        return None
    alert_id = raise_resident_alert(db, pause["resident_id"], "reach_out", WELCOME_HOME)
    queries.set_raised_alert(db, pause_id, "return", "return", alert_id)
    return alert_id


@jobs.handler("pause_return")
def pause_return(db, payload: dict, _now) -> None:
    """On the end date. Nothing if the end date changed since (a newer job has the new one)."""
    pause = queries.pause(db, payload["pause_id"])
    if pause is None or pause["ends_at"] != payload["ends_at"]:
        return
    with transaction(db):
        welcome_home(db, pause["id"])


@jobs.handler("pause_review")
def pause_review(db, payload: dict, _now) -> None:
    """Every 28 days while the pause has no end date; the next review is queued with it."""
    pause = queries.pause(db, payload["pause_id"])
    if pause is None or pause["ends_at"] is not None:
        return
    with transaction(db):
        if not queries.mark_alert_raised(db, pause["id"], "review", payload["due"]):
            return
        alert_id = raise_resident_alert(db, pause["resident_id"], "reach_out", REVIEW)
        queries.set_raised_alert(db, pause["id"], "review", payload["due"], alert_id)
        due = datetime.fromisoformat(payload["due"]) + REVIEW_EVERY
        jobs.enqueue(db, "pause_review", {"pause_id": pause["id"], "due": due.isoformat()},
                     run_after=due)
