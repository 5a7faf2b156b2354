"""Sending pushes from the worker. The message never carries health detail: it says only that
something needs the officer, and the detail is behind sign-in."""

import json

import requests
from flask import current_app, has_app_context
from pywebpush import WebPushException, webpush

from fieldapp.core import jobs
from fieldapp.core.db import transaction
from fieldapp.push import endpoints, keys, queries

TIMEOUT_SECONDS = 10
TTL_SECONDS = 12 * 3600  # an officer's phone may be off for a while; hold the push half a day
GONE = (404, 410)
MESSAGES = {
    "urgent": "Urgent: a concern was logged after a visit. Open fieldapp.",
    "reach_out": "A visit needs a follow-up from you. Open fieldapp.",
    "test": "Notifications are working on this device.",
    "lone_worker": "Urgent: an operative working alone needs a check. Open fieldapp.",
    "lone_worker_safe": "An operative you were told about is out safe. Open fieldapp.",
    "checkin_reminder": "Still OK? Extend or check out.",
}
# A reminder is no use after the check-in has escalated: held only until then.
TTL_BY_KIND = {"checkin_reminder": 25 * 60}
HIGH_URGENCY = ("urgent", "lone_worker", "checkin_reminder")
# Pushes about a lone worker, and an urgent alert's (a resident at risk), are safety jobs: the
# worker sends them before any other due job.
SAFETY_KINDS = ("urgent", "lone_worker", "lone_worker_safe", "checkin_reminder")


class _NoRedirects(requests.Session):
    """A push service answers a push itself: a redirect is answered as the failure it is, never
    followed somewhere the endpoint check did not see."""

    def get_redirect_target(self, _response):
        return None


def queue_for_alert(db, alert_id: int, user_id: int | None, severity: str) -> None:
    if user_id is not None:
        jobs.enqueue(db, "send_push", {"user_id": user_id, "kind": severity,
                                       "url": f"/alerts/{alert_id}"},
                     safety=severity in SAFETY_KINDS)


def queue_for_user(db, user_id: int, kind: str, url: str) -> None:
    """A push of one of MESSAGES' kinds to every device of this person, from the worker."""
    jobs.enqueue(db, "send_push", {"user_id": user_id, "kind": kind, "url": url},
                 safety=kind in SAFETY_KINDS)


def _claims() -> dict:
    """A new dict on every call: pywebpush writes the audience into the dict it is given."""
    contact = "mailto:fieldapp@localhost"
    if has_app_context():
        contact = current_app.config.get("FIELDAPP_PUSH_CONTACT", contact)
    return {"sub": contact}


def _warn(message: str, *args) -> None:
    if has_app_context():
        current_app.logger.warning(message, *args)


@jobs.handler("send_push")
def send_push(db, payload: dict, _now) -> None:
    """Fan out: one job per device, so a retry never sends twice to a device that got it."""
    with transaction(db):
        for subscription_id in queries.subscription_ids_for_user(db, payload["user_id"]):
            jobs.enqueue(db, "push_to_device", {**payload, "subscription_id": subscription_id},
                         safety=payload["kind"] in SAFETY_KINDS)


@jobs.handler("push_to_device")
def push_to_device(db, payload: dict, _now) -> None:
    vapid = keys.signer(db)
    subscription = queries.subscription(db, payload["subscription_id"])
    if vapid is None or subscription is None:
        return  # push not set up, or the device turned it off; the inbox has the alert
    try:
        endpoints.check(subscription["endpoint"])  # again: a name can change what it points to
    except endpoints.EndpointRefused as refused:
        if not refused.permanent:
            raise  # not a public address now, or not found: try later, never send there
        with transaction(db):  # not a push service at all: no later try would send
            queries.delete_subscription(db, subscription["id"])
        _warn("push endpoint refused and removed: %s", refused)
        return
    message = json.dumps({"title": "fieldapp", "body": MESSAGES[payload["kind"]],
                          "url": payload.get("url", "/inbox")})
    try:
        with _NoRedirects() as session:
            webpush({"endpoint": subscription["endpoint"],
                     "keys": {"p256dh": subscription["p256dh"], "auth": subscription["auth"]}},
                    message, vapid_private_key=vapid, vapid_claims=_claims(),
                    ttl=TTL_BY_KIND.get(payload["kind"], TTL_SECONDS),
                    timeout=TIMEOUT_SECONDS, requests_session=session,
                    headers={"Urgency": "high" if payload["kind"] in HIGH_URGENCY else "normal",
                             "Content-Type": "application/octet-stream"})
    except WebPushException as error:
        if getattr(error.response, "status_code", None) in GONE:
            with transaction(db):  # the device unsubscribed or the browser reset
                queries.delete_subscription(db, subscription["id"])
            return
        raise  # 429, 5xx: the worker retries later with backoff
