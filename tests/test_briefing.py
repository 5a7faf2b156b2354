"""The operative's day and the briefing: scope, order, sections, what never shows."""

import gzip
import re
from datetime import datetime, time, timedelta

import pytest

from fieldapp.core.clock import LOCAL_ZONE, today_local
from fieldapp.operative.queries import visit_for_operative, visit_to_log
from fieldapp.schedule.queries import add_operatives

from factories import add_adjustment, add_resident, add_visit
from pages import check_page

SEED_CASE_ADJUSTMENTS = [
    ("advocate_present", {"advocate": "Grace Brennan", "phone": "07700 900 312"}, ""),
    ("call_ahead", {"minutes": "30", "phone": "07700 900 312"}, "Call Grace, not Michael."),
    ("gentle_knock", {}, ""),
    ("explain_each_step", {}, ""),
    ("written_schedule", {}, ""),
    ("noise_warning", {}, ""),
    ("sight", {}, ""),
]


def at(days: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(today_local() + timedelta(days=days), time(hour, minute), LOCAL_ZONE)


def add_colleague(db, world, name="Dan Price") -> int:
    return db.execute(
        "INSERT INTO users (name, email, password_hash, role, organisation_id, badge_number,"
        " created_at, updated_at) VALUES (?, ?, 'x', 'operative', ?, 'B-2', 'n', 'n')",
        (name, f"{name.split()[0].lower()}@acme.test", world.orgs["acme"])).lastrowid


@pytest.fixture
def seed_case(db, world):
    """A resident like the seed's: advocate, explain each step, written schedule; three steps."""
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Michael Brennan", preferred_name="Michael",
                            address_line1="Flat 12, Alder Court", postcode="RS1 4AB",
                            advocate_name="Grace Brennan", advocate_phone="07700 900 312",
                            advocate_relationship="Sister", doorstep_password="bluebell")
    for code, parameters, detail in SEED_CASE_ADJUSTMENTS:
        add_adjustment(db, resident, code, world.users["officer"], parameters, detail)
    add_adjustment(db, resident, "pets", world.users["officer"], status="withdrawn")
    colleague = add_colleague(db, world)
    return add_visit(db, resident, world.orgs["acme"], [world.users["operative"], colleague],
                     at(0, 10), at(0, 12), trade="Gas heating", steps=[
                         ("Drain the old boiler", 30, {"water_off", "gas_off"}),
                         ("Remove the old boiler", 25, {"noisy", "dusty"}),
                         ("Show the new controls", 10, set()),
                     ])


def text_of(html: str) -> str:
    main = html.split('id="main"', 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def test_day_lists_today_then_tomorrow_in_time_order(db, world, signed_in):
    resident = world.residents["riverside"]
    acme, me = world.orgs["acme"], world.users["operative"]
    add_visit(db, resident, acme, [me], at(0, 8), at(0, 9), trade="Early job")
    add_visit(db, resident, acme, [me], at(0, 15), at(0, 16), trade="Late job")
    add_visit(db, resident, acme, [me], at(-1, 10), at(-1, 11), trade="Yesterday job")
    add_visit(db, resident, acme, [me], at(2, 10), at(2, 11), trade="Later job")
    add_visit(db, resident, acme, [me], at(0, 13), at(0, 14), trade="Cancelled job",
              status="cancelled")
    add_visit(db, resident, world.orgs["brightside"], [world.users["other_firm_operative"]],
              at(0, 11), at(0, 12), trade="Someone else's job")
    html = signed_in("operative").get("/today").get_data(as_text=True)
    check_page(html)
    text = text_of(html)
    today, tomorrow = text.split("Tomorrow", 1)
    order = ["Early job", "Plumbing", "Cancelled job", "Late job"]
    assert sorted(order, key=today.index) == order
    assert "Cancelled job Cancelled." in today  # shown, and said so (tests/test_my_day.py)
    assert "Carpentry" in tomorrow
    for absent in ("Yesterday job", "Later job", "Someone else's job"):
        assert absent not in text


def test_day_list_shows_area_and_chips_but_not_the_full_address(seed_case, signed_in):
    text = text_of(signed_in("operative").get("/today").get_data(as_text=True))
    assert "Quietside, RS1" in text
    assert "Alder Court" not in text and "Michael" not in text
    assert "Advocate present" in text and "Call 30 min ahead" in text
    assert "Pets" not in text  # withdrawn adjustments stop showing


def test_briefing_sections_come_in_doorstep_order(seed_case, signed_in):
    html = signed_in("operative").get(f"/visits/{seed_case}").get_data(as_text=True)
    check_page(html)
    text = text_of(html)
    headings = ["1. Before you knock", "2. At the door", "3. Schedule of works",
                "4. If they become distressed", "5. Your contacts"]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)
    before, at_door, schedule, _distress, contacts = _split(text, headings)
    assert "Grace Brennan will be with the resident. Wait for them before you start." in before
    assert "Phone the resident 30 minutes before you arrive. Call Grace, not Michael." in before
    assert "Knock gently." in before
    assert "Say your name, that you are from Acme Repairs" in at_door
    assert "say your name and read your ID aloud" in at_door
    assert "The resident has a copy of the schedule of works." in schedule
    assert "Grace Brennan (sister)" in contacts and "duty line" in contacts
    assert "Flat 12, Alder Court" in text and "openstreetmap.org/search" in html


def _split(text: str, headings: list[str]) -> list[str]:
    bounds = [text.index(h) for h in headings] + [len(text)]
    return [text[bounds[i]:bounds[i + 1]] for i in range(len(headings))]


def test_each_step_says_how_the_adjustments_change_it(seed_case, signed_in):
    text = text_of(signed_in("operative").get(f"/visits/{seed_case}").get_data(as_text=True))
    schedule = text.split("3. Schedule of works")[1].split("4. If they")[0]
    drain, remove, show = re.split(r"Remove the old boiler|Show the new controls", schedule)
    assert "Explain before you start" in drain and "water will be off" in drain
    assert "Warn before the noise: about 25 minutes." in remove
    assert "Warn before the noise" not in drain and "Warn before the noise" not in show
    assert schedule.count("Explain before you start") == 3


def test_attendee_count_is_derived_from_who_attends(seed_case, db, world, signed_in):
    client = signed_in("operative")
    text = text_of(client.get(f"/visits/{seed_case}").get_data(as_text=True))
    assert "You are attending with 1 colleague: Dan Price." in text
    add_operatives(db, seed_case, [add_colleague(db, world, "Lee Brown")])
    text = text_of(client.get(f"/visits/{seed_case}").get_data(as_text=True))
    assert "You are attending with 2 colleagues: Dan Price and Lee Brown." in text


def test_resident_without_adjustments_gets_a_plain_briefing(db, world, signed_in):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], at(0, 9),
                      at(0, 10))
    html = signed_in("operative").get(f"/visits/{visit}").get_data(as_text=True)
    check_page(html)
    text = text_of(html)
    assert "Nothing extra: knock and wait as usual." in text
    assert "You are attending on your own." in text
    assert "password" not in text.lower()


def test_doorstep_password_shows_only_on_the_visit_day(seed_case, db, signed_in):
    client = signed_in("operative")
    assert "bluebell" in client.get(f"/visits/{seed_case}").get_data(as_text=True)
    db.execute("UPDATE visits SET starts_at = ?, ends_at = ? WHERE id = ?",
               (at(1, 10).isoformat(), at(1, 12).isoformat(), seed_case))
    html = client.get(f"/visits/{seed_case}").get_data(as_text=True)
    assert "bluebell" not in html
    assert "It shows here on the day of the visit." in html


def test_briefing_never_shows_private_or_health_detail(seed_case, db, world, signed_in):
    db.execute("UPDATE adjustments SET detail = 'Call Grace, not Michael.' WHERE type_code = ?",
               ("call_ahead",))
    html = signed_in("operative").get(f"/visits/{seed_case}").get_data(as_text=True)
    other_visit = add_visit(db, world.residents["riverside"], world.orgs["acme"], [],
                            at(0, 14), at(0, 15), trade="Visit of another operative")
    assert "Visit of another operative" not in html and str(other_visit) not in html.split(
        "<main")[1].split("href")[0]
    assert "Pets" not in html  # withdrawn


def test_briefing_is_audited(seed_case, db, world, signed_in):
    signed_in("operative").get(f"/visits/{seed_case}")
    row = db.execute("SELECT * FROM audit_log WHERE action = 'briefing_viewed'").fetchone()
    assert (row["user_id"], row["record_type"], row["record_id"]) == (
        world.users["operative"], "visit", str(seed_case))


def test_briefing_fits_in_the_first_round_trip(seed_case, signed_in):
    html = signed_in("operative").get(f"/visits/{seed_case}").get_data()
    assert len(gzip.compress(html)) < 14 * 1024


@pytest.mark.parametrize("path", ["", "/distress", "/id-card"])
def test_operative_cannot_open_a_visit_they_do_not_attend(world, db, signed_in, path):
    other = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                      [world.users["other_firm_operative"]], at(0, 9), at(0, 10))
    assert signed_in("operative").get(f"/visits/{other}{path}").status_code == 404


@pytest.mark.parametrize("days", [-1, 2])
def test_operative_cannot_open_visits_outside_today_and_tomorrow(world, db, signed_in, days):
    visit = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                      [world.users["operative"]], at(days, 9), at(days, 10))
    assert signed_in("operative").get(f"/visits/{visit}").status_code == 404


def test_cancelled_visit_is_gone_from_the_briefing(world, db, signed_in):
    db.execute("UPDATE visits SET status = 'cancelled' WHERE id = ?", (world.visits["today"],))
    assert signed_in("operative").get(f"/visits/{world.visits['today']}").status_code == 404


def test_distress_card_fills_the_ladder_with_this_visits_contacts(seed_case, signed_in):
    html = signed_in("operative").get(f"/visits/{seed_case}/distress").get_data(as_text=True)
    check_page(html)
    text = text_of(html)
    steps = ["Stop what you are doing.", "Speak slowly and quietly.", "Offer choices:",
             "Do not argue, threaten, or mention consequences.", "Ask if they would like you",
             "If anyone is in immediate danger,", "Leave calmly if asked;"]
    assert [text.index(s) for s in steps] == sorted(text.index(s) for s in steps)
    for number in ("tel:07700900312", "tel:02079460999", "tel:02079460555", "tel:999",
                   "tel:111", "tel:116123"):
        assert f'href="{number}"' in html


@pytest.mark.parametrize(("lookup", "days"), [(visit_for_operative, 2), (visit_to_log, -8)])
def test_visit_lookups_answer_none_for_a_visit_that_is_not_the_operatives(app, db, world,
                                                                          lookup, days):
    theirs = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                       [world.users["operative"]], at(0, 9), at(0, 10))
    other_firms = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                            [world.users["other_firm_operative"]], at(0, 9), at(0, 10))
    out_of_window = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                              [world.users["operative"]], at(days, 9), at(days, 10))
    operative = world.users["operative"]
    with app.app_context():
        assert lookup(db, theirs, operative)["id"] == theirs
        assert lookup(db, other_firms, operative) is None
        assert lookup(db, out_of_window, operative) is None


SAMPLE_VALUES = {"number": "15", "phone": "07700 900 999", "yesno": "yes", "time": "10:00",
                 "weekdays": ["saturday"]}


def _sample_parameters(adjustment_type) -> dict:
    """A value for each of the type's parameters, whatever kinds the catalogue holds."""
    import json
    return {p["name"]: SAMPLE_VALUES.get(p["kind"], f"sample {p['name']}")
            for p in json.loads(adjustment_type["parameters"]) if p["kind"] != "secret"}


def _preview_lines(html: str) -> list[str]:
    aside = html.split('id="briefing-preview"', 1)[1].split("</aside>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", aside, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def _catalogue_types(db):
    return db.execute("SELECT * FROM adjustment_types WHERE active = 1 ORDER BY sort_order"
                      ).fetchall()


@pytest.mark.parametrize("with_steps", [True, False], ids=["with steps", "without steps"])
def test_every_catalogue_adjustment_reaches_the_briefing_as_the_preview_shows_it(
        db, world, signed_in, with_steps):
    """The officer's "What the operative will be told" and the briefing say the same things,
    instruction and detail, for every type in the catalogue, with or without steps."""
    officer, operative = signed_in("officer"), signed_in("operative")
    types = _catalogue_types(db)
    assert len(types) > 15
    for adjustment_type in types:
        code = adjustment_type["code"]
        resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                                doorstep_password="bluebell", advocate_name="Grace Obi",
                                advocate_phone="07700 900 312")
        detail = f"Detail for {code}, written by the officer."
        add_adjustment(db, resident, code, world.users["officer"],
                       _sample_parameters(adjustment_type), detail)
        steps = [("Lift the floorboards", 20, {"noisy"}), ("Fit the pipe", 30, set())]
        visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                          at(0, 10), at(0, 12), steps=steps if with_steps else ())
        preview = _preview_lines(officer.get(f"/schedule/{visit}").get_data(as_text=True))
        briefing = text_of(operative.get(f"/visits/{visit}").get_data(as_text=True))
        assert any(detail in line for line in preview), code
        for line in preview:
            assert line in briefing, (code, line)
