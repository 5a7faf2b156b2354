"""How long /measures takes with a year of a borough's visits (about 100,000, with their logs,
concerns, alerts and feedback).

Run: .venv/bin/python bench/measures.py [VISITS]
Builds a fresh database in a temporary folder (demo landlord, firms and people; 30,000
residents), then times, in the same run, the old way of counting (`recount`: each visit with its
latest log, worked out at every request) against the new (`figures`: the visit_facts summary
kept by triggers), turn about, median of 5 runs each, and checks both give the same figures. Then
it times the page for four weeks, a quarter, a year and one firm's quarter through the app
(signed in as an officer). It prints the figures and asserts nothing else.
"""

import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fieldapp import create_app
from fieldapp.core import migrations
from fieldapp.core.db import connect, query_all, query_one, transaction
from fieldapp.devdata.demo import load_demo
from fieldapp.logs.queries import create_log
from fieldapp.measures.periods import Period, preset
from fieldapp.measures.queries import figures, recount
from fieldapp.residents.queries import create_resident
from fieldapp.schedule.queries import create_visit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support import sign_in_quickly  # noqa: E402

RESIDENTS = 30_000
OUTCOMES = ["completed"] * 70 + ["partly_completed"] * 12 + ["no_access"] * 14 + \
    ["stopped_distress", "stopped_unsafe", "not_attended", "not_attended"]
DISTRESS = ["none"] * 90 + ["some"] * 8 + ["significant"] * 2
TRADES = ["Plumbing", "Heating", "Electrical", "Roofing", "Carpentry", "Damp and mould"]


def build(db, visits: int) -> None:
    migrations.apply(db)
    load_demo(db)
    landlord = query_one(db, "SELECT id FROM organisations WHERE kind = 'landlord'")["id"]
    officer = query_one(db, "SELECT id FROM users WHERE email = 'officer@demo.test'")["id"]
    firms = [r["id"] for r in query_all(db, "SELECT id FROM organisations WHERE kind ="
                                            " 'contractor'")]
    author = query_one(db, "SELECT id FROM users WHERE role = 'operative'")["id"]
    concerns = [r["code"] for r in query_all(db, "SELECT code FROM concern_categories")]
    rng = random.Random(7)
    now = datetime.now(UTC)
    stamp = now.isoformat(timespec="seconds")
    with transaction(db):
        residents = [create_resident(db, landlord, {
            "officer_id": officer, "tenancy_ref": f"T-{n}", "name": "Bench Resident",
            "address_line1": "1 Road", "postcode": "RS1 1AA"}, created_at=stamp)
            for n in range(RESIDENTS)]
        log_rows, concern_rows, alert_rows, feedback_rows = [], [], [], []
        for n in range(visits):
            starts = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
            resident = residents[rng.randrange(RESIDENTS)]
            status = "cancelled" if rng.random() < 0.04 else "booked"
            visit_id = create_visit(
                db, resident_id=resident, firm_id=rng.choice(firms), job_ref=f"J-{n}",
                trade=rng.choice(TRADES), starts_at=starts.isoformat(timespec="seconds"),
                ends_at=(starts + timedelta(hours=2)).isoformat(timespec="seconds"),
                status=status, created_at=stamp)
            if status == "cancelled" or starts > now - timedelta(hours=2):
                continue
            outcome, distress = rng.choice(OUTCOMES), rng.choice(DISTRESS)
            log_rows.append((visit_id, str(uuid.uuid4()), visit_id, author, outcome,
                             "no_answer" if outcome == "no_access" else None, distress,
                             (starts + timedelta(hours=2)).isoformat(timespec="seconds")))
            if rng.random() < 0.03:
                concern_rows.append((visit_id, rng.choice(concerns)))
            if outcome != "completed" or distress == "significant":
                created = starts + timedelta(hours=2)
                acknowledged = created + timedelta(minutes=rng.randrange(5, 240))
                alert_rows.append((resident, officer, visit_id,
                                   "urgent" if distress == "significant" else "reach_out",
                                   created.isoformat(timespec="seconds"),
                                   acknowledged.isoformat(timespec="seconds")))
            if rng.random() < 0.1:
                feedback_rows.append((visit_id, rng.choice(["yes", "yes", "partly", "no"]),
                                      rng.choice(["yes", "partly", None]), "yes", stamp, stamp))
        log_concerns = dict(concern_rows)  # at most one a log, keyed by the log's id
        for log_id, client_id, visit_id, author_id, outcome, reason, distress, at in log_rows:
            create_log(db, log_id=log_id, client_id=client_id, visit_id=visit_id,
                       author_id=author_id, outcome=outcome, no_access_reason=reason,
                       distress=distress, payload_hash="bench", created_at=at,
                       concerns=[log_concerns[log_id]] if log_id in log_concerns else ())
        db.conn.executemany(
            "INSERT INTO alerts (resident_id, officer_id, log_id, severity, reasons, status,"
            " created_at, acknowledged_at) VALUES (?, ?, ?, ?, 'bench', 'acknowledged', ?, ?)",
            alert_rows)
        db.conn.executemany(
            "INSERT INTO visit_feedback (visit_id, felt_safe, listened_to, in_control,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", feedback_rows)
    db.execute("ANALYZE")
    print(f"data: {visits:,} visits, {len(log_rows):,} logs, {len(alert_rows):,}"
          f" alerts, {len(feedback_rows):,} feedback answers, {RESIDENTS:,} residents")


def timed(client, label: str, url: str, runs: int = 5) -> None:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    print(f"{label}: median {statistics.median(times) * 1000:.0f} ms"
          f" (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}; {runs} runs)")


def old_and_new(db, landlord: int, label: str, period: Period, firm=None, runs: int = 5) -> None:
    old, new = [], []
    for _ in range(runs):  # turn about, so a busy moment on the machine hits both alike
        started = time.perf_counter()
        counted = recount(db, landlord, period, firm)
        old.append(time.perf_counter() - started)
        started = time.perf_counter()
        kept = figures(db, landlord, period, firm)
        new.append(time.perf_counter() - started)
    same = "same figures" if counted == kept else "FIGURES DIFFER"
    print(f"{label}: old {statistics.median(old) * 1000:.0f} ms, new"
          f" {statistics.median(new) * 1000:.0f} ms"
          f" ({statistics.median(old) / statistics.median(new):.1f} times faster; {same})")


def write_cost(folder: str, visits: int = 3000) -> None:
    """What the triggers add to a write: the same visits and logs into a database with the
    triggers and into one without them (dropped), turn about."""
    times = {}
    for label in ("with the triggers", "without them") * 2:
        db = connect(str(Path(folder) / f"writes-{len(times)}-{time.perf_counter_ns()}.db"))
        migrations.apply(db)
        load_demo(db)
        if label == "without them":
            for row in query_all(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                     " AND name LIKE '%facts%'"):
                db.execute(f"DROP TRIGGER {row['name']}")
        landlord = query_one(db, "SELECT id FROM organisations WHERE kind = 'landlord'")["id"]
        firm = query_one(db, "SELECT id FROM organisations WHERE kind = 'contractor'")["id"]
        author = query_one(db, "SELECT id FROM users WHERE role = 'operative'")["id"]
        officer = query_one(db, "SELECT id FROM users WHERE email = 'officer@demo.test'")["id"]
        rng = random.Random(3)
        now = datetime.now(UTC)
        with transaction(db):
            residents = [create_resident(db, landlord, {
                "officer_id": officer, "tenancy_ref": f"T-{n}", "name": "Bench Resident",
                "address_line1": "1 Road", "postcode": "RS1 1AA"}, created_at="x")
                for n in range(300)]
        started = time.perf_counter()
        with transaction(db):
            for n in range(visits):
                starts = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
                visit = create_visit(
                    db, resident_id=rng.choice(residents), firm_id=firm, job_ref=f"J-{n}",
                    trade=rng.choice(TRADES), starts_at=starts.isoformat(timespec="seconds"),
                    ends_at=(starts + timedelta(hours=2)).isoformat(timespec="seconds"),
                    status="booked", created_at="x")
                create_log(db, client_id=str(uuid.uuid4()), visit_id=visit, author_id=author,
                           outcome="completed", distress="none", payload_hash="bench",
                           created_at="x")
        times.setdefault(label, []).append((time.perf_counter() - started) / visits)
        db.close()
    print("writes, a visit and its log (best of 2):", ", ".join(
        f"{label} {min(values) * 1e6:.0f} µs" for label, values in times.items()))


def main(visits: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        db = connect(str(path))
        started = time.perf_counter()
        build(db, visits)
        print(f"built in {time.perf_counter() - started:.1f} s")
        firm = query_one(db, "SELECT id FROM organisations WHERE kind = 'contractor'")["id"]
        landlord = query_one(db, "SELECT id FROM organisations WHERE kind = 'landlord'")["id"]
        today = datetime.now(UTC).date()
        year = Period(today - timedelta(days=364), today, "Chosen dates")
        print("figures only (no page), old (recount) against new (visit_facts):")
        old_and_new(db, landlord, "  last 4 weeks", preset("4weeks"))
        old_and_new(db, landlord, "  this quarter", preset("quarter"))
        old_and_new(db, landlord, "  this quarter, one firm", preset("quarter"), firm)
        old_and_new(db, landlord, "  a year", year)
        old_and_new(db, landlord, "  a year, one firm", year, firm)
        db.close()
        print("pages (new):")
        app = create_app({"FIELDAPP_DB": str(path), "TESTING": True})
        client = sign_in_quickly(app, "officer@demo.test")
        year_ago = (datetime.now(UTC) - timedelta(days=364)).date().isoformat()
        today = datetime.now(UTC).date().isoformat()
        timed(client, "/measures, last 4 weeks", "/measures")
        timed(client, "/measures, this quarter", "/measures?period=quarter")
        timed(client, "/measures, a year (chosen dates)",
              f"/measures?period=custom&first={year_ago}&last={today}")
        timed(client, "/measures, this quarter, one firm",
              f"/measures?period=quarter&firm={firm}")
        timed(client, "figures CSV, a year",
              f"/measures/export.csv?period=custom&first={year_ago}&last={today}", runs=3)
        write_cost(folder)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
