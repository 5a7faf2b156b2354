"""Many landlords on one server against one big landlord: hot pages' p99 and the memory of the
server and the worker.

Run: .venv/bin/python bench/landlords.py [--landlords 50] [--homes 3000] [--big 150000]
Builds one landlord of HOMES homes and a year of visits with `fieldapp bench-data` (kept in
bench/data/), copies it once per landlord (a file each, as a deployment keeps them), writes the
landlord map and serves it with `fieldapp serve` (gunicorn, 2 workers x 4 threads); signs in one
operative and one officer at each landlord (by host name); sends bench/load.py's mix at a fixed
rate, each request to a landlord chosen at random; then runs `fieldapp worker` over every file
for a while. The same again for one landlord of BIG homes in one file (`--big 0` skips it).
Prints p50/p99 per page and the resident memory (RSS) of the server's processes and the worker.
It asserts nothing.
"""

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  (bench/load.py: the mix, the people, the open loop)

ROOT = Path(__file__).resolve().parents[1]
FIELDAPP = str(ROOT / ".venv/bin/fieldapp")


def built(homes: int) -> Path:
    path = ROOT / "bench" / "data" / f"borough-{homes}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        subprocess.run([FIELDAPP, "bench-data", "--homes", str(homes), "--years", "1"],
                       env={**os.environ, "FIELDAPP_DB": str(path), "FIELDAPP_ENV": "development"},
                       check=True, stdout=subprocess.DEVNULL)
        print(f"built {homes:,} homes in {time.perf_counter() - started:.0f} s")
    return path


def write_map(folder: Path, source: Path, count: int) -> tuple[Path, list[str]]:
    lines, hosts = [], []
    for n in range(1, count + 1):
        host = f"landlord-{n}.bench.test"
        target = folder / f"{host}.db"
        load.copy_database(source, target)
        lines.append(f'[landlords."{host}"]\ndb = "{target}"\n')
        hosts.append(host)
    landlord_map = folder / "landlords.toml"
    landlord_map.write_text("\n".join(lines))
    return landlord_map, hosts


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def with_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *map(int, children)]


def environment(landlord_map: Path | None, db: Path | None, port: int) -> dict:
    env = {"FIELDAPP_ENV": "development", "PATH": "/usr/bin:/bin",
           "FIELDAPP_BASE_URL": f"http://127.0.0.1:{port}"}
    if landlord_map:
        env["FIELDAPP_LANDLORDS"] = str(landlord_map)
    else:
        env["FIELDAPP_DB"] = str(db)
    return env


def serve(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen([FIELDAPP, "serve", "--port", str(port), "--workers", "2",
                               "--threads", "4"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            load.socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


async def sign_in(base: str, hosts: list[str], per_landlord: int) -> dict:
    people = {"operative": [], "officer": []}
    for host in hosts:
        signed = await load.sign_in_everyone(base, per_landlord, per_landlord, host)
        for role, persons in signed.items():
            people[role] += persons
    return people


async def measure(base: str, hosts: list[str], per_landlord: int, rate: float,
                  seconds: float) -> dict:
    people = await sign_in(base, hosts, per_landlord)
    try:
        await load.open_loop(people, min(rate, 50), 5, seed=1)  # warm up every landlord's app
        times, errors, achieved = await load.open_loop(people, rate, seconds, seed=2)
        return load.report(f"{len(hosts)} landlord(s), {rate:g} requests/s", times, errors,
                           achieved)
    finally:
        for person in people["operative"] + people["officer"]:
            await person.session.close()


def worker_rss(env: dict, seconds: float) -> float:
    worker = subprocess.Popen([FIELDAPP, "worker"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(seconds)
        return rss_mb([worker.pid])
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def run_case(label: str, env: dict, port: int, hosts: list[str], per_landlord: int,
             args) -> None:
    print(f"\n== {label}")
    server = serve(env, port)
    try:
        asyncio.run(measure(f"http://127.0.0.1:{port}", hosts, per_landlord, args.rate,
                            args.seconds))
        print(f"server memory (gunicorn master and 2 workers, RSS): "
              f"{rss_mb(with_children(server.pid)):.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"worker memory after {args.worker_seconds:g} s over every file (RSS): "
          f"{worker_rss(env, args.worker_seconds):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--landlords", type=int, default=50)
    parser.add_argument("--homes", type=int, default=3000)
    parser.add_argument("--big", type=int, default=150_000)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--worker-seconds", type=float, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        landlord_map, hosts = write_map(Path(folder), built(args.homes), args.landlords)
        port = load.free_port()
        run_case(f"{args.landlords} landlords of {args.homes:,} homes, a file each",
                 environment(landlord_map, None, port), port, hosts, 1, args)
        shutil.rmtree(folder, ignore_errors=True)
    if args.big:
        with tempfile.TemporaryDirectory() as folder:
            db = Path(folder) / "big.db"
            load.copy_database(built(args.big), db)
            port = load.free_port()
            run_case(f"one landlord of {args.big:,} homes", environment(None, db, port), port,
                     [""], args.landlords, args)


if __name__ == "__main__":
    main()
