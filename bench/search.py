"""How long resident search takes for each keystroke with a borough's 30,000 residents.

Run: .venv/bin/python bench/search.py [RESIDENTS]
Builds a fresh database in a temporary folder (the demo landlord and people, then residents with
made-up names, streets, postcodes and tenancy references), then types a few searches one
keystroke at a time through the app (signed in as an officer, the htmx request the search box
sends), median of 20 runs per keystroke. For comparison it also times the LIKE query that read
every resident before the full-text index. It prints the figures and asserts nothing.
"""

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fieldapp import create_app
from fieldapp.core import migrations
from fieldapp.core.db import connect, query_one, transaction
from fieldapp.devdata.demo import load_demo
from fieldapp.residents.queries import create_resident

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support import sign_in_quickly  # noqa: E402

FIRST = ["Amira", "Brenda", "Chidi", "Dorota", "Ewa", "Fatima", "Grace", "Hassan", "Ibrahim",
         "Jan", "Kemal", "Leah", "Mohammed", "Nia", "Olu", "Priya", "Rita", "Sami", "Tomasz",
         "Yusuf"]
LAST = ["Brennan", "Okafor", "Kowalski", "Ahmed", "Begum", "Yilmaz", "Smith", "Jones", "Hassan",
        "Nowak", "Osei", "Patel", "Cohen", "Farah", "Murphy", "Green", "Ali", "Khan", "Walker",
        "Evans"]
STREETS = ["Alder Court", "Birch Road", "Canal Street", "Dale View", "Elm Gardens", "Fir Close",
           "Garden Row", "High Street", "Ivy Lane", "Jubilee Way"]
TYPED = ["Brennan", "Alder", "RS14", "BH-1234", "Mohammed Ali"]


def build(db, residents: int) -> None:
    migrations.apply(db)
    load_demo(db)
    landlord = query_one(db, "SELECT id FROM organisations WHERE kind = 'landlord'")["id"]
    rng = random.Random(7)
    with transaction(db):
        for n in range(residents):
            create_resident(db, landlord, {
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "address_line1": f"{rng.randint(1, 200)} {rng.choice(STREETS)}",
                "postcode": f"RS{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFG')}"
                            f"{rng.choice('ABDEFG')}",
                "tenancy_ref": f"BH-{n + 10000}"})


def median_ms(run, times: int = 20) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent)


def like_everything(db, text: str) -> None:
    """The query before the full-text index: every word LIKE-matched against every resident."""
    conditions, params = ["landlord_id = 1"], []
    for word in text.split():
        conditions.append("(name LIKE ? OR preferred_name LIKE ? OR address_line1 LIKE ?"
                          " OR replace(postcode, ' ', '') LIKE ? OR tenancy_ref LIKE ?)")
        params += [f"%{word}%"] * 5
    db.execute(f"SELECT id FROM residents WHERE {' AND '.join(conditions)}"
               " ORDER BY officer_id IS NOT 1, name LIMIT 50", params).fetchall()


def main() -> None:
    residents = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "search.db")
        db = connect(path)
        started = time.perf_counter()
        build(db, residents)
        print(f"{residents:,} residents built in {time.perf_counter() - started:.1f} s")
        app = create_app({"FIELDAPP_DB": path, "TESTING": True})
        officer = sign_in_quickly(app, "officer@demo.test")
        print("| typed | through the app (index) | the old LIKE query alone |")
        print("| --- | ---: | ---: |")
        for text in TYPED:
            for end in range(1, len(text) + 1):
                typed = text[:end]
                if typed.endswith(" "):
                    continue
                app_ms = median_ms(lambda t=typed: officer.get(
                    "/residents", query_string={"q": t}, headers={"HX-Request": "true"}))
                like_ms = median_ms(lambda t=typed: like_everything(db, t))
                print(f"| `{typed}` | {app_ms:.1f} ms | {like_ms:.1f} ms |")


if __name__ == "__main__":
    main()
