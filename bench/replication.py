"""The machine-loss drill on a borough-sized database: how much is lost, and how long until
the app serves again, when the app's machine dies and is rebuilt from object storage.

    .venv/bin/python bench/replication.py --db bench/data/borough-30000.db

A phone (operative-1@bench.test) posts logs at a steady rate through the real `/api/logs`
while `fieldapp replication run` (Litestream, 1 s sync) copies the database to SeaweedFS on
loopback; then every process is SIGKILLed and the database folder deleted; `fieldapp
replication restore-drill --serve` restores it from object storage into a new folder and
serves it; the phone sends again what the restored server lacks. Prints the figures
(docs/reliability.md, docs/performance.md). Not a test: `tests/test_replication.py` runs a
short version of the same drill.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from fieldapp.devdata import replication_drill
from fieldapp.devdata.demo import DEMO_PASSWORD
from fieldapp.devdata.objectstore import ObjectStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, type=Path,
                        help="a database from `fieldapp bench-data` (copied, never changed)")
    parser.add_argument("--seconds", type=float, default=20, help="how long the phone posts")
    parser.add_argument("--rate", type=float, default=10, help="logs a second")
    args = parser.parse_args()
    if not args.db.is_file():
        sys.exit(f"There is no database at {args.db}: make one with fieldapp bench-data.")
    with tempfile.TemporaryDirectory(prefix="fieldapp-drill-") as folder:
        store = ObjectStore(Path(folder) / "objectstore").start()
        try:
            figures = replication_drill.run(
                args.db, Path(folder) / "drill", store, "operative-1@bench.test",
                DEMO_PASSWORD, seconds=args.seconds, rate=args.rate)
        finally:
            store.stop()
    newest = ("none" if figures.newest_missing_s is None
              else f"acknowledged {figures.newest_missing_s:.2f} s before the loss")
    print(f"database                          {figures.database_mb:.0f} MB")
    print(f"logs acknowledged                 {figures.acknowledged}")
    print(f"logs restored                     {figures.restored}")
    print(f"acknowledged logs missing         {figures.missing}")
    print(f"  the newest missing              {newest}")
    print(f"  recovery point (oldest missing) {figures.recovery_point_s:.2f} s before the loss")
    print(f"restore from object storage       {figures.restore_s:.1f} s")
    print(f"loss to serving again             {figures.loss_to_serving_s:.1f} s")
    print(f"integrity check                   {figures.integrity}")
    print(f"logs the phone sent again         {figures.resent}")
    print(f"every log stored exactly once     {'yes' if figures.stored_once else 'NO'}")
    print(f"steps (s)                         {figures.timings}")


if __name__ == "__main__":
    main()
