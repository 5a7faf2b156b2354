"""Demo data: the accounts other checks rely on, and refusal to touch a real database."""

import pytest

from fieldapp import create_app
from fieldapp.core.clock import day_bounds_utc, today_local
from fieldapp.core.db import connect
from fieldapp.devdata.demo import DEMO_PASSWORD, DemoRefused, load_demo

from support import make_demo_database, sign_in

DEMO_EMAILS = ["admin@demo.test", "officer@demo.test", "officer2@demo.test",
               "operative@demo.test", "operative2@demo.test", "supervisor@demo.test"]


@pytest.fixture(scope="module")
def demo_db_path(tmp_path_factory):
    return make_demo_database(tmp_path_factory.mktemp("demo"))


@pytest.fixture
def demo_db(demo_db_path):
    db = connect(str(demo_db_path))
    yield db
    db.close()


@pytest.mark.parametrize("email", DEMO_EMAILS)
def test_every_demo_account_signs_in_with_the_demo_password(demo_db_path, email):
    app = create_app({"TESTING": True, "FIELDAPP_DB": str(demo_db_path)})
    assert sign_in(app.test_client(), email, DEMO_PASSWORD).status_code == 303


def test_demo_has_the_landlord_and_both_firms(demo_db):
    names = {r["name"]: r["kind"] for r in demo_db.execute("SELECT name, kind FROM organisations")}
    assert names == {"Riverside Homes": "landlord", "Acme Repairs": "contractor",
                     "Brightside Gas": "contractor"}


@pytest.mark.parametrize("email", ["operative@demo.test", "operative2@demo.test"])
@pytest.mark.parametrize("day_offset", [0, 1])
def test_both_operatives_have_visits_today_and_tomorrow(demo_db, email, day_offset):
    start, end = day_bounds_utc(today_local().fromordinal(today_local().toordinal() + day_offset))
    count = demo_db.execute(
        "SELECT count(*) FROM visits JOIN visit_operatives ON visit_id = visits.id"
        " JOIN users ON users.id = user_id WHERE email = ? AND starts_at >= ? AND starts_at < ?",
        (email, start, end)).fetchone()[0]
    assert count >= 1


def test_a_dozen_residents_across_both_officers(demo_db):
    rows = demo_db.execute("SELECT users.email, count(*) AS n FROM residents"
                           " JOIN users ON users.id = officer_id GROUP BY users.email").fetchall()
    assert {r["email"] for r in rows} == {"officer@demo.test", "officer2@demo.test"}
    assert sum(r["n"] for r in rows) >= 12


def test_the_seed_case_is_modelled(demo_db):
    """Advocate present, each step explained, a full written schedule (the seed's resolution)."""
    codes = {r["type_code"] for r in demo_db.execute(
        "SELECT type_code FROM adjustments JOIN residents ON residents.id = resident_id"
        " WHERE residents.name = 'Michael Brennan' AND status = 'active'")}
    assert {"advocate_present", "explain_each_step", "written_schedule"} <= codes


def test_demo_refuses_a_database_with_real_accounts(db):
    with pytest.raises(DemoRefused, match="not a demo database"):
        load_demo(db)


def test_demo_refuses_to_load_twice(demo_db):
    with pytest.raises(DemoRefused, match="already has the demo data"):
        load_demo(demo_db)


def test_demo_residents_show_languages_and_interpreting(demo_db):
    rows = {r["name"]: (r["language"], r["interpreter"]) for r in demo_db.execute(
        "SELECT name, language, interpreter FROM residents")}
    assert rows["Aisha Rahman"] == ("bn", "in_person")
    assert rows["Lina Haddad"] == ("ar", "phone")
    assert rows["Michael Brennan"] == ("en", "not_needed")
    assert demo_db.execute("SELECT interpreting_phone FROM organisations WHERE kind = 'landlord'"
                           ).fetchone()[0]
    advocate = demo_db.execute(
        "SELECT adjustments.parameters, residents.advocate_name FROM adjustments"
        " JOIN residents ON residents.id = resident_id"
        " WHERE type_code = 'advocate_present'").fetchone()
    assert (advocate["parameters"], advocate["advocate_name"]) == ("{}", "Grace Brennan")
    assert demo_db.execute("SELECT count(*) FROM adjustments WHERE type_code = 'interpreter'"
                           ).fetchone()[0] == 0
def test_demo_messages_are_kept_in_the_app_marked_demo_not_sent(demo_db_path, tmp_path):
    """With no Notify key and no SMTP the worker keeps each message, exactly as a resident
    would get it, and says it was not sent."""
    import shutil
    from datetime import UTC, datetime

    from fieldapp.core import jobs

    path = tmp_path / "demo.db"
    shutil.copyfile(demo_db_path, path)
    app = create_app({"TESTING": True, "FIELDAPP_DB": str(path), "FIELDAPP_ENV": "demo"})
    db = connect(str(path))
    channels = {r[0] for r in db.execute("SELECT channel FROM messages")}
    assert channels == {"sms", "email", "letter", "phone"}
    with app.app_context():
        while jobs.run_one(db, now=datetime.now(UTC)):
            pass
    statuses = dict(db.execute("SELECT channel, status FROM messages GROUP BY channel"))
    assert statuses == {"sms": "demo_not_sent", "email": "demo_not_sent",
                        "letter": "to_print", "phone": "to_call"}
    written = db.execute("SELECT body, language FROM messages").fetchall()
    assert all("Riverside Homes" in body and ("Hello" in body) == (language == "en")
               for body, language in written)
    # Residents whose language the pages speak get their messages in it.
    assert {language for _body, language in written} >= {"en", "tr", "ar"}
    db.close()


def test_a_visit_of_a_demo_operative_today_has_times_offered_to_its_resident(demo_db_path,
                                                                             demo_db):
    """A newcomer opens the link on the officer's visit page, picks a time, and sees the
    operative's day change."""
    visit = demo_db.execute("""
        SELECT visits.id, visits.starts_at FROM visits JOIN time_offers ON visit_id = visits.id
        WHERE time_offers.status = 'open'""").fetchone()
    start, end = day_bounds_utc(today_local())
    assert start <= visit["starts_at"] < end
    days = [row[0] for row in demo_db.execute(
        "SELECT starts_at FROM offered_windows JOIN time_offers ON time_offers.id = offer_id"
        " WHERE visit_id = ?", (visit["id"],))]
    assert len(days) == 3 and all(day >= end for day in days)
    app = create_app({"TESTING": True, "FIELDAPP_DB": str(demo_db_path)})
    client = app.test_client()
    sign_in(client, "officer@demo.test", DEMO_PASSWORD)
    page = client.get(f"/schedule/{visit['id']}").get_data(as_text=True)
    assert "3 times offered" in page and "/t/" in page


def test_the_demo_has_free_gas_heating_slots_to_offer(demo_db_path, demo_db):
    """The officer offering times for the Gas heating visit tomorrow can pick from slots."""
    visit = demo_db.execute("SELECT id FROM visits WHERE job_ref = 'BSG-7752'").fetchone()
    free = demo_db.execute("SELECT count(*) FROM available_slots WHERE trade = 'Gas heating'"
                           " AND taken_by_visit_id IS NULL").fetchone()[0]
    assert free >= 2
    app = create_app({"TESTING": True, "FIELDAPP_DB": str(demo_db_path)})
    client = app.test_client()
    sign_in(client, "officer@demo.test", DEMO_PASSWORD)
    page = client.get(f"/schedule/{visit['id']}/times").get_data(as_text=True)
    assert "Pick from the available slots for Gas heating" in page
