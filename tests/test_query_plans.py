"""Every query the hot pages run finds its rows through an index: none reads the whole of
visits, logs, alerts or the audit log, tables that grow every day."""

import re
import uuid

import pytest

from fieldapp.core.db import get_db

from support import csrf_token_from

GROWING_TABLES = ("visits", "visit_logs", "alerts", "audit_log", "visit_operatives",
                  "log_concerns", "visit_feedback")
FULL_SCAN = re.compile(r"^SCAN (\w+)")
NOT_A_QUERY = ("PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@pytest.fixture
def statements(app):
    """Every SQL statement the app runs while answering requests, with its values."""
    seen = []

    @app.before_request
    def trace():
        get_db().conn.set_trace_callback(seen.append)

    @app.teardown_request
    def stop(_error=None):
        get_db().conn.set_trace_callback(None)

    return seen


def full_scans(db, sql: str) -> list[str]:
    plan = db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
    return [row["detail"] for row in plan
            if (match := FULL_SCAN.match(row["detail"])) and match[1] in GROWING_TABLES]


def test_hot_pages_never_read_a_whole_growing_table(world, db, signed_in, statements):
    operative, officer = signed_in("operative"), signed_in("officer")
    visit = world.visits["today"]
    today = operative.get("/today")
    assert today.status_code == 200
    for suffix in ("", "/id-card", "/distress", "/log"):
        assert operative.get(f"/visits/{visit}{suffix}").status_code == 200, suffix
    logged = operative.post("/api/logs", json={
        "client_id": str(uuid.uuid4()), "visit_id": visit, "outcome": "stopped_distress",
        "distress": "significant", "concerns": [], "note": "", "follow_up": ""},
        headers={"X-CSRFToken": csrf_token_from(today.get_data(as_text=True))})
    assert logged.status_code == 201, logged.get_json()
    alert = db.execute("SELECT id FROM alerts WHERE log_id = ?",
                       (logged.get_json()["id"],)).fetchone()["id"]
    for path, headers in (("/inbox", {}), ("/inbox", {"HX-Request": "true"}),
                          (f"/alerts/{alert}", {}), ("/measures", {})):
        assert officer.get(path, headers=headers).status_code == 200, path

    queries = [s for s in statements if not s.lstrip().upper().startswith(NOT_A_QUERY)]
    assert len(queries) > 20
    scans = {sql: found for sql in queries if (found := full_scans(db, sql))}
    assert not scans, "\n\n".join(f"{found}: {sql}" for sql, found in scans.items())


@pytest.mark.parametrize("text", ["Rita", "rita resident", "1 Test", "TST1", "JOB Rita R"])
def test_resident_search_finds_residents_through_the_full_text_index(world, db, signed_in,
                                                                     statements, text):
    """A keystroke of resident search never reads every resident (30,000 in a borough): words
    of three letters or more go through `residents_fts`; only a shorter word adds a LIKE."""
    assert signed_in("officer").get("/residents", query_string={"q": text}).status_code == 200
    searches = [sql for sql in statements if "residents_fts MATCH" in sql]
    assert len(searches) == 1
    plan = [row["detail"] for row in db.execute(f"EXPLAIN QUERY PLAN {searches[0]}")]
    assert not [step for step in plan if re.match(r"SCAN residents\b", step)], plan
    assert any("VIRTUAL TABLE INDEX" in step for step in plan), plan


def test_the_worker_finds_its_next_job_through_an_index(db):
    """Run after every job: the claim reads neither the whole jobs table nor sorts it, safety
    jobs first included."""
    from fieldapp.core import jobs

    plan = [row["detail"] for row in db.execute(
        f"EXPLAIN QUERY PLAN {jobs.CLAIM}", {"lease": "later", "now": "now"})]
    assert not [step for step in plan if re.match(r"SCAN jobs\b", step)], plan
    assert not [step for step in plan if "TEMP B-TREE" in step], plan
    assert any("jobs_safety_due" in step for step in plan), plan
