"""Borough-sized data for benchmarks: `fieldapp bench-data --homes N --years Y`.

Starts from the demo (so the demo accounts sign in), then adds N homes with a resident each,
a share of them with adjustments, operatives and officers in proportion, Y years of past visits
(about 3.3 a home a year, as a borough's repairs service) with their logs, concerns, alerts,
feedback and audit rows, and a full day of visits today and tomorrow for every operative.
Rows are written through the areas' own create functions, in one transaction per table: a year
for 30,000 homes takes well under a minute.
"""

import json
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from fieldapp.adjustments.queries import create_adjustment
from fieldapp.core import migrations
from fieldapp.core.catalogues import alert_for
from fieldapp.core.clock import LOCAL_ZONE, day_bounds_utc, today_local
from fieldapp.core.db import query_all, query_one, transaction
from fieldapp.devdata.demo import load_demo
from fieldapp.logs.queries import create_log
from fieldapp.residents.queries import create_resident
from fieldapp.schedule.queries import create_visit

VISITS_PER_HOME_PER_YEAR = 10 / 3   # 30,000 homes: about 100,000 visits a year
HOMES_PER_OPERATIVE = 300           # 30,000 homes: 100 operatives
HOMES_PER_OFFICER = 1_000           # 30,000 homes: 30 housing officers
VISITS_A_DAY_EACH = 5               # each operative's day, today and tomorrow
SHARE_WITH_ADJUSTMENTS = 0.25
OPEN_ALERT_DAYS = 7                 # alerts younger than this are still in the inboxes
OUTCOMES = ["completed"] * 70 + ["partly_completed"] * 12 + ["no_access"] * 14 + \
    ["stopped_distress", "stopped_unsafe", "not_attended", "not_attended"]
DISTRESS = ["none"] * 90 + ["some"] * 8 + ["significant"] * 2
TRADES = ["Plumbing", "Gas heating", "Electrical", "Roofing", "Carpentry", "Damp and mould"]
# Every coming visit's schedule of works.
COMING_STEPS = [
    {"description": "Isolate and drain the system", "expected_minutes": 30, "water_off": 1},
    {"description": "Replace the faulty part", "expected_minutes": 30, "noisy": 1}]
STREETS = ["Alder Court", "Birch Road", "Cedar Walk", "Damson Way", "Elm Street", "Fir Close"]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def generate(db, homes: int, years: float, seed: int = 7) -> dict[str, int]:
    """Fill an empty database; returns the number of rows written to each table."""
    migrations.apply(db)
    load_demo(db)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    world = _world(db)
    operatives = _add_people(db, world, "operative", max(5, homes // HOMES_PER_OPERATIVE), now)
    officers = _add_people(db, world, "officer", max(2, homes // HOMES_PER_OFFICER), now)
    residents = _add_residents(db, world, homes, officers, rng, now)
    _add_adjustments(db, world, residents, rng, now)
    _add_history(db, world, residents, operatives, officers, years, rng, now)
    _add_coming_days(db, residents, operatives, rng, now)
    db.execute("ANALYZE")
    return {table: query_one(db, f"SELECT count(*) AS n FROM {table}")["n"] for table in (
        "residents", "adjustments", "users", "visits", "visit_logs", "log_concerns", "alerts",
        "visit_feedback", "audit_log", "work_steps")}


def _world(db) -> dict:
    demo_operative = query_one(db, "SELECT * FROM users WHERE email = 'operative@demo.test'")
    return {
        "landlord": query_one(db, "SELECT id FROM organisations WHERE kind = 'landlord'")["id"],
        "firms": [r["id"] for r in query_all(
            db, "SELECT id FROM organisations WHERE kind = 'contractor' ORDER BY id")],
        "password_hash": demo_operative["password_hash"],
        "concerns": [r["code"] for r in query_all(db, "SELECT code FROM concern_categories")],
        # One real adjustment of each type from the demo: valid parameters and wording.
        "adjustments": list({r["type_code"]: dict(r) for r in query_all(
            db, "SELECT * FROM adjustments WHERE status = 'active' ORDER BY id")}.values()),
    }


def _add_people(db, world, role: str, count: int, now: datetime) -> list[tuple[int, int]]:
    """Accounts named role-N@bench.test with the demo password; returns (id, firm) pairs."""
    stamp = iso(now)
    rows = []
    for n in range(count):
        organisation = (world["firms"][n % len(world["firms"])] if role == "operative"
                        else world["landlord"])
        rows.append((f"Bench {role.title()} {n + 1}", f"{role}-{n + 1}@bench.test",
                     world["password_hash"], role, organisation, f"BN{n + 1:05d}" if
                     role == "operative" else "", "0113 496 0150", stamp, stamp))
    with db.conn:
        db.conn.executemany(
            "INSERT INTO users (name, email, password_hash, role, organisation_id, badge_number,"
            " supervisor_phone, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return [(r["id"], r["organisation_id"]) for r in query_all(
        db, "SELECT id, organisation_id FROM users WHERE email LIKE ? ORDER BY id",
        (f"{role}-%@bench.test",))]


def _add_residents(db, world, homes: int, officers, rng, now) -> list[int]:
    with transaction(db):
        return [create_resident(db, world["landlord"], {
            "officer_id": rng.choice(officers)[0], "tenancy_ref": f"BT-{n:06d}",
            "name": f"Resident {n + 1}",
            "address_line1": f"{n % 200 + 1} {STREETS[n % len(STREETS)]}",
            "postcode": f"RS{n % 9 + 1} {n % 7 + 1}AB", "phone": f"07700 9{n % 100000:05d}"},
            created_at=iso(now)) for n in range(homes)]


def _add_adjustments(db, world, residents, rng, now) -> None:
    review_due = (now + timedelta(days=180)).date().isoformat()
    with transaction(db):
        for resident in residents:
            if rng.random() >= SHARE_WITH_ADJUSTMENTS:
                continue
            for template in rng.sample(world["adjustments"], rng.randint(1, 4)):
                create_adjustment(db, resident, template["type_code"], template["recorded_by"], {
                    "parameters": json.loads(template["parameters"]),
                    "detail": template["detail"], "consent_given_by": "resident",
                    "consent_how": "in_person", "consent_on": now.date().isoformat(),
                    "review_due": review_due}, created_at=iso(now))


def _add_history(db, world, residents, operatives, officers, years, rng, now) -> None:
    count = int(len(residents) * VISITS_PER_HOME_PER_YEAR * years)
    span_minutes = int(years * 365 * 24 * 60)
    officer_of = dict(query_all(db, "SELECT id, officer_id FROM residents WHERE id >= ?",
                                (residents[0],)))
    tables = {name: [] for name in ("logs", "concerns", "alerts", "feedback", "audit")}
    first_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM visits").fetchone()[0]
    # Past visits end before today begins: today's and tomorrow's are made on their own, and
    # a history visit this morning would add to an operative's day.
    history_ends = datetime.fromisoformat(day_bounds_utc(today_local())[0])
    with transaction(db):
        for number in range(first_id, first_id + count):
            starts = history_ends - timedelta(minutes=rng.randrange(3 * 60, span_minutes))
            resident = rng.choice(residents)
            operative, firm = rng.choice(operatives)
            status = "cancelled" if rng.random() < 0.04 else "booked"
            visit_id = create_visit(
                db, resident_id=resident, firm_id=firm, job_ref=f"J-{number}",
                trade=rng.choice(TRADES), starts_at=iso(starts),
                ends_at=iso(starts + timedelta(hours=2)), status=status,
                created_at=iso(starts), operatives=[operative])
            if status == "booked":
                _add_outcome(tables, world, visit_id, resident, officer_of[resident], operative,
                             starts, rng, now)
    _write_history(db, tables)


def _add_outcome(tables, world, visit_id, resident, officer, operative, starts, rng, now):
    outcome, distress = rng.choice(OUTCOMES), rng.choice(DISTRESS)
    logged = starts + timedelta(hours=2)
    tables["audit"].append((iso(starts - timedelta(minutes=20)), operative, str(visit_id)))
    tables["logs"].append((visit_id, str(uuid.UUID(int=rng.getrandbits(128))), visit_id,
                           operative, outcome, "no_answer" if outcome == "no_access" else None,
                           distress, iso(logged)))
    if rng.random() < 0.03:
        tables["concerns"].append((visit_id, rng.choice(world["concerns"])))
    alert = alert_for({"outcome": outcome, "distress": distress})
    if alert:
        recent = logged > now - timedelta(days=OPEN_ALERT_DAYS)
        acknowledged = logged + timedelta(minutes=rng.randrange(5, 240))
        status = rng.choice(["new", "acknowledged"]) if recent else "closed"
        tables["alerts"].append((
            resident, officer, visit_id, visit_id, *alert, status, iso(logged),
            None if status == "new" else iso(acknowledged),
            iso(acknowledged) if status == "closed" else None,
            "Called the resident; agreed a new time." if status == "closed" else ""))
    if rng.random() < 0.1:
        tables["feedback"].append((visit_id, rng.choice(["yes", "yes", "partly", "no"]),
                                   rng.choice(["yes", "partly", None]), "yes", iso(logged)))


def _write_history(db, tables) -> None:
    with db.conn:
        concerns = dict(tables["concerns"])  # at most one a log, keyed by the log's id
        for log_id, client_id, visit_id, author, outcome, reason, distress, at in tables["logs"]:
            create_log(db, log_id=log_id, client_id=client_id, visit_id=visit_id,
                       author_id=author, outcome=outcome, no_access_reason=reason,
                       distress=distress, payload_hash="bench", created_at=at,
                       concerns=[concerns[log_id]] if log_id in concerns else ())
        db.conn.executemany(
            "INSERT INTO alerts (resident_id, officer_id, log_id, visit_id, severity, reasons,"
            " status, created_at, acknowledged_at, acknowledged_by, closed_at, closed_by,"
            " action_taken) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
            " CASE WHEN ?9 IS NULL THEN NULL ELSE ?2 END, ?10,"
            " CASE WHEN ?10 IS NULL THEN NULL ELSE ?2 END, ?11)", tables["alerts"])
        db.conn.executemany(
            "INSERT INTO visit_feedback (visit_id, felt_safe, listened_to, in_control,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?5, ?5)", tables["feedback"])
        db.conn.executemany(
            "INSERT INTO audit_log (at, user_id, action, record_type, record_id, address)"
            " VALUES (?, ?, 'briefing_viewed', 'visit', ?, '127.0.0.1')", tables["audit"])


def _coming_visits(operatives, residents, rng) -> Iterator[tuple]:
    today = today_local()
    for day in (today, today + timedelta(days=1)):
        for operative, firm in operatives:
            for slot in range(VISITS_A_DAY_EACH):
                starts = datetime.combine(day, time(8 + 2 * slot), LOCAL_ZONE)
                yield operative, firm, rng.choice(residents), starts


def _add_coming_days(db, residents, operatives, rng, now) -> None:
    with transaction(db):
        for operative, firm, resident, starts in _coming_visits(operatives, residents, rng):
            create_visit(db, resident_id=resident, firm_id=firm, job_ref="J-NEXT",
                         trade=rng.choice(TRADES), starts_at=iso(starts),
                         ends_at=iso(starts + timedelta(hours=2)), created_at=iso(now),
                         operatives=[operative], steps=COMING_STEPS)
