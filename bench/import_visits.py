"""How long a 5,000-row visit import takes: check every row, then store them, then again.

Run: .venv/bin/python bench/import_visits.py [ROWS]
Builds a fresh database in a temporary folder (demo landlord and firms, one resident per row)
and prints the figures; it asserts nothing.
"""

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from fieldapp import create_app
from fieldapp.core import migrations
from fieldapp.core.clock import today_local
from fieldapp.core.db import connect, query_one, transaction
from fieldapp.devdata.demo import load_demo
from fieldapp.residents.queries import create_resident
from fieldapp.schedule import importer


def build(db, rows: int) -> tuple[int, int, str]:
    migrations.apply(db)
    load_demo(db)
    landlord = query_one(db, "SELECT id FROM organisations WHERE kind = 'landlord'")["id"]
    officer = query_one(db, "SELECT id FROM users WHERE email = 'officer@demo.test'")["id"]
    with transaction(db):
        for n in range(rows):
            create_resident(db, landlord, {"officer_id": officer, "tenancy_ref": f"B-{n}",
                                           "name": "Bench Resident", "address_line1": "1 Road",
                                           "postcode": "RS1 1AA"})
    day = today_local() + timedelta(days=7)
    lines = ["job_ref,tenancy_ref,date,start,end,trade,firm,operatives,steps"]
    lines += [f"BENCH-{n},B-{n},{day.isoformat()},{9 + n % 8}:00,{10 + n % 8}:00,Plumbing,"
              f"Acme Repairs,operative@demo.test,Check the leak|Fix the tap" for n in range(rows)]
    return landlord, officer, "\n".join(lines) + "\n"


def timed(label: str, action):
    started = time.perf_counter()
    result = action()
    print(f"{label}: {time.perf_counter() - started:.2f} s")
    return result


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        app = create_app({"FIELDAPP_DB": str(path)})
        db = connect(str(path))
        with app.app_context():
            landlord, officer, text = build(db, rows)
            print(f"{rows} rows, {len(text.encode()) / 1024:.0f} KB of CSV")
            planned = timed("check (preview)", lambda: importer.plan(
                text, importer.Lookups(db, landlord)))
            counts = timed("check and store", lambda: importer.apply(
                db, importer.plan(text, importer.Lookups(db, landlord)), officer))
            print(f"stored: {counts}")
            again = timed("import the same file again", lambda: importer.apply(
                db, importer.plan(text, importer.Lookups(db, landlord)), officer))
            print(f"second import: {again}; rows checked in the preview: {len(planned)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
