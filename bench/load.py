"""A mixed load on the real server: operatives reading their day and briefings and sending logs,
officers on the inbox, its counts, an alert and measures; a static file as the yardstick.

Run: .venv/bin/python bench/load.py --db PATH [--rates 15,250,500] [--seconds 30]
     .venv/bin/python bench/load.py --db PATH --search [--servers gunicorn,granian]
     (a server "gunicorn:FOLDER" is gunicorn serving the code in FOLDER: an earlier version)
PATH is a database made by `fieldapp bench-data`; it is copied first, so runs do not change it.
The server is `fieldapp serve` (2 workers x 4 threads; gunicorn gthread unless --servers names
granian) on a loopback port. Requests are sent at a fixed rate (open loop: a slow answer does not
slow the sender, so queueing shows in the times), each timed from the moment it was due. Then a
closed loop of 32 clients finds the most the server answers.
With --search, for each server in turn (each on its own fresh copy of the database): the
highest rate at which the static file alone keeps its p99 under 50 ms, then the highest rate at
which the mixed load's pages keep theirs under 50 ms (rates rising by half until one misses, then
halved twice between the last that kept and the first that missed; each rate for --step-seconds
and at least --step-requests requests up to three times as long, after every ID card has been
opened), and the
second as a share of the first: the app's cost measured against the same server's own.
Prints figures; asserts nothing.
"""

import argparse
import asyncio
import json
import os
import random
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections import defaultdict
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "fieldapp-demo"  # noqa: S105  (the bench accounts use the published demo password)
STATIC = "/static/icons/icon-192.png"
# (name, share of requests): operatives make most of the traffic, as in the field.
MIX = [("today", 24), ("briefing", 24), ("id card", 5), ("log form", 5), ("log post", 10),
       ("inbox", 12), ("inbox counts", 8), ("alert", 5), ("measures", 0.2), ("static", 6.8),
       ("resident search", 2)]
# What officers type into resident search (each request is one keystroke's htmx search).
SEARCHES = ["Res", "Resident 1", "Resident 12", "Resident 123", "Flat", "RS1", "Road"]
PAGE_P99_TARGET_MS, POST_P99_TARGET_MS = 50, 100


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_database(source: Path, target: Path) -> None:
    """SQLite's backup: a consistent copy even if the source still has a write-ahead log."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def bench_accounts(db: Path, role: str) -> int:
    """How many `role-N@bench.test` accounts bench-data made (fewer for a small borough)."""
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM users WHERE email LIKE ?",
                            (f"{role}-%@bench.test",)).fetchone()[0]


def start_server(db: Path, port: int, workers: int, threads: int,
                 name: str = "gunicorn") -> subprocess.Popen:
    """`fieldapp serve`; a name "gunicorn:FOLDER" serves the code in FOLDER (its fieldapp/,
    templates/ and static/, e.g. an earlier commit's `git archive`) through gunicorn."""
    name, _, code = name.partition(":")
    env = {"FIELDAPP_DB": str(db), "FIELDAPP_ENV": "development", "PATH": "/usr/bin:/bin",
           "FIELDAPP_BASE_URL": f"http://127.0.0.1:{port}", "PYTHONPATH": code}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/fieldapp"), "serve", "--port", str(port), "--workers",
         str(workers), "--threads", str(threads), *(["--server", name] if not code else [])],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):  # migrations first: a borough's copy may take a while
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


class Person:
    """A signed-in session, with what it needs to build its requests."""

    def __init__(self, session: aiohttp.ClientSession, base: str):
        self.session, self.base = session, base
        self.csrf, self.visits, self.alerts = "", [], []

    async def sign_in(self, email: str) -> str:
        async with self.session.get(f"{self.base}/login") as page:
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', await page.text())[1]
        form = {"csrf_token": token, "email": email, "password": PASSWORD}
        async with self.session.post(f"{self.base}/login", data=form) as response:
            html = await response.text()
        self.csrf = re.search(r'"X-CSRFToken": "([^"]+)"', html)[1]
        return html


async def sign_in_everyone(base: str, operatives: int, officers: int, host: str = ""):
    """Operatives and officers signed in; with `host`, at that landlord of a landlord map."""
    people = {"operative": [], "officer": []}
    for role, count in (("operative", operatives), ("officer", officers)):
        for n in range(1, count + 1):
            person = Person(aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                                  connector=aiohttp.TCPConnector(limit=8),
                                                  headers={"Host": host} if host else None),
                            base)
            await person.sign_in(f"{role}-{n}@bench.test")
            page = f"{base}/today" if role == "operative" else f"{base}/inbox"
            async with person.session.get(page) as response:
                html = await response.text()
            person.visits = sorted(set(re.findall(r'href="/visits/(\d+)"', html)))
            person.alerts = re.findall(r'href="/alerts/(\d+)"', html)[:20]
            people[role].append(person)
    assert all(p.visits for p in people["operative"]), "an operative has no visits today"
    assert all(p.alerts for p in people["officer"]), "an officer has no alerts"
    return people


def build_request(kind: str, people, rng: random.Random):
    """(person, method, path, json body, headers) for one request of this kind."""
    operative, officer = rng.choice(people["operative"]), rng.choice(people["officer"])
    visit = rng.choice(operative.visits)
    simple = {"today": (operative, "/today"), "briefing": (operative, f"/visits/{visit}"),
              "id card": (operative, f"/visits/{visit}/id-card"),
              "log form": (operative, f"/visits/{visit}/log"), "inbox": (officer, "/inbox"),
              "alert": (officer, f"/alerts/{rng.choice(officer.alerts)}"),
              "measures": (officer, "/measures"), "static": (operative, STATIC)}
    if kind in simple:
        person, path = simple[kind]
        return person, "GET", path, None, {}
    if kind == "inbox counts":
        return officer, "GET", "/inbox", None, {"HX-Request": "true"}
    if kind == "resident search":
        typed = urllib.parse.quote(rng.choice(SEARCHES))
        return officer, "GET", f"/residents?q={typed}", None, {"HX-Request": "true"}
    body = {"client_id": str(uuid.UUID(int=rng.getrandbits(128))), "visit_id": int(visit),
            "outcome": "completed", "distress": "none", "concerns": [], "note": "",
            "follow_up": ""}
    return operative, "POST", "/api/logs", body, {"X-CSRFToken": operative.csrf}


async def send(person, method, path, body, headers) -> int:
    """The status, or 0 when the connection failed twice. gunicorn closes a kept-alive
    connection after 2 s idle; a request that meets such a closing connection is sent again,
    as a browser does."""
    for _attempt in range(2):
        try:
            async with person.session.request(
                    method, f"{person.base}{path}", json=body, allow_redirects=False,
                    headers={"Accept-Encoding": "gzip, br", **headers}) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError):
            continue
    return 0


async def open_loop(people, rate: float, seconds: float, seed: int, mix=MIX):
    """Send at a fixed rate; each time runs from when the request was due."""
    rng = random.Random(seed)
    kinds, weights = zip(*mix, strict=True)
    times, errors, statuses = defaultdict(list), defaultdict(int), defaultdict(int)

    async def one(kind, due):
        status = await send(*build_request(kind, people, rng))
        ok = status in ({201} if kind == "log post" else {200, 302, 303})
        (times[kind].append(time.perf_counter() - due) if ok else None)
        errors[kind] += 0 if ok else 1
        if not ok:
            statuses[f"{kind} {status}"] += 1

    started, tasks = time.perf_counter(), []
    for n in range(int(rate * seconds)):
        due = started + n / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(rng.choices(kinds, weights)[0], due)))
    await asyncio.gather(*tasks)
    if statuses:
        print("failed:", dict(statuses))
    return times, errors, len(tasks) / (time.perf_counter() - started)


async def closed_loop(people, clients: int, seconds: float, mix=MIX) -> float:
    """As many requests as the server answers, from this many clients at once (no measures)."""
    rng, count = random.Random(99), 0
    kinds, weights = zip(*[m for m in mix if m[0] != "measures"], strict=True)
    ends = time.perf_counter() + seconds

    async def client():
        nonlocal count
        while time.perf_counter() < ends:
            await send(*build_request(rng.choices(kinds, weights)[0], people, rng))
            count += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return count / (time.perf_counter() - started)


def server_cpu_seconds(pid: int) -> float:
    """CPU time used so far by the server and its workers (Linux /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    ticks = 0
    for process in [str(pid), *children]:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def page_times(times) -> list[float]:
    """Every page's times: not log posts (JSON), not the static file, not measures."""
    return [t for k, v in times.items() if k not in ("log post", "static", "measures")
            for t in v]


def report(label: str, times, errors, achieved: float) -> dict:
    print(f"\n{label}: {achieved:.0f} requests/s answered, errors {sum(errors.values())}")
    static_p99 = percentile(times["static"], 0.99) if times["static"] else float("nan")
    print(f"{'endpoint':<14}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'p99/static':>12}{'errors':>8}")
    figures = {}
    for kind, _ in MIX:
        if not times[kind]:
            continue
        p50, p95, p99 = (percentile(times[kind], s) for s in (0.5, 0.95, 0.99))
        figures[kind] = {"p50": p50, "p95": p95, "p99": p99, "count": len(times[kind])}
        print(f"{kind:<14}{len(times[kind]):>7}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}"
              f"{p99 / static_p99:>12.1f}{errors[kind]:>8}")
    pages = page_times(times)
    print(f"all pages but measures: p99 {percentile(pages, 0.99):.1f} ms (target "
          f"{PAGE_P99_TARGET_MS}); log posts p99 {figures['log post']['p99']:.1f} ms (target "
          f"{POST_P99_TARGET_MS})")
    return figures


async def run(args) -> dict:
    base = f"http://127.0.0.1:{args.port}"
    people = await sign_in_everyone(base, args.operatives, args.officers)
    try:
        return await (search(people, args) if args.search else measure(people, args))
    finally:
        for person in people["operative"] + people["officer"]:
            await person.session.close()


async def measure(people, args) -> dict:
    await open_loop(people, 50, 5, seed=1)  # warm up: templates, caches, connections
    results = {}
    for n, rate in enumerate(args.rates):
        label = f"{rate:g} requests/s" + (" (ten times a borough's peak)" if rate == 15 else "")
        cpu_before = server_cpu_seconds(args.server_pid)
        times, errors, achieved = await open_loop(people, rate, args.seconds, seed=n + 2)
        cpu_ms = (server_cpu_seconds(args.server_pid) - cpu_before) * 1000 / \
            sum(len(v) for v in times.values())
        results[f"{rate:g}"] = report(label, times, errors, achieved)
        results[f"{rate:g}"]["server_cpu_ms_per_request"] = cpu_ms
        print(f"server CPU per request: {cpu_ms:.1f} ms (so {os.cpu_count()} cores answer at "
              f"most about {os.cpu_count() * 1000 / cpu_ms:.0f} requests/s)")
    most = await closed_loop(people, 32, 15)
    print(f"\nmost answered (32 clients at once, 15 s): {most:.0f} requests/s")
    return {**results, "most": most}


async def highest_rate(people, args, mix, p99_of, label: str) -> tuple[float, dict]:
    """The highest rate (requests/s) whose p99, as p99_of(times) gives it, stays under 50 ms:
    rates rising by half from args.start until one misses (or halving until one keeps), then
    two halvings between. 0 when even 5 requests/s misses."""
    seed, tried = 100, {}

    async def keeps(rate: float) -> bool:
        nonlocal seed
        seed += 1
        cpu_before = server_cpu_seconds(args.server_pid)
        # Enough requests for a p99, but not minutes at a low rate.
        seconds = min(max(args.step_seconds, args.step_requests / rate), 3 * args.step_seconds)
        times, errors, achieved = await open_loop(people, rate, seconds, seed, mix)
        count = sum(len(v) for v in times.values())
        p99 = percentile(p99_of(times), 0.99)
        tried[rate] = {"p99": p99, "answered": achieved, "errors": sum(errors.values()),
                       "cpu_ms": (server_cpu_seconds(args.server_pid) - cpu_before) * 1000 /
                       max(1, count), "log_post_p99": percentile(times["log post"], 0.99)}
        ok = p99 < PAGE_P99_TARGET_MS and not tried[rate]["errors"]
        print(f"  {label} at {rate:.0f}/s: p99 {p99:.1f} ms, answered {achieved:.0f}/s, "
              f"server CPU {tried[rate]['cpu_ms']:.1f} ms a request, "
              f"errors {tried[rate]['errors']}: {'kept' if ok else 'missed'}", flush=True)
        await asyncio.sleep(1)  # let the server's queue empty before the next rate
        return ok

    kept, missed = 0.0, args.start
    while await keeps(missed):
        kept, missed = missed, missed * 1.5
    while not kept and missed >= 10:  # the first rate missed: halve until one keeps
        kept, missed = (missed / 2, missed) if await keeps(missed / 2) else (0.0, missed / 2)
    for _ in range(2):
        middle = (kept + missed) / 2
        kept, missed = (middle, missed) if await keeps(middle) else (kept, middle)
    return kept, tried.get(kept, {})


async def search(people, args) -> dict:
    await open_loop(people, 50, 5, seed=1)  # warm up: templates, caches, connections
    # A card's QR code is drawn on its first opening in each server process, then kept: open
    # every card a few times first, so the search measures a server that has been running.
    for _ in range(3):
        await asyncio.gather(*(send(person, "GET", f"/visits/{visit}/id-card", None, {})
                               for person in people["operative"] for visit in person.visits))
    static, _ = await highest_rate(people, args, [("static", 1)],
                                   lambda times: times["static"], "static file alone")
    mixed, at = await highest_rate(people, args, MIX, page_times, "mixed load, pages")
    most_static = await closed_loop(people, 32, args.step_seconds, [("static", 1)])
    most_mixed = await closed_loop(people, 32, args.step_seconds, MIX)
    print(f"  most answered, 32 clients at once: static file {most_static:.0f}/s, mixed load "
          f"{most_mixed:.0f}/s", flush=True)
    return {"static": static, "mixed": mixed, "ratio": mixed / static if static else 0,
            "at_mixed": at, "most_static": most_static, "most_mixed": most_mixed}


def print_search(results: dict, load: str) -> None:
    print(f"\nHighest rate with p99 under {PAGE_P99_TARGET_MS} ms ({os.cpu_count()} cores, "
          f"load average before the run {load}):")
    print(f"{'server':<18}{'static alone':>14}{'mixed pages':>13}{'mixed/static':>14}"
          f"{'log posts p99':>15}{'CPU a request':>15}")
    for name, figures in results.items():
        at = figures["at_mixed"]
        print(f"{name:<18}{figures['static']:>12.0f}/s{figures['mixed']:>11.0f}/s"
              f"{figures['ratio']:>14.2f}{at.get('log_post_p99', float('nan')):>12.1f} ms"
              f"{at.get('cpu_ms', float('nan')):>12.1f} ms")
    print("Most answered, 32 clients at once, no time limit:")
    for name, figures in results.items():
        print(f"{name:<18}{figures['most_static']:>12.0f}/s{figures['most_mixed']:>11.0f}/s"
              f"{figures['most_mixed'] / figures['most_static']:>14.2f}")


def serve_and_measure(args, name: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "load.db"
        copy_database(args.db, db)
        args.operatives, args.officers = (min(wanted, bench_accounts(db, role)) for wanted, role
                                          in ((args.operatives, "operative"),
                                              (args.officers, "officer")))
        args.port = free_port()
        server = start_server(db, args.port, args.workers, args.threads, name)
        args.server_pid = server.pid
        try:
            return asyncio.run(run(args))
        finally:
            server.terminate()
            server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--rates", default="15,250,500",
                        type=lambda text: [float(rate) for rate in text.split(",")])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--operatives", type=int, default=40)
    parser.add_argument("--officers", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--servers", default="gunicorn",
                        type=lambda text: text.split(","),
                        help="e.g. gunicorn,granian; gunicorn:FOLDER serves FOLDER's code")
    parser.add_argument("--search", action="store_true",
                        help="find each server's highest rate with p99 under 50 ms")
    parser.add_argument("--start", type=float, default=40, help="--search's first rate")
    parser.add_argument("--step-seconds", type=float, default=8)
    parser.add_argument("--step-requests", type=int, default=400,
                        help="at least this many requests at each rate of --search")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    load = " ".join(f"{n:.1f}" for n in os.getloadavg())
    figures = {}
    for name in args.servers:
        print(f"\n== {name}", flush=True)
        label = f"{name.partition(':')[0]}, earlier" if ":" in name else name
        figures[label] = serve_and_measure(args, name)
    if args.search:
        print_search(figures, load)
    if len(figures) == 1:
        figures = next(iter(figures.values()))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    sys.exit(main())
