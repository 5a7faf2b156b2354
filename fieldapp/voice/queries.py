"""Every query of the resident's voice: the visit a signed link names, the feedback on a visit
and the request for another time."""

import json

from fieldapp.core.db import query_all, query_one


def visit_for_link(db, visit_id: int):
    """What a resident's page may show of a visit: no personal data, the landlord's phone.
    `feedback_held`: a log stopped the visit (the outcome's `stops_visit` flag) and the officer
    has not yet chosen to ask how it felt."""
    return query_one(db, """
        SELECT visits.id, visits.trade, visits.starts_at, visits.ends_at, visits.status,
               visits.resident_id, visits.rebook_requested, residents.officer_id,
               visits.feedback_sent_at, residents.language,
               landlord.id AS landlord_id, landlord.name AS landlord_name,
               landlord.main_phone AS landlord_phone,
               (visits.feedback_sent_at IS NULL AND EXISTS (
                   SELECT 1 FROM visit_logs
                   JOIN visit_outcomes ON visit_outcomes.code = visit_logs.outcome
                   WHERE visit_logs.visit_id = visits.id AND visit_outcomes.stops_visit = 1
                     AND NOT EXISTS (SELECT 1 FROM visit_logs AS newer
                                     WHERE newer.amends_log_id = visit_logs.id)))
                   AS feedback_held
        FROM visits JOIN residents ON residents.id = visits.resident_id
        JOIN organisations AS landlord ON landlord.id = residents.landlord_id
        WHERE visits.id = ?""", (visit_id,))


def first_log(db, visit_id: int):
    """Whether anyone has logged the visit: its first log's id, or None."""
    return query_one(db, "SELECT id FROM visit_logs WHERE visit_id = ? ORDER BY id LIMIT 1",
                     (visit_id,))


def feedback_for_visit(db, visit_id: int):
    """The answer on a visit: the newest send from its link."""
    return query_one(db, "SELECT * FROM visit_feedback WHERE visit_id = ?"
                         " ORDER BY id DESC LIMIT 1", (visit_id,))


def feedback_versions(db, visit_id: int) -> list:
    """Every send from the visit's link, newest first: none is ever overwritten."""
    return query_all(db, "SELECT * FROM visit_feedback WHERE visit_id = ? ORDER BY id DESC",
                     (visit_id,))


def feedback_version(db, visit_id: int, version_id: int):
    """One send on this visit (the one a phone made, to fill its form again), or None."""
    return query_one(db, "SELECT * FROM visit_feedback WHERE id = ? AND visit_id = ?",
                     (version_id, visit_id))


def save_feedback(db, visit_id: int, answers: dict, comment: str, now: str) -> int:
    """Each send is a new version, kept as sent; the newest is the answer. Returns its id."""
    return db.execute("""
        INSERT INTO visit_feedback (visit_id, felt_safe, listened_to, in_control, comment,
                                    created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)""",
               (visit_id, answers["felt_safe"], answers["listened_to"], answers["in_control"],
                comment, now, now)).lastrowid


def rebook_request_for_visit(db, visit_id: int):
    """The resident's request for another time, unless they took it back."""
    return query_one(db, "SELECT * FROM rebook_requests WHERE visit_id = ? AND"
                         " withdrawn_at IS NULL", (visit_id,))


def save_rebook_request(db, visit_id: int, days: list[str], times: list[str], reason: str,
                        now: str) -> bool:
    """Stores the request once (again after the resident took it back); False when one is
    already standing for this visit."""
    return bool(db.execute(
        "INSERT INTO rebook_requests (visit_id, preferred_days, preferred_times, reason,"
        " created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (visit_id) DO UPDATE SET"
        " preferred_days = excluded.preferred_days, preferred_times = excluded.preferred_times,"
        " reason = excluded.reason, created_at = excluded.created_at, withdrawn_at = NULL"
        " WHERE rebook_requests.withdrawn_at IS NOT NULL",
        (visit_id, json.dumps(days), json.dumps(times), reason, now)).rowcount)


def offer_summary(db, visit_id: int):
    """The visit's open offer of times, for the officer's visit page: when it was made, how
    many windows, the one chosen (if any) and whether none suited."""
    return query_one(db, """
        SELECT time_offers.id, time_offers.created_at, time_offers.chosen_at,
               time_offers.none_suit_at, chosen.starts_at AS chosen_starts_at,
               chosen.ends_at AS chosen_ends_at,
               (SELECT count(*) FROM offered_windows
                WHERE offered_windows.offer_id = time_offers.id) AS windows
        FROM time_offers LEFT JOIN offered_windows AS chosen
          ON chosen.id = time_offers.chosen_window_id
        WHERE time_offers.visit_id = ? AND time_offers.status = 'open'""", (visit_id,))


def mark_rebook_requested(db, visit_id: int, now: str) -> None:
    db.execute("UPDATE visits SET rebook_requested = 1, updated_at = ? WHERE id = ?",
               (now, visit_id))


def mark_feedback_sent(db, visit_id: int, officer_id: int, now: str) -> bool:
    """The officer chose to ask how a stopped visit felt; False when someone had already."""
    return bool(db.execute(
        "UPDATE visits SET feedback_sent_at = ?, feedback_sent_by = ?, updated_at = ?"
        " WHERE id = ? AND feedback_sent_at IS NULL", (now, officer_id, now, visit_id)).rowcount)
