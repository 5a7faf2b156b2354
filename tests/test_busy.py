"""A database held by a long writer: requests wait, then say "busy, try again" (503 with
Retry-After) instead of failing, and nothing is half-saved; the resend is stored once."""

import sqlite3
import uuid

from pages import check_page
from support import csrf_token_from


def test_a_log_sent_while_the_database_is_locked_is_refused_cleanly_then_stored_once(
        app, signed_in, db_path, db, world):
    app.config["FIELDAPP_BUSY_TIMEOUT_MS"] = 200
    operative = signed_in("operative")
    page = operative.get(f"/visits/{world.visits['today']}/log").get_data(as_text=True)
    token = csrf_token_from(page)
    body = {"client_id": str(uuid.uuid4()), "visit_id": world.visits["today"],
            "outcome": "completed", "distress": "none"}
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a long writer holds the lock
    try:
        busy = operative.post("/api/logs", json=body, headers={"X-CSRFToken": token})
        form = operative.post(f"/visits/{world.visits['today']}/log", data={
            "csrf_token": token, "client_id": str(uuid.uuid4()), "outcome": "completed",
            "distress": "none"})
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "5"
    assert "Nothing you sent was saved" in busy.get_json()["errors"]["request"]
    assert form.status_code == 503
    check_page(form.get_data(as_text=True))
    assert db.execute("SELECT count(*) FROM visit_logs WHERE client_id = ?",
                      (body["client_id"],)).fetchone()[0] == 0

    again = operative.post("/api/logs", json=body, headers={"X-CSRFToken": token})
    assert again.status_code == 201
    assert db.execute("SELECT count(*) FROM visit_logs WHERE client_id = ?",
                      (body["client_id"],)).fetchone()[0] == 1
