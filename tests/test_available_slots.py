"""The landlord's available slots per trade: office staff keep them on /slots, the officer
offers them as times to choose from, and the resident's pick takes the slot."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest

from fieldapp.choice.queries import create_slot, take_slot
from fieldapp.core.clock import LOCAL_ZONE, today_local
from fieldapp.core.db import utc_now
from fieldapp.schedule.queries import cancel_visit

from factories import add_resident, add_visit, free_days
from support import csrf_token_from


def utc(day, hour: int) -> str:
    return datetime.combine(day, time(hour), LOCAL_ZONE).astimezone(UTC).isoformat(
        timespec="seconds")


def send(client, url: str, data: dict, page_url: str | None = None):
    token = csrf_token_from(client.get(page_url or url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def slot(db, world, day, hour=10, trade="Gas heating", firm="acme", landlord="riverside"):
    return create_slot(db, {"landlord_id": world.orgs[landlord], "firm_id": world.orgs[firm],
                            "trade": trade, "starts_at": utc(day, hour),
                            "ends_at": utc(day, hour + 2)}, None, utc_now())


def slot_row(db, slot_id: int):
    return db.execute("SELECT * FROM available_slots WHERE id = ?", (slot_id,)).fetchone()


@pytest.fixture
def days():
    """Free days after tomorrow (the world's operative is booked tomorrow morning)."""
    return free_days(5, after=today_local() + timedelta(days=1))


@pytest.fixture
def visit(db, world, days):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Nora Quiet", preferred_contact="email",
                            email="nora@example.test")
    starts = datetime.combine(days[4], time(9), LOCAL_ZONE)
    return add_visit(db, resident, world.orgs["acme"], [world.users["operative"]], starts,
                     starts + timedelta(hours=2), trade="Gas heating")


def form(day, starts="10:00", ends="12:00", trade="Gas heating", firm=None) -> dict:
    return {"trade": trade, "firm_id": str(firm or 0), "day": str(day), "starts": starts,
            "ends": ends}


# Keeping the slots ---------------------------------------------------------------------------

def test_office_staff_add_a_slot_and_see_it_by_trade_and_day(db, world, signed_in, days):
    officer = signed_in("officer")
    response = send(officer, "/slots", form(days[0], firm=world.orgs["acme"]))
    assert response.status_code == 303
    [added] = db.execute("SELECT * FROM available_slots").fetchall()
    assert (added["trade"], added["firm_id"], added["landlord_id"]) == (
        "Gas heating", world.orgs["acme"], world.orgs["riverside"])
    assert added["starts_at"] == utc(days[0], 10) and added["taken_by_visit_id"] is None
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'slot_added' AND"
                      " record_id = ?", (str(added["id"]),)).fetchone()[0] == 1
    page = officer.get("/slots").get_data(as_text=True)
    assert "Gas heating" in page and "10:00 to 12:00" in page and "Free" in page


SLOT_ERRORS = [
    ("no trade", {"trade": ""}, "Enter the trade, like Plumbing"),
    ("no firm", {"firm_id": "0"}, "Select the contractor firm"),
    ("not a date", {"day": "2026-02-30"}, "Date must be a real date, like"),
    ("past", {"day": "2020-01-06"}, "The date must be today or in the future"),
    ("backwards", {"starts": "14:00", "ends": "12:00"}, "The slot must end after it starts"),
    ("bad clock", {"starts": "ten"}, "Enter the start as hours and minutes, like 10:00"),
]


@pytest.mark.parametrize("change, message", [e[1:] for e in SLOT_ERRORS],
                         ids=[e[0] for e in SLOT_ERRORS])
def test_a_slot_that_breaks_a_rule_is_refused_beside_its_field(db, world, signed_in, days,
                                                               change, message):
    data = {**form(days[0], firm=world.orgs["acme"]), **change}
    response = send(signed_in("officer"), "/slots", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count(message) == 2, message  # in the summary and beside the field
    assert "<title>Error: " in page and "There is a problem" in page
    assert db.execute("SELECT count(*) FROM available_slots").fetchone()[0] == 0


def test_a_slot_overlapping_the_same_firms_free_slot_for_the_trade_is_refused(
        db, world, signed_in, days):
    slot(db, world, days[0], 10, trade="gas heating")
    officer = signed_in("officer")
    response = send(officer, "/slots", form(days[0], "11:00", "13:00", firm=world.orgs["acme"]))
    assert response.status_code == 422
    assert "Acme" in response.get_data(as_text=True) and "already has a free" in \
        response.get_data(as_text=True)
    other_firm = send(officer, "/slots", form(days[0], "11:00", "13:00",
                                              firm=world.orgs["brightside"]))
    assert other_firm.status_code == 303


def test_a_free_slot_is_removed_and_the_removal_audited(db, world, signed_in, days):
    slot_id = slot(db, world, days[0])
    officer = signed_in("officer")
    response = send(officer, f"/slots/{slot_id}/remove", {}, page_url="/slots")
    assert response.status_code == 303 and slot_row(db, slot_id) is None
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'slot_removed'"
                      ).fetchone()[0] == 1


def test_a_taken_slot_stays_when_asked_to_remove_it(db, world, signed_in, days, visit):
    slot_id = slot(db, world, days[0])
    take_slot(db, slot_id, visit, utc_now())
    response = send(signed_in("officer"), f"/slots/{slot_id}/remove", {}, page_url="/slots")
    assert response.status_code == 303 and slot_row(db, slot_id) is not None


def test_another_landlords_slot_is_neither_listed_nor_removed(db, world, signed_in, days):
    slot_id = slot(db, world, days[0], trade="Roofing")
    other = signed_in("other_landlord_officer")
    assert "Roofing" not in other.get("/slots").get_data(as_text=True)
    assert send(other, f"/slots/{slot_id}/remove", {}, page_url="/slots").status_code == 404
    assert slot_row(db, slot_id) is not None


def test_a_firm_of_another_landlord_cannot_be_chosen(db, world, signed_in, days):
    other_firm = db.execute("SELECT id FROM organisations WHERE kind = 'contractor' AND"
                            " landlord_id != ?", (world.orgs["riverside"],)).fetchone()["id"]
    response = send(signed_in("officer"), "/slots", form(days[0], firm=other_firm))
    assert response.status_code == 422


# Offering them -------------------------------------------------------------------------------

def test_the_offer_form_lists_the_free_slots_for_the_visits_trade_only(db, world, signed_in,
                                                                       days, visit):
    mine = slot(db, world, days[0], trade="GAS HEATING")
    plumbing = slot(db, world, days[1], trade="Plumbing")
    elsewhere = slot(db, world, days[2], landlord="elsewhere")
    page = signed_in("officer").get(f"/schedule/{visit}/times").get_data(as_text=True)
    assert "Pick from the available slots for Gas heating" in page
    assert f'value="{mine}"' in page
    assert f'value="{plumbing}"' not in page and f'value="{elsewhere}"' not in page


def test_picked_slots_are_offered_as_the_windows(db, world, signed_in, days, visit):
    slots = [slot(db, world, day) for day in days[:3]]
    officer = signed_in("officer")
    response = send(officer, f"/schedule/{visit}/times", {"slots": [str(s) for s in slots[:2]]})
    assert response.status_code == 303, re.findall(r"field-error.*", response.get_data(
        as_text=True))
    offered = db.execute("SELECT offered_windows.* FROM offered_windows JOIN time_offers ON"
                         " time_offers.id = offer_id WHERE visit_id = ? ORDER BY starts_at",
                         (visit,)).fetchall()
    assert [(w["slot_id"], w["starts_at"]) for w in offered] == [
        (slots[0], utc(days[0], 10)), (slots[1], utc(days[1], 10))]


def test_two_slots_on_one_day_are_refused(db, world, signed_in, days, visit):
    first, second = slot(db, world, days[0], 10), slot(db, world, days[0], 14)
    response = send(signed_in("officer"), f"/schedule/{visit}/times",
                    {"slots": [str(first), str(second)]})
    assert response.status_code == 422
    assert "on the same day" in response.get_data(as_text=True)


def test_the_form_without_slots_is_as_before(db, world, signed_in, days, visit):
    page = signed_in("officer").get(f"/schedule/{visit}/times").get_data(as_text=True)
    assert "Pick from the available slots" not in page
    assert re.search(r'name="starts1"[^>]*value="\d\d:\d\d"', page)


# The resident's pick --------------------------------------------------------------------------

def offered_from_slots(app, db, world, signed_in, days, visit):
    slots = [slot(db, world, day) for day in days[:3]]
    send(signed_in("officer"), f"/schedule/{visit}/times", {"slots": [str(s) for s in slots]})
    with app.test_request_context():
        from fieldapp.voice import tokens
        url = "/t/" + tokens.make(tokens.OFFER_SALT, visit)
    windows = db.execute("SELECT offered_windows.* FROM offered_windows JOIN time_offers ON"
                         " time_offers.id = offer_id WHERE visit_id = ? AND status = 'open'"
                         " ORDER BY starts_at", (visit,)).fetchall()
    return slots, url, windows


def test_the_residents_pick_takes_the_slot_with_the_booking(app, db, world, signed_in, days,
                                                            visit):
    slots, url, windows = offered_from_slots(app, db, world, signed_in, days, visit)
    resident = app.test_client()
    html = resident.get(url).get_data(as_text=True)
    response = resident.post(url, data={"csrf_token": csrf_token_from(html),
                                        "window": windows[1]["id"], "version": "0"})
    assert response.status_code == 303
    assert slot_row(db, slots[1])["taken_by_visit_id"] == visit
    assert slot_row(db, slots[0])["taken_by_visit_id"] is None
    # A change of mind gives the first slot back and takes the new one.
    html = resident.get(url).get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', html) or re.search(
        r'value="(\d+)"[^>]*name="version"', html)
    resident.post(url, data={"csrf_token": csrf_token_from(html), "window": windows[2]["id"],
                             "version": version.group(1)})
    assert slot_row(db, slots[2])["taken_by_visit_id"] == visit
    assert slot_row(db, slots[1])["taken_by_visit_id"] is None


def test_a_slot_taken_meanwhile_by_another_visit_is_refused_calmly(app, db, world, signed_in,
                                                                   days, visit):
    slots, url, windows = offered_from_slots(app, db, world, signed_in, days, visit)
    resident = app.test_client()
    html = resident.get(url).get_data(as_text=True)
    other = add_resident(db, world.orgs["riverside"], world.users["officer"])
    starts = datetime.combine(days[3], time(9), LOCAL_ZONE)
    other_visit = add_visit(db, other, world.orgs["acme"], [], starts,
                            starts + timedelta(hours=1), trade="Gas heating")
    assert take_slot(db, slots[0], other_visit, utc_now())
    response = resident.post(url, data={"csrf_token": csrf_token_from(html),
                                        "window": windows[0]["id"], "version": "0"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "That time has just been taken" in page
    assert f'type="radio" value="{windows[0]["id"]}"' not in page
    assert slot_row(db, slots[0])["taken_by_visit_id"] == other_visit
    assert db.execute("SELECT starts_at FROM visits WHERE id = ?", (visit,)).fetchone()[0] \
        != windows[0]["starts_at"]


def test_cancelling_a_visit_frees_the_slot_it_took(app, db, world, signed_in, days, visit):
    slots, url, windows = offered_from_slots(app, db, world, signed_in, days, visit)
    resident = app.test_client()
    html = resident.get(url).get_data(as_text=True)
    resident.post(url, data={"csrf_token": csrf_token_from(html), "window": windows[0]["id"],
                             "version": "0"})
    assert slot_row(db, slots[0])["taken_by_visit_id"] == visit
    cancel_visit(db, visit, "no_longer_needed")
    assert slot_row(db, slots[0])["taken_by_visit_id"] is None
