"""How long the worker takes to send 1,000 reminders for tomorrow's visits, through a local
server speaking GOV.UK Notify's API (tests/notify_server.py, which checks every JWT).

Run: .venv/bin/python bench/reminders.py [VISITS]
Builds a fresh database in a temporary folder (the demo, plus one resident who prefers texts and
a visit tomorrow per reminder, each with three steps and two adjustments), queues each visit's
reminder job as a booking does, runs one worker until every reminder is written and sent, and
prints the figures; it asserts nothing.
"""

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fieldapp import create_app  # noqa: E402
from fieldapp.adjustments.queries import create_adjustment  # noqa: E402
from fieldapp.core import jobs, migrations  # noqa: E402
from fieldapp.core.clock import local_to_utc_iso, today_local  # noqa: E402
from fieldapp.core.db import connect, query_one, transaction  # noqa: E402
from fieldapp.devdata.demo import load_demo  # noqa: E402
from fieldapp.messages import outbox  # noqa: E402
from fieldapp.residents.queries import create_resident  # noqa: E402
from fieldapp.schedule.queries import create_visit  # noqa: E402

from notify_server import API_KEY, NotifyServer  # noqa: E402

STEPS = [{"description": "Turn off the water and drain the system", "expected_minutes": 10,
          "water_off": 1},
         {"description": "Cut out the old pipe", "expected_minutes": 25, "noisy": 1},
         {"description": "Fit the new pipe and test", "expected_minutes": 30}]


def build(db, visits: int) -> None:
    migrations.apply(db)
    load_demo(db)
    landlord = query_one(db, "SELECT id FROM organisations WHERE kind = 'landlord'")["id"]
    firm = query_one(db, "SELECT id FROM organisations WHERE name = 'Acme Repairs'")["id"]
    officer = query_one(db, "SELECT id FROM users WHERE email = 'officer@demo.test'")["id"]
    operative = query_one(db, "SELECT id FROM users WHERE email = 'operative@demo.test'")["id"]
    tomorrow = today_local() + timedelta(days=1)
    with transaction(db):
        for n in range(visits):
            resident = create_resident(db, landlord, {
                "officer_id": officer, "name": f"Bench Resident {n}", "address_line1": "1 Road",
                "postcode": "RS1 1AA", "phone": f"07700 9{n:05d}", "preferred_contact": "text"})
            for code, parameters in (("call_ahead", {"minutes": "30"}), ("gentle_knock", {})):
                create_adjustment(db, resident, code, officer, {
                    "parameters": parameters, "detail": "", "consent_given_by": "resident",
                    "consent_how": "phone", "consent_on": "2026-01-01",
                    "review_due": "2099-01-01"})
            hour = 8 + n % 9
            visit = create_visit(
                db, resident_id=resident, firm_id=firm, job_ref=f"REM-{n}", trade="Plumbing",
                starts_at=local_to_utc_iso(tomorrow, datetime.min.time().replace(hour=hour)),
                ends_at=local_to_utc_iso(tomorrow, datetime.min.time().replace(hour=hour + 2)),
                operatives=[operative], steps=STEPS)
            starts = query_one(db, "SELECT starts_at FROM visits WHERE id = ?", (visit,))
            jobs.enqueue(db, "message_reminder", {"visit_id": visit,
                                                  "starts_at": starts["starts_at"]})
        # The demo's own booking messages are not part of this run.
        db.execute("UPDATE jobs SET done_at = run_after WHERE kind = 'send_message'")


def main(visits: int) -> None:
    assert outbox  # its job handlers are registered by importing it
    with tempfile.TemporaryDirectory() as folder, NotifyServer() as notify:
        path = Path(folder) / "bench.db"
        app = create_app({"FIELDAPP_DB": str(path), "NOTIFY_API_KEY": API_KEY,
                          "NOTIFY_BASE_URL": notify.url, "NOTIFY_SMS_TEMPLATE_ID": "t-sms",
                          "NOTIFY_EMAIL_TEMPLATE_ID": "t-email"})
        db = connect(str(path))
        with app.app_context():
            build(db, visits)
            started = time.perf_counter()
            runs = 0
            while jobs.run_one(db, now=datetime.now(UTC)):
                runs += 1
            seconds = time.perf_counter() - started
        sent = query_one(db, "SELECT count(*) AS n FROM messages WHERE event = 'reminder'"
                             " AND status = 'sent'")["n"]
        print(f"{visits} reminders: {runs} jobs run, {sent} sent to Notify "
              f"({len(notify.accepted)} accepted) in {seconds:.1f} s "
              f"({visits / seconds:.0f} a second)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
