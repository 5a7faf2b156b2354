"""Every query of the resident's choice of time: offers and their windows, what the resident
chose or said, and what matters to them for the visit."""

import sqlite3

from fieldapp.core.db import query_all, query_one, transaction


def visit_for_choice(db, visit_id: int) -> sqlite3.Row | None:
    """What the resident's page may show of a visit (no personal data), with the resident's
    language and the ids the booking needs."""
    return query_one(db, """
        SELECT visits.id, visits.trade, visits.starts_at, visits.ends_at, visits.status,
               visits.resident_id, visits.rebook_requested, residents.officer_id,
               residents.language, residents.landlord_id,
               landlord.name AS landlord_name, landlord.main_phone AS landlord_phone
        FROM visits JOIN residents ON residents.id = visits.resident_id
        JOIN organisations AS landlord ON landlord.id = residents.landlord_id
        WHERE visits.id = ?""", (visit_id,))


def open_offer(db, visit_id: int) -> sqlite3.Row | None:
    return query_one(db, "SELECT * FROM time_offers WHERE visit_id = ? AND status = 'open'",
                     (visit_id,))


def windows_of_offer(db, offer_id: int) -> list[sqlite3.Row]:
    return query_all(db, "SELECT * FROM offered_windows WHERE offer_id = ? ORDER BY starts_at",
                     (offer_id,))


def create_offer(db, visit_id: int, windows, offered_by: int | None, now: str) -> int:
    """The visit's one open offer (an earlier one is withdrawn), with its windows: (starts_at,
    ends_at) pairs in UTC."""
    with transaction(db):
        db.execute("UPDATE time_offers SET status = 'withdrawn' WHERE visit_id = ? AND"
                   " status = 'open'", (visit_id,))
        offer_id = db.execute(
            "INSERT INTO time_offers (visit_id, offered_by, created_at) VALUES (?, ?, ?)",
            (visit_id, offered_by, now)).lastrowid
        db.conn.executemany(
            "INSERT INTO offered_windows (offer_id, starts_at, ends_at) VALUES (?, ?, ?)",
            [(offer_id, starts_at, ends_at) for starts_at, ends_at in windows])
    return offer_id


def choose_window(db, offer_id: int, window_id: int, seen_version: int, now: str) -> bool:
    """Records the resident's pick if the offer is as they saw it (its version): False when
    another pick got there first (two tabs of one link), so exactly one booking wins."""
    return db.execute("""
        UPDATE time_offers SET chosen_window_id = ?, chosen_at = ?, version = version + 1,
               changes = changes + (chosen_window_id IS NOT NULL)
        WHERE id = ? AND status = 'open' AND version = ?""",
                      (window_id, now, offer_id, seen_version)).rowcount == 1


def move_visit(db, visit_id: int, starts_at: str, ends_at: str, now: str) -> None:
    """The visit at the window the resident chose; their request for another time is met."""
    db.execute("UPDATE visits SET starts_at = ?, ends_at = ?, rebook_requested = 0,"
               " updated_at = ? WHERE id = ?", (starts_at, ends_at, now, visit_id))
    db.execute("UPDATE rebook_requests SET withdrawn_at = ? WHERE visit_id = ? AND"
               " withdrawn_at IS NULL", (now, visit_id))


def mark_none_suit(db, offer_id: int, when_suits: str, now: str) -> None:
    db.execute("UPDATE time_offers SET none_suit_at = ?, none_suit_when = ?,"
               " version = version + 1 WHERE id = ?", (now, when_suits, offer_id))


def withdraw_rebook_request(db, visit_id: int, now: str) -> bool:
    """The resident can make the booked time after all; False when there was no request."""
    done = db.execute("UPDATE rebook_requests SET withdrawn_at = ? WHERE visit_id = ? AND"
                      " withdrawn_at IS NULL", (now, visit_id)).rowcount == 1
    if done:
        db.execute("UPDATE visits SET rebook_requested = 0, updated_at = ? WHERE id = ?",
                   (now, visit_id))
    return done


def standing_rebook_request(db, visit_id: int) -> sqlite3.Row | None:
    return query_one(db, "SELECT * FROM rebook_requests WHERE visit_id = ? AND"
                         " withdrawn_at IS NULL", (visit_id,))


def wish_for_visit(db, visit_id: int) -> sqlite3.Row | None:
    return query_one(db, "SELECT * FROM visit_wishes WHERE visit_id = ?", (visit_id,))


def save_wish(db, visit_id: int, words: str, now: str) -> None:
    """What matters to the resident for the visit, in their words: a second replaces the first
    (and may be turned into an adjustment again)."""
    db.execute("""
        INSERT INTO visit_wishes (visit_id, words, created_at, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (visit_id) DO UPDATE SET words = excluded.words,
            updated_at = excluded.updated_at, adjustment_id = NULL""",
               (visit_id, words, now, now))


def link_wish_to_adjustment(db, visit_id: int, adjustment_id: int) -> None:
    db.execute("UPDATE visit_wishes SET adjustment_id = ? WHERE visit_id = ?",
               (adjustment_id, visit_id))


def operatives_of_visit(db, visit_id: int) -> list[int]:
    return [row["user_id"] for row in query_all(
        db, "SELECT user_id FROM visit_operatives WHERE visit_id = ?", (visit_id,))]
