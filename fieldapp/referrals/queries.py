"""Every query of the referrals area. National lines have no landlord and are shared by all;
a landlord's admin keeps only their own routes. Reads return rows or None."""

import json

from fieldapp.core.catalogues import REFERRAL_HELPS
from fieldapp.core.db import query_all, query_one

HELP_LABELS = dict(REFERRAL_HELPS)

ROUTE_FIELDS = ("name", "helps_with", "hours", "phone", "text_number", "web_address",
                "takes_staff_referrals")


def _with_helps(row) -> dict:
    route = dict(row)
    route["helps"] = json.loads(route["helps_with"] or "[]")
    route["help_labels"] = [HELP_LABELS.get(code, code) for code in route["helps"]]
    return route


def routes_for_admin(db, landlord_id: int) -> list[dict]:
    """The landlord's own routes (active and disabled), then the national lines."""
    return [_with_helps(row) for row in query_all(db, """
        SELECT * FROM referral_routes WHERE landlord_id = ? OR landlord_id IS NULL
        ORDER BY landlord_id IS NULL, active DESC, name""", (landlord_id,))]


def own_route(db, route_id: int, landlord_id: int):
    """One of this landlord's own routes, else None (national lines are not theirs to edit)."""
    row = query_one(db, "SELECT * FROM referral_routes WHERE id = ? AND landlord_id = ?",
                    (route_id, landlord_id))
    return _with_helps(row) if row else None


def active_routes(db, landlord_id: int, helps=None) -> list[dict]:
    """The active routes open to this landlord's staff, local first; with `helps`, only
    routes that help with one of those things."""
    routes = [_with_helps(row) for row in query_all(db, """
        SELECT * FROM referral_routes
        WHERE active = 1 AND (landlord_id = ? OR landlord_id IS NULL)
        ORDER BY landlord_id IS NULL, name""", (landlord_id,))]
    if helps is None:
        return routes
    return [route for route in routes if set(route["helps"]) & set(helps)]


def route_name_taken(db, landlord_id: int, name: str, except_id: int | None = None) -> bool:
    return query_one(db, """
        SELECT 1 FROM referral_routes WHERE (landlord_id = ? OR landlord_id IS NULL)
          AND lower(name) = lower(?) AND id IS NOT ?""",
                     (landlord_id, name, except_id)) is not None


def create_route(db, landlord_id: int | None, values: dict, now: str) -> int:
    return db.execute(f"""
        INSERT INTO referral_routes (landlord_id, {", ".join(ROUTE_FIELDS)}, created_at,
                                     updated_at)
        VALUES (?, {", ".join("?" * len(ROUTE_FIELDS))}, ?, ?)""",
                      (landlord_id, *_stored(values), now, now)).lastrowid


def update_route(db, route_id: int, values: dict, now: str) -> None:
    db.execute(f"""
        UPDATE referral_routes SET {", ".join(f"{name} = ?" for name in ROUTE_FIELDS)},
            updated_at = ? WHERE id = ?""", (*_stored(values), now, route_id))


def set_route_active(db, route_id: int, active: bool, now: str) -> None:
    db.execute("UPDATE referral_routes SET active = ?, updated_at = ? WHERE id = ?",
               (int(active), now, route_id))


def _stored(values: dict) -> tuple:
    return tuple(json.dumps(values[name]) if name == "helps_with" else values[name]
                 for name in ROUTE_FIELDS)


def create_referral(db, alert_id: int, route_id: int, made_by: int, note: str,
                    now: str) -> int:
    return db.execute("INSERT INTO referrals (alert_id, route_id, made_by, note, made_at)"
                      " VALUES (?, ?, ?, ?, ?)",
                      (alert_id, route_id, made_by, note, now)).lastrowid


def referrals_of_alert(db, alert_id: int) -> list:
    return query_all(db, """
        SELECT referrals.*, referral_routes.name AS route_name, users.name AS made_by_name
        FROM referrals JOIN referral_routes ON referral_routes.id = referrals.route_id
        JOIN users ON users.id = referrals.made_by
        WHERE referrals.alert_id = ? ORDER BY referrals.made_at""", (alert_id,))
