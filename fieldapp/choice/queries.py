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
    """The offer's windows; one offered from an available slot carries who has taken the slot
    (`slot_taken_by`, a visit id, or None while it is free)."""
    return query_all(db, """
        SELECT offered_windows.*, available_slots.taken_by_visit_id AS slot_taken_by
        FROM offered_windows
        LEFT JOIN available_slots ON available_slots.id = offered_windows.slot_id
        WHERE offer_id = ? ORDER BY offered_windows.starts_at""", (offer_id,))


def create_offer(db, visit_id: int, windows, offered_by: int | None, now: str) -> int:
    """The visit's one open offer (an earlier one is withdrawn), with its windows: (starts_at,
    ends_at) pairs in UTC, or (starts_at, ends_at, slot_id) for one offered from an available
    slot."""
    with transaction(db):
        db.execute("UPDATE time_offers SET status = 'withdrawn' WHERE visit_id = ? AND"
                   " status = 'open'", (visit_id,))
        offer_id = db.execute(
            "INSERT INTO time_offers (visit_id, offered_by, created_at) VALUES (?, ?, ?)",
            (visit_id, offered_by, now)).lastrowid
        db.conn.executemany(
            "INSERT INTO offered_windows (offer_id, starts_at, ends_at, slot_id)"
            " VALUES (?, ?, ?, ?)",
            [(offer_id, *window[:2], window[2] if len(window) > 2 else None)
             for window in windows])
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


# The landlord's available slots --------------------------------------------------------------

def create_slot(db, slot: dict, created_by: int | None, now: str) -> int:
    """A free slot: `slot` has landlord_id, firm_id, trade, starts_at, ends_at (UTC)."""
    return db.execute(
        "INSERT INTO available_slots (landlord_id, firm_id, trade, starts_at, ends_at,"
        " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (slot["landlord_id"], slot["firm_id"], slot["trade"], slot["starts_at"],
         slot["ends_at"], created_by, now)).lastrowid


def slots_of_landlord(db, landlord_id: int, since: str) -> list[sqlite3.Row]:
    """The landlord's slots ending after `since`, by trade and start, with the firm's name and
    the visit that took each (if any)."""
    return query_all(db, """
        SELECT available_slots.*, firm.name AS firm_name, visits.job_ref AS taken_job_ref
        FROM available_slots JOIN organisations AS firm ON firm.id = available_slots.firm_id
        LEFT JOIN visits ON visits.id = available_slots.taken_by_visit_id
        WHERE available_slots.landlord_id = ? AND available_slots.ends_at > ?
        ORDER BY lower(available_slots.trade), available_slots.starts_at, firm.name""",
                     (landlord_id, since))


def free_slots_for_trade(db, landlord_id: int, trade: str, since: str,
                         until: str) -> list[sqlite3.Row]:
    """The landlord's free slots for the trade (whatever its case) starting in [since, until)."""
    return query_all(db, """
        SELECT available_slots.*, firm.name AS firm_name
        FROM available_slots JOIN organisations AS firm ON firm.id = available_slots.firm_id
        WHERE available_slots.landlord_id = ? AND lower(trim(available_slots.trade)) =
              lower(trim(?)) AND available_slots.taken_by_visit_id IS NULL
              AND available_slots.starts_at >= ? AND available_slots.starts_at < ?
        ORDER BY available_slots.starts_at""", (landlord_id, trade, since, until))


def free_slot_overlapping(db, landlord_id: int, firm_id: int, trade: str, starts_at: str,
                          ends_at: str) -> sqlite3.Row | None:
    """A free slot of the same firm and trade overlapping [starts_at, ends_at), or None."""
    return query_one(db, """
        SELECT * FROM available_slots WHERE landlord_id = ? AND firm_id = ?
               AND lower(trim(trade)) = lower(trim(?)) AND taken_by_visit_id IS NULL
               AND starts_at < ? AND ends_at > ?""",
                     (landlord_id, firm_id, trade, ends_at, starts_at))


def slot_for_landlord(db, slot_id: int, landlord_id: int) -> sqlite3.Row | None:
    return query_one(db, "SELECT * FROM available_slots WHERE id = ? AND landlord_id = ?",
                     (slot_id, landlord_id))


def remove_free_slot(db, slot_id: int) -> bool:
    """Removes the slot if it is free and on no open offer (a resident may be about to pick
    it); False otherwise. Withdrawn offers keep their windows, no longer tied to the slot."""
    on_offer = """SELECT slot_id FROM offered_windows JOIN time_offers
                  ON time_offers.id = offered_windows.offer_id
                  WHERE time_offers.status = 'open' AND slot_id IS NOT NULL"""
    with transaction(db):
        if query_one(db, f"SELECT id FROM available_slots WHERE id = ? AND"
                         f" taken_by_visit_id IS NULL AND id NOT IN ({on_offer})",
                     (slot_id,)) is None:
            return False
        db.execute("UPDATE offered_windows SET slot_id = NULL WHERE slot_id = ?", (slot_id,))
        db.execute("DELETE FROM available_slots WHERE id = ?", (slot_id,))
    return True


def take_slot(db, slot_id: int, visit_id: int, now: str) -> bool:
    """The slot taken by the visit, if free (or already the visit's): False when another visit
    took it first."""
    return db.execute("UPDATE available_slots SET taken_by_visit_id = ?, taken_at = ?"
                      " WHERE id = ? AND (taken_by_visit_id IS NULL OR taken_by_visit_id = ?)",
                      (visit_id, now, slot_id, visit_id)).rowcount == 1


def release_slots_of_visit(db, visit_id: int, keep_slot_id: int | None = None) -> None:
    """The slots the visit took are free again (its resident chose another time)."""
    db.execute("UPDATE available_slots SET taken_by_visit_id = NULL, taken_at = NULL"
               " WHERE taken_by_visit_id = ? AND id IS NOT ?", (visit_id, keep_slot_id))
