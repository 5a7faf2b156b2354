"""The hot pages' own cost: requests per second through the app in this process (Flask's test
client, no HTTP server), with the mixed load's Accept-Encoding, and where a page's time goes.

Run: .venv/bin/python bench/pages.py --db PATH [--seconds 3] [--profile today]
     .venv/bin/python bench/pages.py --db PATH --compare OTHER [--rounds 7] [--seconds 0.5]
PATH is a database made by `fieldapp bench-data`; it is copied first. Each page is requested
for --seconds (after one untimed request) and the count per second printed. --profile PAGE
prints the functions that took most of that page's time (cProfile, cumulative).
--compare OTHER: two processes, this code and the code in folder OTHER (its fieldapp/,
templates/ and static/, e.g. from `git archive`), take turns on each page, --rounds times; the
best round of each is printed (on a busy machine the best is the one least disturbed by others).
Asserts nothing.
"""

import argparse
import cProfile
import os
import pstats
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from fieldapp import create_app  # noqa: E402
from fieldapp.core import db as database  # noqa: E402
from fieldapp.core import migrations  # noqa: E402

from support import sign_in_quickly  # noqa: E402

HEADERS = {"Accept-Encoding": "gzip, br"}
PAGES = ["today", "briefing", "id card", "log form", "inbox", "inbox counts", "alert"]


def pages(path: Path) -> dict:
    migrations.apply(database.connect(str(path)))  # the database may predate this code
    app = create_app({"FIELDAPP_DB": str(path)})
    operative = sign_in_quickly(app, "operative-1@bench.test")
    officer = sign_in_quickly(app, "officer-1@bench.test")
    today = operative.get("/today").get_data(as_text=True)
    visit = re.search(r'href="/visits/(\d+)"', today)[1]
    alert = re.search(r'href="/alerts/(\d+)"', officer.get("/inbox").get_data(as_text=True))[1]
    return {"today": (operative, "/today", {}),
            "briefing": (operative, f"/visits/{visit}", {}),
            "id card": (operative, f"/visits/{visit}/id-card", {}),
            "log form": (operative, f"/visits/{visit}/log", {}),
            "inbox": (officer, "/inbox", {}),
            "inbox counts": (officer, "/inbox", {"HX-Request": "true"}),
            "alert": (officer, f"/alerts/{alert}", {})}


def rate(client, path: str, headers: dict, seconds: float) -> tuple[float, float]:
    """Requests per second of the clock, and per second of this process's CPU time (which a
    busy machine changes much less: compare that one when others use the cores)."""
    assert client.get(path, headers={**HEADERS, **headers}).status_code == 200, path
    count, started, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        client.get(path, headers={**HEADERS, **headers})
        count += 1
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu)


def answer_on_stdin(hot: dict) -> None:
    """The child's side of --compare: "page seconds" in, "clock cpu" out, one line each."""
    print("ready", flush=True)
    for line in sys.stdin:
        name, seconds = line.rsplit(" ", 1)
        print(*rate(*hot[name], float(seconds)), flush=True)


def compare(args) -> None:
    children = {}
    for label, path in (("before", str(args.compare)), ("after", "")):
        env = {**os.environ, "PYTHONPATH": path}
        children[label] = subprocess.Popen(
            [sys.executable, __file__, "--db", str(args.db), "--child"], env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    for child in children.values():
        assert child.stdout.readline().strip() == "ready"
    best = {}
    for _round in range(args.rounds):
        for name in PAGES:
            for label, child in children.items():
                child.stdin.write(f"{name} {args.seconds}\n")
                child.stdin.flush()
                clock, cpu = (float(n) for n in child.stdout.readline().split())
                old = best.get((name, label), (0, 0))
                best[(name, label)] = (max(old[0], clock), max(old[1], cpu))
    for child in children.values():
        child.stdin.close()
        child.wait()
    print(f"best of {args.rounds} rounds of {args.seconds:g} s, load average "
          f"{' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    print(f"{'page':<14}{'before':>8}{'after':>8}{'after/before':>14}"
          f"{'before (CPU)':>14}{'after (CPU)':>13}{'after/before':>14}")
    for name in PAGES:
        (b_clock, b_cpu), (a_clock, a_cpu) = best[(name, "before")], best[(name, "after")]
        print(f"{name:<14}{b_clock:>8.0f}{a_clock:>8.0f}{a_clock / b_clock:>14.2f}"
              f"{b_cpu:>14.0f}{a_cpu:>13.0f}{a_cpu / b_cpu:>14.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=3)
    parser.add_argument("--profile", help="a page's name, e.g. today")
    parser.add_argument("--compare", type=Path, help="a folder with another version's code")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.compare:
        return compare(args)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "pages.db"
        with sqlite3.connect(args.db) as src, sqlite3.connect(db) as dst:
            src.backup(dst)
        hot = pages(db)
        if args.child:
            return answer_on_stdin(hot)
        if args.profile:
            client, path, headers = hot[args.profile]
            profile = cProfile.Profile()
            profile.enable()
            rate(client, path, headers, args.seconds)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
            return
        print(f"code: {Path(sys.modules['fieldapp'].__file__).parent.parent}")
        print(f"{'page':<14}{'requests/s':>12}{'per CPU second':>16}")
        for name, (client, path, headers) in hot.items():
            clock, cpu = rate(client, path, headers, args.seconds)
            print(f"{name:<14}{clock:>12.0f}{cpu:>16.0f}")


if __name__ == "__main__":
    sys.exit(main())
