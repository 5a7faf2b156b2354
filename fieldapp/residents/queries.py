"""Resident queries. Every lookup takes the viewer's landlord, so no route can forget it."""

import sqlite3

from fieldapp.core.access import OFFICER_ROLES
from fieldapp.core.db import query_all, query_one, transaction, utc_now

EDITABLE_FIELDS = (
    "name", "preferred_name", "tenancy_ref", "address_line1", "address_line2", "town",
    "postcode", "area", "phone", "phone_alt", "email", "preferred_contact", "language",
    "interpreter", "language_to_check", "officer_id", "advocate_name", "advocate_phone",
    "advocate_relationship", "doorstep_password",
)
SEARCH_LIMIT = 50
# The columns search reads: those of the full-text index `residents_fts` (migration m110).
SEARCH_COLUMNS = ("name", "preferred_name", "address_line1", "postcode_compact", "tenancy_ref")


def search_residents(db, landlord_id: int, officer_id: int, text: str) -> list[sqlite3.Row]:
    """Residents matching name, address, postcode or tenancy reference; the officer's own first.

    Each word of three letters or more is found through the full-text index (`residents_fts`,
    trigram: a word matches anywhere inside a name, as "ald" finds "Alder Court"); a shorter
    word, which the index cannot look up, is matched with LIKE among the rest.
    """
    # A NUL would end the full-text query's string early (SQLite reads it as the end).
    text = text.replace("\x00", "")
    conditions, params = ["residents.landlord_id = ?"], [landlord_id]
    indexed = [word for word in text.split() if len(word) >= MIN_INDEXED_WORD]
    if indexed:
        conditions.append("residents.id IN (SELECT rowid FROM residents_fts"
                          " WHERE residents_fts MATCH ?)")
        params.append(" AND ".join(_fts_phrase(word) for word in indexed))
    for word in text.split():
        if len(word) < MIN_INDEXED_WORD:
            conditions.append(_SHORT_WORD_MATCH)
            params += ["%" + _escape_like(word) + "%"] * len(SEARCH_COLUMNS)
    return query_all(db, f"""
        SELECT residents.id, residents.name, residents.preferred_name, residents.address_line1,
               residents.postcode, residents.area, residents.tenancy_ref, residents.officer_id,
               users.name AS officer_name,
               (SELECT count(*) FROM adjustments WHERE adjustments.resident_id = residents.id
                  AND adjustments.status = 'active') AS adjustment_count
        FROM residents LEFT JOIN users ON users.id = residents.officer_id
        WHERE {" AND ".join(conditions)}
        ORDER BY residents.officer_id IS NOT ?, residents.name
        LIMIT {SEARCH_LIMIT}""", (*params, officer_id))


# The trigram index looks up runs of three characters; shorter words fall back to LIKE.
MIN_INDEXED_WORD = 3
_SHORT_WORD_MATCH = "(" + " OR ".join(
    f"residents.{column} LIKE ? ESCAPE '\\'" for column in SEARCH_COLUMNS) + ")"


def _fts_phrase(word: str) -> str:
    """A word as an FTS5 phrase: quoted, so punctuation ("RH-10002") is text, not syntax."""
    return '"' + word.replace('"', '""') + '"'


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def resident_for_landlord(db, resident_id: int, landlord_id: int) -> sqlite3.Row | None:
    return query_one(db, """
        SELECT residents.*, users.name AS officer_name, languages.name AS language_name,
               (SELECT count(*) FROM resident_notes
                 WHERE resident_notes.resident_id = residents.id) AS note_count
        FROM residents LEFT JOIN users ON users.id = residents.officer_id
        LEFT JOIN languages ON languages.code = residents.language
        WHERE residents.id = ? AND residents.landlord_id = ?""", (resident_id, landlord_id))


def residents_with_tenancy_ref(db, landlord_id: int) -> list[sqlite3.Row]:
    return query_all(db, "SELECT id, tenancy_ref, name FROM residents WHERE landlord_id = ?"
                         " AND tenancy_ref != ''", (landlord_id,))


def tenancy_ref_taken(db, landlord_id: int, tenancy_ref: str,
                      except_resident: int | None = None) -> bool:
    """Whether another resident of the landlord has this reference (letter case aside)."""
    row = query_one(db, "SELECT id FROM residents WHERE landlord_id = ? AND tenancy_ref != ''"
                        " AND lower(tenancy_ref) = lower(?)", (landlord_id, tenancy_ref))
    return row is not None and row["id"] != except_resident


def officers_of_landlord(db, landlord_id: int) -> list[sqlite3.Row]:
    """The landlord's active housing officers: who may be a resident's single point of contact
    (an admin or an operative is not, whatever their organisation)."""
    marks = ",".join("?" * len(OFFICER_ROLES))
    return query_all(db, f"""
        SELECT users.id, users.name FROM users
        JOIN organisations ON organisations.id = users.organisation_id
        WHERE organisations.landlord_id = ? AND users.role IN ({marks})
          AND users.active = 1
        ORDER BY users.name""", (landlord_id, *OFFICER_ROLES))


def create_resident(db, landlord_id: int, values: dict, created_at: str | None = None) -> int:
    """A resident of this landlord; fields left out of `values` take the table's defaults.
    `created_at` is for made-up data; a resident added by an officer is created now. The
    language is a code from the catalogue's list: English unless given."""
    values = {"language": "en", **values}
    fields = [field for field in EDITABLE_FIELDS if field in values]
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"not resident fields: {', '.join(sorted(unknown))}")
    now = created_at or utc_now()
    with transaction(db):
        return db.execute(
            f"INSERT INTO residents (landlord_id, {', '.join(fields)}, created_at, updated_at)"
            f" VALUES (?, {', '.join('?' * len(fields))}, ?, ?)",
            (landlord_id, *(values[f] for f in fields), now, now)).lastrowid


def update_resident(db, resident_id: int, values: dict) -> None:
    assignments = ", ".join(f"{field} = ?" for field in EDITABLE_FIELDS)
    with transaction(db):
        db.execute(f"UPDATE residents SET {assignments}, updated_at = ? WHERE id = ?",
                   (*(values[f] for f in EDITABLE_FIELDS), utc_now(), resident_id))


def has_active_adjustment(db, resident_id: int, code: str) -> bool:
    return query_one(db, "SELECT 1 FROM adjustments WHERE resident_id = ? AND type_code = ?"
                         " AND status = 'active'", (resident_id, code)) is not None


def pauses_of_resident(db, resident_id: int) -> list[sqlite3.Row]:
    """The resident's pauses that have not ended, or ended in the last 90 days: dates only
    (why they were away is read only on the pause's own page)."""
    return query_all(db, """
        SELECT id, starts_on, ends_on, starts_at, ends_at FROM resident_pauses
        WHERE resident_id = ? AND (ends_at IS NULL OR ends_at > datetime('now', '-90 days'))
        ORDER BY starts_at DESC""", (resident_id,))


def visits_of_resident(db, resident_id: int) -> list[sqlite3.Row]:
    return query_all(db, """
        SELECT visits.id, visits.job_ref, visits.trade, visits.starts_at, visits.ends_at,
               visits.status, visits.rebook_requested, firm.name AS firm_name,
               (SELECT count(*) FROM visit_operatives WHERE visit_id = visits.id) AS attending
        FROM visits JOIN organisations AS firm ON firm.id = visits.firm_id
        WHERE visits.resident_id = ? ORDER BY visits.starts_at DESC LIMIT 50""",
        (resident_id,))


def adjustments_of_resident(db, resident_id: int) -> list[sqlite3.Row]:
    """Active first, then the withdrawn ones kept as history."""
    return query_all(db, """
        SELECT adjustments.*, adjustment_types.label, users.name AS recorded_by_name
        FROM adjustments
        JOIN adjustment_types ON adjustment_types.code = adjustments.type_code
        JOIN users ON users.id = adjustments.recorded_by
        WHERE adjustments.resident_id = ?
        ORDER BY adjustments.status = 'withdrawn', adjustment_types.sort_order, adjustments.id""",
        (resident_id,))
