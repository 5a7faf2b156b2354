"""How time per request and the database's size grow with homes (1,000 to 30,000, a year of
data) and with years of data (a month to three years, 30,000 homes).

Run: .venv/bin/python bench/growth.py [--quick] [--svg docs/performance-growth.svg]
Builds each database with `fieldapp bench-data` in a temporary folder, then times the hot
requests through the app in this process (no HTTP server: this is the app's own time), median
of 30 runs each (5 for measures). Prints a Markdown table and, with --svg, draws the plot.
Asserts nothing. --quick stops at 10,000 homes and a year, for a first look.
"""

import argparse
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from fieldapp import create_app  # noqa: E402

from support import sign_in_quickly  # noqa: E402

SIZES = [(1_000, 1.0), (3_000, 1.0), (10_000, 1.0), (30_000, 1.0), (30_000, 1 / 12),
         (30_000, 3.0)]
REQUESTS = ["/today", "briefing", "inbox", "alert", "log post", "measures"]


def build(path: Path, homes: int, years: float) -> float:
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv/bin/fieldapp"), "bench-data", "--homes", str(homes),
                    "--years", f"{years:.4f}"], check=True, stdout=subprocess.DEVNULL,
                   env={"FIELDAPP_DB": str(path), "PATH": "/usr/bin:/bin"})
    return time.perf_counter() - started


def median_ms(call, runs: int) -> float:
    call()  # the first run fills caches; it is not counted
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = call()
        times.append(time.perf_counter() - started)
        assert response.status_code in (200, 201), response.status_code
    return statistics.median(times) * 1000


def time_requests(path: Path) -> dict[str, float]:
    app = create_app({"FIELDAPP_DB": str(path)})
    operative = sign_in_quickly(app, "operative-1@bench.test")
    officer = sign_in_quickly(app, "officer-1@bench.test")
    today = operative.get("/today").get_data(as_text=True)
    visit = int(re.search(r'href="/visits/(\d+)"', today)[1])
    token = re.search(r'"X-CSRFToken": "([^"]+)"', today)[1]
    alert = re.search(r'href="/alerts/(\d+)"', officer.get("/inbox").get_data(as_text=True))[1]

    def log_post():
        return operative.post("/api/logs", headers={"X-CSRFToken": token}, json={
            "client_id": str(uuid.uuid4()), "visit_id": visit, "outcome": "completed",
            "distress": "none", "concerns": [], "note": "", "follow_up": ""})

    calls = {"/today": (lambda: operative.get("/today"), 30),
             "briefing": (lambda: operative.get(f"/visits/{visit}"), 30),
             "inbox": (lambda: officer.get("/inbox"), 30),
             "alert": (lambda: officer.get(f"/alerts/{alert}"), 30),
             "log post": (log_post, 30),
             "measures": (lambda: officer.get("/measures"), 5)}
    return {name: median_ms(call, runs) for name, (call, runs) in calls.items()}


def plot(rows: list[dict], target: Path) -> None:
    """A small SVG: time per request against homes (a year of data), one line per request."""
    series = [r for r in rows if r["years"] == 1.0]
    width, height, left, bottom = 720, 360, 60, 40
    most_homes = max(r["homes"] for r in series)
    top = max(r[name] for r in series for name in REQUESTS if name != "measures") * 1.2

    def x(homes):
        return left + (width - left - 100) * homes / most_homes

    def y(ms):
        return height - bottom - (height - bottom - 20) * ms / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             'font-family="sans-serif" font-size="12" role="img" aria-label="Time per request '
             'against number of homes">', f'<rect width="{width}" height="{height}" fill="#fff"/>',
             f'<line x1="{left}" y1="{y(0)}" x2="{x(most_homes)}" y2="{y(0)}" stroke="#333"/>',
             f'<line x1="{left}" y1="{y(0)}" x2="{left}" y2="20" stroke="#333"/>',
             f'<text x="{width / 2}" y="{height - 5}" text-anchor="middle">homes (a year of '
             'visits)</text>', f'<text x="12" y="{height / 2}" transform="rotate(-90 12 '
             f'{height / 2})" text-anchor="middle">ms per request</text>']
    for r in series:
        parts.append(f'<text x="{x(r["homes"])}" y="{y(0) + 16}" text-anchor="middle">'
                     f'{r["homes"]:,}</text>')
    for ms in range(0, int(top) + 1, 2):
        parts.append(f'<line x1="{left - 4}" y1="{y(ms):.0f}" x2="{x(most_homes):.0f}" '
                     f'y2="{y(ms):.0f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 8}" y="{y(ms) + 4:.0f}" text-anchor="end">{ms}</text>')
    colours = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92"]
    names = [n for n in REQUESTS if n != "measures"]
    # Labels at the right end, spread out so lines ending close together stay readable.
    ends = sorted(names, key=lambda n: -series[-1][n])
    label_y = {n: y(series[-1][ends[0]]) - 6 + 14 * i for i, n in enumerate(ends)}
    for colour, name in zip(colours, names, strict=True):
        points = " ".join(f"{x(r['homes']):.0f},{y(r[name]):.0f}" for r in series)
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                     'stroke-width="2"/>')
        parts.append(f'<text x="{x(most_homes) + 8:.0f}" y="{label_y[name]:.0f}" fill="{colour}">'
                     f'{name}</text>')
    target.write_text("\n".join(parts) + "\n</svg>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--svg", type=Path)
    args = parser.parse_args()
    sizes = [(h, y) for h, y in SIZES if h <= 10_000] if args.quick else SIZES
    rows = []
    print("| homes | years | visits | database | build | " + " | ".join(REQUESTS) + " |")
    print("| ---: | ---: | ---: | ---: | ---: | " + " | ".join("---:" for _ in REQUESTS) + " |")
    for homes, years in sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "growth.db"
            built = build(path, homes, years)
            with sqlite3.connect(path) as db:
                visits = db.execute("SELECT count(*) FROM visits").fetchone()[0]
            size_mb = path.stat().st_size / 1e6
            row = {"homes": homes, "years": years, **time_requests(path)}
        rows.append(row)
        print(f"| {homes:,} | {years:.2g} | {visits:,} | {size_mb:.0f} MB | {built:.0f} s | "
              + " | ".join(f"{row[name]:.1f} ms" for name in REQUESTS) + " |", flush=True)
    if args.svg:
        plot(rows, args.svg)
        print(f"plot: {args.svg}")


if __name__ == "__main__":
    main()
