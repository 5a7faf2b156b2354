"""`fieldapp bench-data`: a borough in miniature that the app serves like real data."""

import re
import sqlite3

from test_cli import run

from fieldapp import create_app

from support import sign_in_quickly


def test_bench_data_is_consistent_and_served_like_real_data(tmp_path):
    made = run(tmp_path, "bench-data", "--homes", "600", "--years", "0.25")
    assert "Benchmark data for 600 homes" in made.stdout
    with sqlite3.connect(tmp_path / "cli.db") as db:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        homes = db.execute("SELECT count(*) FROM residents WHERE tenancy_ref LIKE 'BT-%'")
        assert homes.fetchone()[0] == 600
        visits = db.execute("SELECT count(*) FROM visits WHERE job_ref LIKE 'J-%'").fetchone()[0]
        assert 450 < visits < 600  # about 3.3 a home a year, a quarter of a year, and 2 days
        logged, alerted = db.execute(
            "SELECT count(DISTINCT visit_id), (SELECT count(*) FROM alerts) FROM visit_logs"
        ).fetchone()
        assert logged > 300 and alerted > 50

    app = create_app({"FIELDAPP_DB": str(tmp_path / "cli.db")})
    today = sign_in_quickly(app, "operative-1@bench.test").get("/today").get_data(as_text=True)
    assert len(set(re.findall(r'href="/visits/(\d+)"', today))) == 10  # 5 today, 5 tomorrow
    inbox = sign_in_quickly(app, "officer-1@bench.test").get("/inbox").get_data(as_text=True)
    assert re.search(r'href="/alerts/\d+"', inbox)


def test_bench_data_refuses_a_database_that_is_not_new(tmp_path):
    run(tmp_path, "demo")
    refused = run(tmp_path, "bench-data", "--homes", "100", check=False)
    assert refused.returncode != 0 and "already has the demo data" in refused.stderr


def test_bench_data_is_never_loaded_in_production(tmp_path):
    refused = run(tmp_path, "bench-data", "--homes", "100", check=False,
                  env={"FIELDAPP_ENV": "production", "SECRET_KEY": "x" * 64})
    assert refused.returncode != 0 and "never loaded with FIELDAPP_ENV=production" in \
        refused.stderr
