"""How long one letter PDF takes (WeasyPrint, A4, standard and large print).

Run: .venv/bin/python bench/letter.py [LETTERS]
Builds the demo in a temporary folder, writes its booking messages as the worker does, then
makes each letter several times and prints the first and the median time; it asserts nothing.
"""

import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from fieldapp import create_app
from fieldapp.core import jobs, migrations
from fieldapp.core.db import connect, query_all
from fieldapp.devdata.demo import load_demo
from fieldapp.messages import letters, outbox


def main(count: int) -> None:
    assert outbox  # its job handlers are registered by importing it
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        app = create_app({"FIELDAPP_DB": str(path)})
        db = connect(str(path))
        with app.app_context():
            migrations.apply(db)
            load_demo(db)
            while jobs.run_one(db, now=datetime.now(UTC)):
                pass
            messages = query_all(db, "SELECT * FROM messages WHERE body != ''")
            for size in ("standard", "large"):
                times = []
                for n in range(count):
                    started = time.perf_counter()
                    letters.letter_pdf(db, messages[n % len(messages)], size)
                    times.append(time.perf_counter() - started)
                print(f"{size} letter: first {times[0]:.2f} s (fonts loaded), median of {count} "
                      f"{statistics.median(times):.2f} s, slowest after the first "
                      f"{max(times[1:]):.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
