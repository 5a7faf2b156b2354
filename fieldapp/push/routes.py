"""Notification settings: turn pushes on or off for this device, remove any of one's devices
from the list (a lost phone), and send a test."""

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user

from fieldapp.core import audit, jobs
from fieldapp.core.access import PUSH_ROLES, roles
from fieldapp.core.clock import when_in_words
from fieldapp.core.db import get_db, transaction, utc_now
from fieldapp.core.limits import landlord_and_person, limiter
from fieldapp.core.security import ERROR_PAGES, JsonRefused, json_body, wait_for
from fieldapp.push import bp, endpoints, keys, queries

TAKEN = ("Notifications on this device are turned on for another account. Ask them to sign in "
         "and turn notifications off on this page, then try again.")
# Each device is one more push job for every alert: ten is plenty for one person.
MAX_DEVICES = 10
FULL = (f"Notifications are already on for {MAX_DEVICES} devices, the most we allow. To add "
        "this one, remove a device you no longer use from the list on this page.")
# Turning on and testing queue work for the worker: limited per person, so one account cannot
# fill the queue that also carries lone-worker escalations. Turning off writes an audit row
# each time: limited the same way.
SUBSCRIBE_LIMIT = "20 per hour"
UNSUBSCRIBE_LIMIT = "20 per hour"
TEST_LIMIT = "10 per hour"


def _too_many(limit):
    """The settings page shows a JSON refusal's words as they are."""
    _heading, what, _todo = ERROR_PAGES[429]
    response = jsonify(errors={"subscription": f"{what} {wait_for(limit.limit)}"})
    response.status_code = 429
    return response


@bp.get("/settings/notifications")
@roles(*PUSH_ROLES)
def settings():
    db = get_db()
    devices = [{"id": row["id"], "name": endpoints.service_name(row["endpoint"]),
                "created_at": row["created_at"], "mark": endpoints.fingerprint(row["endpoint"])}
               for row in queries.subscriptions_for_user(db, current_user.id)]
    return render_template("push/settings.html", public_key=keys.public_key(db),
                           devices=devices, max_devices=MAX_DEVICES)


def _subscription_from(body) -> tuple[str, str, str] | None:
    if not isinstance(body, dict):
        return None
    endpoint, sub_keys = body.get("endpoint"), body.get("keys") or {}
    if not isinstance(endpoint, str) or not isinstance(sub_keys, dict):
        return None
    p256dh, auth = sub_keys.get("p256dh"), sub_keys.get("auth")
    if not all(isinstance(v, str) and 0 < len(v) < 200 for v in (p256dh, auth)) \
            or len(endpoint) > 1000:
        return None
    return endpoint, p256dh, auth


@bp.post("/push/subscriptions")
@roles(*PUSH_ROLES)
@limiter.limit(SUBSCRIBE_LIMIT, key_func=landlord_and_person, on_breach=_too_many)
def subscribe():
    try:
        body = json_body()
    except JsonRefused as refused:
        return jsonify(errors={"subscription": str(refused)}), refused.status
    subscription = _subscription_from(body)
    if subscription is None:
        return jsonify(errors={"subscription": "Send the browser's push subscription"}), 400
    try:
        endpoints.check(subscription[0])
    except endpoints.EndpointRefused as refused:
        return jsonify(errors={"subscription": str(refused)}), 400
    db = get_db()
    with transaction(db):
        if queries.subscription_count(db, current_user.id) >= MAX_DEVICES \
                and not queries.is_subscribed(db, current_user.id, subscription[0]):
            return jsonify(errors={"subscription": FULL}), 409
        if not queries.save_subscription(db, current_user.id, *subscription, utc_now()):
            return jsonify(errors={"subscription": TAKEN}), 409
        audit.record("push_subscribed", "user", current_user.id, db=db)
    return jsonify(devices=queries.subscription_count(db, current_user.id)), 201


@bp.post("/push/subscriptions/delete")
@roles(*PUSH_ROLES)
@limiter.limit(UNSUBSCRIBE_LIMIT, key_func=landlord_and_person, on_breach=_too_many)
def unsubscribe():
    try:
        body = json_body()
    except JsonRefused as refused:
        if not refused.unreadable:  # too deep or too large: say so
            return jsonify(errors={"subscription": str(refused)}), refused.status
        body = {}  # nothing readable: nothing to turn off, as before
    body = body if isinstance(body, dict) else {}
    db = get_db()
    with transaction(db):
        queries.delete_subscription_for_user(db, current_user.id, str(body.get("endpoint", "")))
        audit.record("push_unsubscribed", "user", current_user.id, db=db)
    return jsonify(devices=queries.subscription_count(db, current_user.id))


@bp.post("/push/subscriptions/<int:subscription_id>/remove")
@roles(*PUSH_ROLES)
def remove_device(subscription_id: int):
    """A device removed from the list, from any device: a lost or broken phone cannot turn its
    own notifications off. Only the owner's: anyone else's is not found."""
    db = get_db()
    device = queries.subscription_of_user(db, subscription_id, current_user.id)
    if device is None:
        abort(404)
    with transaction(db):
        queries.delete_subscription(db, device["id"])
        audit.record("push_device_removed", "push_subscription", device["id"], db=db)
    flash(f"Device removed: {endpoints.service_name(device['endpoint'])}, turned on "
          f"{when_in_words(device['created_at'])}. It will get no more notifications from "
          "fieldapp.", "success")
    return redirect(url_for("push.settings"), code=303)


@bp.post("/push/test")
@roles(*PUSH_ROLES)
@limiter.limit(TEST_LIMIT, key_func=landlord_and_person)
def send_test():
    db = get_db()
    with transaction(db):
        jobs.enqueue(db, "send_push", {"user_id": current_user.id, "kind": "test",
                                       "url": url_for("push.settings")})
    flash("A test notification is on its way to each device you turned on. If nothing "
          "arrives within a minute, turn notifications off and on again.", "success")
    current_app.logger.info("test push queued for user %s", current_user.id)
    return redirect(url_for("push.settings"), code=303)
