"""Every query of the pathways area: a resident's pathway, what booking checks read about it,
and the landlord's team inbox. Reads return rows or None; the routes decide 404."""

from fieldapp.core.access import OFFICE_ROLES
from fieldapp.core.db import query_all, query_one

PATHWAY_FIELDS = ("pathway", "pathway_consent_given_by", "pathway_consent_how",
                  "pathway_consent_on", "pathway_more_visits", "pathway_advocate_messages")


def resident_pathway(db, resident_id: int, landlord_id: int):
    """The resident's name, advocate and pathway, if they are this landlord's; else None."""
    return query_one(db, """
        SELECT residents.id, residents.name, residents.preferred_name, residents.officer_id,
               residents.advocate_name, residents.advocate_phone,
               residents.pathway, residents.pathway_consent_given_by,
               residents.pathway_consent_how, residents.pathway_consent_on,
               residents.pathway_more_visits, residents.pathway_advocate_messages,
               residents.pathway_set_at, setter.name AS pathway_set_by_name
        FROM residents LEFT JOIN users AS setter ON setter.id = residents.pathway_set_by
        WHERE residents.id = ? AND residents.landlord_id = ?""", (resident_id, landlord_id))


def set_pathway(db, resident_id: int, values: dict, user_id: int, now: str) -> None:
    db.execute(f"""
        UPDATE residents SET {", ".join(f"{name} = ?" for name in PATHWAY_FIELDS)},
            pathway_set_by = ?, pathway_set_at = ?, updated_at = ?
        WHERE id = ?""",
               (*(values[name] for name in PATHWAY_FIELDS), user_id, now, now, resident_id))


def supported_residents(db, resident_ids) -> dict[int, dict]:
    """For booking checks: each supported resident among these, with whether they asked for
    more than one visit a week and whether their single point of contact is an active user."""
    ids = sorted(set(resident_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {row["id"]: dict(row) for row in query_all(db, f"""
        SELECT residents.id, residents.name, residents.pathway_more_visits,
               officer.id IS NOT NULL AS has_contact
        FROM residents LEFT JOIN users AS officer
            ON officer.id = residents.officer_id AND officer.active = 1
        WHERE residents.id IN ({marks}) AND residents.pathway = 'supported'""", ids)}


def booked_visits_between(db, resident_ids, starts_at: str, ends_at: str) -> list:
    """The booked visits of these residents starting in [starts_at, ends_at): pre-visits too."""
    ids = sorted(set(resident_ids))
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return query_all(db, f"""
        SELECT id, resident_id, job_ref, starts_at, ends_at, pre_visit FROM visits
        WHERE resident_id IN ({marks}) AND status = 'booked'
          AND starts_at >= ? AND starts_at < ?
        ORDER BY starts_at""", (*ids, starts_at, ends_at))


def residents_with_pre_visit(db, resident_ids) -> set[int]:
    """Residents who have a booked pre-visit, at any time (held before a works visit)."""
    ids = sorted(set(resident_ids))
    if not ids:
        return set()
    marks = ",".join("?" * len(ids))
    return {row["resident_id"] for row in query_all(db, f"""
        SELECT DISTINCT resident_id FROM visits
        WHERE resident_id IN ({marks}) AND status = 'booked' AND pre_visit = 1""", ids)}


def first_pre_visit_starts(db, resident_id: int) -> str | None:
    row = query_one(db, "SELECT min(starts_at) AS starts_at FROM visits WHERE resident_id = ?"
                        " AND status = 'booked' AND pre_visit = 1", (resident_id,))
    return row["starts_at"] if row else None


def advocate_copy_for(db, resident_id: int):
    """The advocate's phone when this supported resident agreed their advocate gets a copy
    of appointment messages; else None."""
    row = query_one(db, """
        SELECT advocate_name, advocate_phone FROM residents
        WHERE id = ? AND pathway = 'supported' AND pathway_advocate_messages = 1
          AND advocate_phone != ''""", (resident_id,))
    return row


# The team inbox.

def office_users_of_landlord(db, landlord_id: int) -> list:
    marks = ",".join("?" * len(OFFICE_ROLES))
    return query_all(db, f"""
        SELECT users.id, users.name, users.role FROM users
        JOIN organisations ON organisations.id = users.organisation_id
        WHERE organisations.landlord_id = ? AND users.active = 1 AND users.role IN ({marks})
        ORDER BY users.name""", (landlord_id, *OFFICE_ROLES))


def team_inbox_of_landlord(db, landlord_id: int):
    """The account named as the landlord's team inbox (with whether it is active), or None."""
    return query_one(db, """
        SELECT users.id, users.name, users.active FROM organisations
        JOIN users ON users.id = organisations.team_inbox_user_id
        WHERE organisations.id = ?""", (landlord_id,))


def active_team_inbox_id(db, landlord_id: int) -> int | None:
    row = team_inbox_of_landlord(db, landlord_id)
    return row["id"] if row and row["active"] else None


def set_team_inbox(db, landlord_id: int, user_id: int | None, now: str) -> None:
    db.execute("UPDATE organisations SET team_inbox_user_id = ?, updated_at = ? WHERE id = ?",
               (user_id, now, landlord_id))


def residents_without_contact(db, landlord_id: int) -> int:
    """How many of the landlord's residents have no active single point of contact."""
    return query_one(db, """
        SELECT count(*) AS n FROM residents LEFT JOIN users AS officer
            ON officer.id = residents.officer_id AND officer.active = 1
        WHERE residents.landlord_id = ? AND officer.id IS NULL""", (landlord_id,))["n"]
