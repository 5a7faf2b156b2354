"""Every query of the push area: the devices an officer turned notifications on for, and the
VAPID key that signs our pushes."""

from fieldapp.core.db import query_all, query_one

PRIVATE_KEY = "vapid_private_pem"


def save_subscription(db, user_id: int, endpoint: str, p256dh: str, auth: str,
                      now: str) -> bool:
    """A browser gives one endpoint per device: signing up again refreshes its keys. False,
    with nothing changed, when the endpoint is another user's: it is never handed over."""
    return db.execute(
        "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (endpoint) DO UPDATE SET"
        " p256dh = excluded.p256dh, auth = excluded.auth"
        " WHERE push_subscriptions.user_id = excluded.user_id",
        (user_id, endpoint, p256dh, auth, now)).rowcount == 1


def delete_subscription_for_user(db, user_id: int, endpoint: str) -> None:
    db.execute("DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?",
               (user_id, endpoint))


def subscriptions_for_user(db, user_id: int) -> list:
    """This person's devices, the newest first."""
    return query_all(db, "SELECT id, endpoint, created_at FROM push_subscriptions"
                         " WHERE user_id = ? ORDER BY created_at DESC, id DESC", (user_id,))


def subscription_of_user(db, subscription_id: int, user_id: int):
    """One of this person's devices; None when it is not theirs (or not there)."""
    return query_one(db, "SELECT id, endpoint, created_at FROM push_subscriptions"
                         " WHERE id = ? AND user_id = ?", (subscription_id, user_id))


def delete_subscription(db, subscription_id: int) -> None:
    db.execute("DELETE FROM push_subscriptions WHERE id = ?", (subscription_id,))


def subscription_count(db, user_id: int) -> int:
    return query_one(db, "SELECT count(*) AS n FROM push_subscriptions WHERE user_id = ?",
                     (user_id,))["n"]


def is_subscribed(db, user_id: int, endpoint: str) -> bool:
    return query_one(db, "SELECT 1 AS yes FROM push_subscriptions WHERE user_id = ?"
                     " AND endpoint = ?", (user_id, endpoint)) is not None


def subscription_ids_for_user(db, user_id: int) -> list[int]:
    return [row["id"] for row in query_all(
        db, "SELECT id FROM push_subscriptions WHERE user_id = ?", (user_id,))]


def subscription(db, subscription_id: int):
    return query_one(db, "SELECT * FROM push_subscriptions WHERE id = ?", (subscription_id,))


def vapid_private_pem(db) -> str | None:
    row = query_one(db, "SELECT value FROM settings WHERE key = ?", (PRIVATE_KEY,))
    return row["value"] if row else None


def save_vapid_private_pem(db, pem: str) -> None:
    db.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
               " SET value = excluded.value", (PRIVATE_KEY, pem))
