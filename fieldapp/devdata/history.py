"""Four weeks of past visits for the demo, with their logs, a few alerts (dealt with) and some
residents' feedback, so Measures and the residents' pages have something true-to-life to show.
Deterministic: the same demo every time."""

import random
import uuid
from datetime import date, datetime, time, timedelta

from fieldapp.core.catalogues import alert_for
from fieldapp.core.clock import local_to_utc_iso
from fieldapp.core.db import transaction
from fieldapp.logs.queries import create_log
from fieldapp.schedule.queries import create_visit

OUTCOMES = ["completed"] * 14 + ["partly_completed"] * 3 + ["no_access"] * 3 + \
    ["stopped_distress"]
TRADES = ["Plumbing", "Heating", "Electrical", "Carpentry"]


def load_history(db, residents: list[int], users: dict[str, int], orgs: dict[str, int],
                 today: date) -> None:
    rng = random.Random(2026)
    with transaction(db):
        for days_ago in range(28, 0, -1):
            day = today - timedelta(days=days_ago)
            if day.weekday() >= 5:
                continue
            for slot in (9, 13):
                _past_visit(db, rng, day, slot, rng.choice(residents), users, orgs)


def _past_visit(db, rng, day: date, hour: int, resident: int, users, orgs) -> None:
    operative = rng.choice(["operative", "operative2"])
    firm = orgs["acme"] if operative == "operative" else orgs["brightside"]
    starts, ends = local_to_utc_iso(day, time(hour)), local_to_utc_iso(day, time(hour + 2))
    visit = create_visit(db, resident_id=resident, firm_id=firm,
                         job_ref=f"HIST-{day:%m%d}-{hour}", trade=rng.choice(TRADES),
                         starts_at=starts, ends_at=ends, created_by=users["officer"],
                         created_at=starts, operatives=[users[operative]])
    outcome = rng.choice(OUTCOMES)
    distress = "significant" if outcome == "stopped_distress" else rng.choice(
        ["none"] * 8 + ["some"])
    log = create_log(db, client_id=str(uuid.uuid4()), visit_id=visit,
                     author_id=users[operative], outcome=outcome,
                     no_access_reason="no_answer" if outcome == "no_access" else None,
                     distress=distress, payload_hash="demo", created_at=ends)
    alert = alert_for({"outcome": outcome, "distress": distress})
    if alert:
        _dealt_with_alert(db, rng, resident, users["officer"], log, ends, alert)
    if rng.random() < 0.4:
        db.execute(
            "INSERT INTO visit_feedback (visit_id, felt_safe, listened_to, in_control,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            (visit, rng.choice(["yes"] * 5 + ["partly"]), rng.choice(["yes"] * 4 + ["partly"]),
             rng.choice(["yes", "yes", "partly", "no"]), ends, ends))


def _dealt_with_alert(db, rng, resident: int, officer: int, log: int, at: str,
                      alert: tuple[str, str]) -> None:
    created = datetime.fromisoformat(at)
    acknowledged = created + timedelta(minutes=rng.randrange(4, 90))
    severity, reasons = alert
    db.execute(
        "INSERT INTO alerts (resident_id, officer_id, log_id, severity, reasons, status,"
        " created_at, acknowledged_at, acknowledged_by, closed_at, closed_by, action_taken)"
        " VALUES (?, ?, ?, ?, ?, 'closed', ?, ?, ?, ?, ?, 'Called the resident; agreed a new"
        " time.')",
        (resident, officer, log, severity, reasons, at,
         acknowledged.isoformat(timespec="seconds"), officer,
         acknowledged.isoformat(timespec="seconds"), officer))
