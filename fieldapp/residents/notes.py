"""Private notes about a resident: read and written only by their landlord's office staff.

Nothing an operative or a resident opens may import this module (an import contract checks it).
"""

import sqlite3

from fieldapp.core.db import query_all, transaction, utc_now


def private_notes(db, resident_id: int) -> list[sqlite3.Row]:
    return query_all(db, """
        SELECT resident_notes.body, resident_notes.created_at, users.name AS author_name
        FROM resident_notes JOIN users ON users.id = resident_notes.author_id
        WHERE resident_notes.resident_id = ? ORDER BY resident_notes.created_at DESC,
              resident_notes.id DESC""", (resident_id,))


def add_private_note(db, resident_id: int, author_id: int, body: str) -> int:
    with transaction(db):
        return db.execute("INSERT INTO resident_notes (resident_id, author_id, body, created_at)"
                          " VALUES (?, ?, ?, ?)", (resident_id, author_id, body, utc_now())
                          ).lastrowid
