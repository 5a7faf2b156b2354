"""Scheduling, officer side: book, edit and cancel visits; the schedule of works."""

import html as html_lib
import re
from datetime import datetime, time, timedelta

import pytest

from fieldapp.core.clock import LOCAL_ZONE, local_to_utc_iso, today_local
from fieldapp.schedule.queries import append_step

from factories import add_adjustment, add_visit
from pages import assert_field_error, check_page
from support import assert_nothing_kept_when_audit_refused, csrf_token_from, post_form


def at(days: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(today_local() + timedelta(days=days), time(hour, minute), LOCAL_ZONE)


def day(days: int) -> str:
    return (today_local() + timedelta(days=days)).isoformat()


def text_of(html: str) -> str:
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def add_operative(db, world, name: str, firm: str = "acme") -> int:
    """Another operative, straight into the table: no password hashing needed to be booked."""
    first = name.split()[0].lower()
    return db.execute(
        "INSERT INTO users (name, email, password_hash, role, organisation_id, badge_number,"
        " created_at, updated_at) VALUES (?, ?, 'x', 'operative', ?, ?, 'n', 'n')",
        (name, f"{first}@{firm}.test", world.orgs[firm], f"{firm.upper()}-{first}")).lastrowid


@pytest.fixture
def colleague(db, world) -> int:
    return add_operative(db, world, "Dan Price")


def visit_form(world, colleague, **changes) -> dict:
    # After noon: the world already books Rita and the operative tomorrow morning.
    return {"visit_date": day(1), "starts": "12:00", "ends": "14:00", "job_ref": "ACM-5521",
            "trade": "Gas heating", "firm_id": str(world.orgs["acme"]),
            "operative_ids": [str(world.users["operative"]), str(colleague)],
            "notes_for_operative": "Use the side door", **changes}


def new_url(world) -> str:
    return f"/schedule/new?resident={world.residents['riverside']}"


def operatives_of(db, visit_id: int) -> set[int]:
    return {r[0] for r in db.execute("SELECT user_id FROM visit_operatives WHERE visit_id = ?",
                                     (visit_id,))}


# Booking ----------------------------------------------------------------------------------------

def test_officer_books_a_visit_the_operative_then_sees(db, world, colleague, signed_in):
    client = signed_in("officer")
    page = client.get(new_url(world)).get_data(as_text=True)
    check_page(page)
    assert "Dan Price (Acme Repairs)" in page and "Other Firm Operative (Brightside Gas)" in page
    assert "Faraway" not in page and "Other Landlord Operative" not in page
    response = post_form(client, new_url(world), visit_form(world, colleague))
    assert response.status_code == 303
    row = db.execute("SELECT * FROM visits WHERE job_ref = 'ACM-5521'").fetchone()
    assert response.headers["Location"].endswith(f"/schedule/{row['id']}")
    assert (row["resident_id"], row["firm_id"], row["trade"], row["status"], row["created_by"],
            row["notes_for_operative"], row["pre_visit"]) == (
        world.residents["riverside"], world.orgs["acme"], "Gas heating", "booked",
        world.users["officer"], "Use the side door", 0)
    assert (row["starts_at"], row["ends_at"]) == (
        local_to_utc_iso(today_local() + timedelta(days=1), time(12)),
        local_to_utc_iso(today_local() + timedelta(days=1), time(14)))
    assert operatives_of(db, row["id"]) == {world.users["operative"], colleague}
    audit = db.execute("SELECT * FROM audit_log WHERE action = 'visit_created'").fetchone()
    assert audit["record_id"] == str(row["id"])
    visit_page = text_of(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "2 people attending: Dan Price, Operative" in visit_page

    operative = signed_in("operative")
    assert f'href="/visits/{row["id"]}"' in operative.get("/today").get_data(as_text=True)
    briefing = text_of(operative.get(f"/visits/{row['id']}").get_data(as_text=True))
    assert "You are attending with 1 colleague: Dan Price." in briefing
    assert "Use the side door" in briefing


def test_a_visit_may_be_booked_without_operatives_yet(db, world, colleague, signed_in):
    response = post_form(signed_in("officer"), new_url(world),
                         visit_form(world, colleague, operative_ids=[], visit_date=day(0),
                                    starts="13:00", ends="14:00"))
    assert response.status_code == 303
    row = db.execute("SELECT id FROM visits WHERE job_ref = 'ACM-5521'").fetchone()
    assert operatives_of(db, row["id"]) == set()


VISIT_ERRORS = [
    ({"visit_date": ""}, "visit_date", "Enter the date of the visit"),
    ({"visit_date": day(-1)}, "visit_date", "The date must be today or in the future"),
    ({"visit_date": "next Tuesday"}, "visit_date", "Date must be a real date, like 2026-11-23"),
    ({"visit_date": "2027-02-30"}, "visit_date", "Date must be a real date"),
    ({"starts": ""}, "starts", "Enter the time the window starts, like 10:00"),
    ({"starts": "10am"}, "starts", "Enter the start time as hours and minutes, like 10:00"),
    ({"starts": "25:00"}, "starts", "Enter the start time as hours and minutes, like 10:00"),
    ({"ends": "noon"}, "ends", "Enter the end time as hours and minutes, like 12:00"),
    ({"ends": ""}, "ends", "Enter the time the window ends, like 12:00"),
    ({"ends": "09:30"}, "ends", "The window must end after it starts"),
    ({"ends": "10:00"}, "ends", "The window must end after it starts"),
    ({"job_ref": ""}, "job_ref", "Enter the job reference"),
    ({"job_ref": "   "}, "job_ref", "Enter the job reference"),
    ({"job_ref": "JOB-1"}, "job_ref", "Another visit already has this job reference"),
    ({"job_ref": "J" * 41}, "job_ref", "Job reference must be 40 characters or fewer"),
    ({"trade": ""}, "trade", "Enter the trade, like Plumbing"),
    ({"trade": " "}, "trade", "Enter the trade, like Plumbing"),
    ({"trade": "t" * 61}, "trade", "Trade must be 60 characters or fewer"),
    ({"firm_id": "0"}, "firm_id", "Select the contractor firm doing the work"),
    ({"firm_id": ""}, "firm_id", "Select the contractor firm doing the work"),
    ({"firm_id": "FARAWAY"}, "firm_id", "Select the contractor firm doing the work"),
    ({"operative_ids": ["OTHER_FIRM"]}, "operative_ids",
     "Other Firm Operative works for Brightside Gas, not Acme Repairs: choose operatives from "
     "that firm"),
    ({"operative_ids": ["OTHER_LANDLORD"]}, "operative_ids",
     "Select operatives from the list"),
    ({"operative_ids": ["someone"]}, "operative_ids", "Select operatives from the list"),
    ({"notes_for_operative": "n" * 1001}, "notes_for_operative",
     "Notes must be 1000 characters or fewer"),
    ({"notes_for_operative": "She has dementia, be patient"}, "notes_for_operative",
     "Write what staff should do, not a diagnosis or health condition"),
]


def _placeholders(world, changes: dict) -> dict:
    swap = {"FARAWAY": str(world.orgs["faraway"]),
            "OTHER_FIRM": str(world.users["other_firm_operative"]),
            "OTHER_LANDLORD": str(world.users["other_landlord_operative"])}
    return {k: [swap.get(x, x) for x in v] if isinstance(v, list) else swap.get(v, v)
            for k, v in changes.items()}


@pytest.mark.parametrize(("changes", "field", "message"), VISIT_ERRORS)
def test_visit_form_says_what_to_fix_and_keeps_the_answers(db, world, colleague, signed_in,
                                                           changes, field, message):
    before = count(db, "visits"), count(db, "visit_operatives")
    response = post_form(signed_in("officer"), new_url(world),
                         visit_form(world, colleague, **_placeholders(world, changes)))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert "<title>Error: Book a visit for Rita Resident" in html
    assert_field_error(html, field, html_lib.escape(message))
    assert f'id="{field}"' in html, "the error summary links to nothing"
    if field != "trade":
        assert 'value="Gas heating"' in html
    if field != "operative_ids":
        assert re.search(rf'checked[^>]*value="{colleague}"|value="{colleague}"[^>]*checked',
                         html), "the chosen operatives are kept"
    assert (count(db, "visits"), count(db, "visit_operatives")) == before


def test_every_problem_with_a_visit_shows_at_once(db, world, colleague, signed_in):
    response = post_form(signed_in("officer"), new_url(world),
                         visit_form(world, colleague, job_ref="JOB-1", trade=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert_field_error(html, "trade", "Enter the trade, like Plumbing")
    assert_field_error(html, "job_ref", "Another visit already has this job reference")


def test_visit_page_shows_what_the_operative_will_be_told(db, world, signed_in):
    resident = world.residents["riverside"]
    officer = world.users["officer"]
    add_adjustment(db, resident, "call_ahead", officer, {"minutes": "20"}, "Ask for Grace.")
    add_adjustment(db, resident, "pets", officer, status="withdrawn")
    client = signed_in("officer")
    for url in (new_url(world), f"/schedule/{world.visits['today']}"):
        html = client.get(url).get_data(as_text=True)
        check_page(html)
        aside = text_of(html.split('id="briefing-preview"')[1].split("</aside>")[0])
        assert "Knock gently." in aside
        assert "Phone the resident 20 minutes before you arrive." in aside
        assert "Ask for Grace." in aside
        assert "pets" not in aside.lower()


def test_visit_page_shows_the_booked_details(world, signed_in):
    html = signed_in("officer").get(f"/schedule/{world.visits['today']}").get_data(as_text=True)
    check_page(html)
    assert "<title>Visit JOB-1: Rita Resident" in html
    for value in (f'value="{day(0)}"', 'value="10:00"', 'value="12:00"', 'value="JOB-1"',
                  'value="Plumbing"'):
        assert value in html
    assert re.search(rf'value="{world.users["operative"]}"[^>]*checked|checked[^>]*value="'
                     rf'{world.users["operative"]}"', html)
    assert "1 person attending: Operative." in text_of(html)


# Editing ----------------------------------------------------------------------------------------

def test_officer_edits_a_visit_and_who_attends(db, world, colleague, signed_in):
    visit = world.visits["tomorrow"]
    response = post_form(signed_in("officer"), f"/schedule/{visit}", visit_form(
        world, colleague, job_ref="JOB-2", starts="13:00", ends="15:30", trade="Carpentry",
        operative_ids=[str(colleague)], rebook_requested="y", pre_visit="y"))
    assert response.status_code == 303
    row = db.execute("SELECT * FROM visits WHERE id = ?", (visit,)).fetchone()
    assert (row["starts_at"], row["ends_at"], row["job_ref"]) == (
        local_to_utc_iso(today_local() + timedelta(days=1), time(13)),
        local_to_utc_iso(today_local() + timedelta(days=1), time(15, 30)), "JOB-2")
    assert (row["rebook_requested"], row["pre_visit"]) == (1, 1)
    assert operatives_of(db, visit) == {colleague}
    assert db.execute("SELECT record_id FROM audit_log WHERE action = 'visit_updated'"
                      ).fetchone()[0] == str(visit)
    assert signed_in("operative").get(f"/visits/{visit}").status_code == 404  # no longer theirs


def test_a_past_visit_keeps_its_date_but_cannot_move_to_another_past_date(db, world, colleague,
                                                                        signed_in):
    past = add_visit(db, world.residents["riverside"], world.orgs["acme"],
                     [world.users["operative"]], at(-3, 9), at(-3, 10), job_ref="OLD-1")
    client = signed_in("officer")
    kept = post_form(client, f"/schedule/{past}", visit_form(
        world, colleague, visit_date=day(-3), starts="09:00", ends="10:00", job_ref="OLD-1",
        notes_for_operative="Rebook with the resident"))
    assert kept.status_code == 303
    row = db.execute("SELECT * FROM visits WHERE id = ?", (past,)).fetchone()
    assert row["notes_for_operative"] == "Rebook with the resident"
    moved = post_form(client, f"/schedule/{past}", visit_form(
        world, colleague, visit_date=day(-2), job_ref="OLD-1"))
    assert moved.status_code == 422
    html = moved.get_data(as_text=True)
    check_page(html)
    assert "<title>Error: Visit OLD-1: Rita Resident" in html
    assert_field_error(html, "visit_date", "The date must be today or in the future")
    assert db.execute("SELECT starts_at FROM visits WHERE id = ?", (past,)).fetchone()[0] == \
        row["starts_at"]


def test_a_visit_keeps_its_own_job_reference_but_not_anothers(db, world, colleague, signed_in):
    visit = world.visits["tomorrow"]
    response = post_form(signed_in("officer"), f"/schedule/{visit}",
                         visit_form(world, colleague, job_ref="JOB-1"))
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), "job_ref",
                       "Another visit already has this job reference")
    assert db.execute("SELECT job_ref FROM visits WHERE id = ?", (visit,)).fetchone()[0] == \
        "JOB-2"


@pytest.mark.parametrize("method", ["new", "edit"])
def test_another_landlords_officer_cannot_book_or_edit_riverside_visits(db, world, colleague,
                                                                       signed_in, method):
    url = new_url(world) if method == "new" else f"/schedule/{world.visits['today']}"
    before = [dict(r) for r in db.execute("SELECT * FROM visits")]
    response = post_form(signed_in("other_landlord_officer"), url,
                         visit_form(world, colleague, job_ref="SNEAKY-1"), page_url="/residents")
    assert response.status_code == 404
    assert [dict(r) for r in db.execute("SELECT * FROM visits")] == before


# Cancelling -------------------------------------------------------------------------------------

def test_cancelled_visit_is_gone_for_the_operative_and_closed_for_changes(db, world, signed_in):
    visit, step = world.visits["today"], world.others["step"]
    operative = signed_in("operative")
    assert f'href="/visits/{visit}"' in operative.get("/today").get_data(as_text=True)
    client = signed_in("officer")
    assert f'href="/schedule/{visit}/cancel"' in client.get(f"/schedule/{visit}").get_data(
        as_text=True)
    question = client.get(f"/schedule/{visit}/cancel").get_data(as_text=True)
    check_page(question)
    assert "Cancel this visit?" in question and "Yes, cancel the visit" in question
    assert "may be waiting in" in question
    assert db.execute("SELECT status FROM visits WHERE id = ?", (visit,)).fetchone()[0] == \
        "booked"  # asking changes nothing
    response = post_form(client, f"/schedule/{visit}/cancel",
                         {"reason": "resident_asked", "note": "She is away that week"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/residents/{world.residents['riverside']}")
    row = db.execute("SELECT * FROM visits WHERE id = ?", (visit,)).fetchone()
    assert row["status"] == "cancelled" and row["cancelled_at"]
    assert (row["cancel_reason"], row["cancel_note"]) == ("resident_asked",
                                                          "She is away that week")
    assert db.execute("SELECT record_id FROM audit_log WHERE action = 'visit_cancelled'"
                      ).fetchone()[0] == str(visit)

    assert f'href="/visits/{visit}"' not in operative.get("/today").get_data(as_text=True)
    assert operative.get(f"/visits/{visit}").status_code == 404

    page = client.get(f"/schedule/{visit}").get_data(as_text=True)
    check_page(page)
    assert "Save changes" not in page
    assert re.search(r"This visit is cancelled \(\w+ \d+ \w+( \d{4})? at \d\d:\d\d\): The "
                     r"resident asked to cancel\. She is away that week", text_of(page))
    token_page = f"/residents/{world.residents['riverside']}"
    refused = {
        "edit": post_form(client, f"/schedule/{visit}", {"job_ref": "JOB-1"},
                          page_url=token_page),
        "cancel again": post_form(client, f"/schedule/{visit}/cancel", page_url=token_page),
        "add step": post_form(client, f"/schedule/{visit}/steps",
                              {"new-description": "Sneak in"}, page_url=token_page),
        "edit step": post_form(client, f"/schedule/{visit}/steps/{step}/edit",
                               {"description": "Changed"}, page_url=token_page),
        "move step": post_form(client, f"/schedule/{visit}/steps/{step}/move",
                               {"direction": "down"}, page_url=token_page),
        "delete step": post_form(client, f"/schedule/{visit}/steps/{step}/delete",
                                 page_url=token_page),
    }
    assert {name: r.status_code for name, r in refused.items()} == dict.fromkeys(refused, 409)
    assert [tuple(r) for r in db.execute("SELECT description, position FROM work_steps"
                                         " WHERE visit_id = ?", (visit,))] == [("Fix the tap", 1)]
    assert count(db, "audit_log WHERE action = 'visit_cancelled'") == 1


# Schedule of works ------------------------------------------------------------------------------

@pytest.fixture
def visit(db, world) -> int:
    """A visit tomorrow with no steps yet, attended by the world's operative."""
    return add_visit(db, world.residents["riverside"], world.orgs["acme"],
                     [world.users["operative"]], at(1, 13), at(1, 15), job_ref="STEPS-1")


def steps_of(db, visit_id: int) -> list[tuple]:
    return [tuple(r) for r in db.execute(
        "SELECT position, description FROM work_steps WHERE visit_id = ? ORDER BY position",
        (visit_id,))]


def add_steps(client, visit_id: int, *descriptions: str) -> None:
    for description in descriptions:
        response = post_form(client, f"/schedule/{visit_id}/steps",
                             {"new-description": description}, page_url=f"/schedule/{visit_id}")
        assert response.status_code == 303


STEP_NAMES = ("Drain the boiler", "Remove the boiler", "Fit the boiler", "Show the controls")


def ordered(signed_in, visit_id: int) -> list[str]:
    """The steps in the order the operative's briefing lists them."""
    html = signed_in("operative").get(f"/visits/{visit_id}").get_data(as_text=True)
    schedule = text_of(html).split("3. Schedule of works")[1].split("4. If they")[0]
    return sorted((s for s in STEP_NAMES if s in schedule), key=schedule.index)


def test_officer_adds_steps_in_order_with_their_hints(db, visit, signed_in):
    client = signed_in("officer")
    response = post_form(client, f"/schedule/{visit}/steps", {
        "new-description": "Drain the boiler", "new-expected_minutes": "30",
        "new-hints": ["water_off", "gas_off"]}, page_url=f"/schedule/{visit}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/schedule/{visit}#steps")
    add_steps(client, visit, "Remove the boiler", "Fit the boiler")
    assert steps_of(db, visit) == [(1, "Drain the boiler"), (2, "Remove the boiler"),
                                   (3, "Fit the boiler")]
    first = db.execute("SELECT * FROM work_steps WHERE visit_id = ? AND position = 1",
                       (visit,)).fetchone()
    assert (first["expected_minutes"], first["water_off"], first["gas_off"], first["noisy"]) == (
        30, 1, 1, 0)
    assert count(db, "audit_log WHERE action = 'work_step_added'") == 3
    page = client.get(f"/schedule/{visit}").get_data(as_text=True)
    check_page(page)
    assert "about 30 min" in page and "Water off" in page
    assert ordered(signed_in, visit) == ["Drain the boiler", "Remove the boiler",
                                         "Fit the boiler"]


STEP_ERRORS = [
    ({"description": ""}, "description", "Enter what will be done in this step"),
    ({"description": "   "}, "description", "Enter what will be done in this step"),
    ({"description": "d" * 201}, "description", "Step must be 200 characters or fewer"),
    ({"expected_minutes": "half an hour"}, "expected_minutes",
     "Minutes must be a whole number from 1 to 600"),
    ({"expected_minutes": "0"}, "expected_minutes", "Minutes must be a whole number from 1 to 600"),
    ({"expected_minutes": "601"}, "expected_minutes",
     "Minutes must be a whole number from 1 to 600"),
    ({"expected_minutes": "²"}, "expected_minutes", "Minutes must be a whole number from 1 to 600"),
]


@pytest.mark.parametrize("editing", [False, True], ids=["add", "edit"])
@pytest.mark.parametrize(("changes", "field", "message"), STEP_ERRORS)
def test_step_form_says_what_to_fix_and_keeps_the_answers(db, world, signed_in, editing,
                                                          changes, field, message):
    visit, step = world.visits["today"], world.others["step"]
    typed = {"description": "Turn the water off", "expected_minutes": "15", **changes}
    if editing:
        url, prefix, title = f"/schedule/{visit}/steps/{step}/edit", "", "Edit step 1"
    else:
        url, prefix, title = f"/schedule/{visit}/steps", "new-", "Add a step"
    response = post_form(signed_in("officer"), url,
                         {prefix + name: value for name, value in typed.items()},
                         page_url=f"/schedule/{visit}/steps/{step}/edit")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert f"<title>Error: {title}" in html
    assert_field_error(html, prefix + field, message)
    assert f'id="{prefix}{field}"' in html
    kept = typed["expected_minutes"] if field == "description" else typed["description"]
    assert f'value="{kept}"' in html
    assert [tuple(r) for r in db.execute("SELECT * FROM work_steps")] == [
        (step, visit, 1, "Fix the tap", 0, 0, 0, 0, 0, None)]


def test_officer_edits_a_step(db, world, signed_in):
    visit, step = world.visits["today"], world.others["step"]
    client = signed_in("officer")
    page = client.get(f"/schedule/{visit}/steps/{step}/edit").get_data(as_text=True)
    check_page(page)
    assert 'value="Fix the tap"' in page
    response = post_form(client, f"/schedule/{visit}/steps/{step}/edit", {
        "description": "Replace the tap washer", "expected_minutes": "20", "hints": ["noisy"]})
    assert response.status_code == 303
    row = db.execute("SELECT * FROM work_steps WHERE id = ?", (step,)).fetchone()
    assert (row["position"], row["description"], row["expected_minutes"], row["noisy"]) == (
        1, "Replace the tap washer", 20, 1)
    briefing = text_of(signed_in("operative").get(f"/visits/{visit}").get_data(as_text=True))
    assert "Replace the tap washer" in briefing and "Fix the tap" not in briefing


def move(client, visit_id: int, step_id: int, direction: str):
    return post_form(client, f"/schedule/{visit_id}/steps/{step_id}/move",
                     {"direction": direction}, page_url=f"/schedule/{visit_id}")


def step_ids(db, visit_id: int) -> dict[str, int]:
    return {r["description"]: r["id"] for r in db.execute(
        "SELECT id, description FROM work_steps WHERE visit_id = ?", (visit_id,))}


def test_moving_a_step_swaps_it_with_its_neighbour(db, visit, signed_in):
    client = signed_in("officer")
    add_steps(client, visit, "Drain the boiler", "Remove the boiler", "Fit the boiler")
    ids = step_ids(db, visit)
    assert move(client, visit, ids["Fit the boiler"], "up").status_code == 303
    assert steps_of(db, visit) == [(1, "Drain the boiler"), (2, "Fit the boiler"),
                                   (3, "Remove the boiler")]
    assert move(client, visit, ids["Drain the boiler"], "down").status_code == 303
    assert steps_of(db, visit) == [(1, "Fit the boiler"), (2, "Drain the boiler"),
                                   (3, "Remove the boiler")]
    # Past either end nothing moves.
    move(client, visit, ids["Fit the boiler"], "up")
    move(client, visit, ids["Remove the boiler"], "down")
    assert steps_of(db, visit) == [(1, "Fit the boiler"), (2, "Drain the boiler"),
                                   (3, "Remove the boiler")]
    assert ordered(signed_in, visit) == ["Fit the boiler", "Drain the boiler",
                                         "Remove the boiler"]


def test_removing_a_step_numbers_the_rest_from_one(db, visit, signed_in):
    client = signed_in("officer")
    add_steps(client, visit, "Drain the boiler", "Remove the boiler", "Fit the boiler",
              "Show the controls")
    ids = step_ids(db, visit)
    response = post_form(client, f"/schedule/{visit}/steps/{ids['Remove the boiler']}/delete",
                         page_url=f"/schedule/{visit}")
    assert response.status_code == 303
    assert steps_of(db, visit) == [(1, "Drain the boiler"), (2, "Fit the boiler"),
                                   (3, "Show the controls")]
    post_form(client, f"/schedule/{visit}/steps/{ids['Drain the boiler']}/delete",
              page_url=f"/schedule/{visit}")
    assert steps_of(db, visit) == [(1, "Fit the boiler"), (2, "Show the controls")]
    add_steps(client, visit, "Remove the boiler")
    assert steps_of(db, visit)[-1] == (3, "Remove the boiler")
    assert ordered(signed_in, visit) == ["Fit the boiler", "Show the controls",
                                         "Remove the boiler"]
    assert count(db, "audit_log WHERE action = 'work_step_removed'") == 2


@pytest.mark.parametrize("action", ["edit", "move", "delete"])
def test_a_step_is_reached_only_through_its_own_visit(db, world, visit, signed_in, action):
    step = world.others["step"]  # a step of today's visit, not of `visit`
    client = signed_in("officer")
    url = f"/schedule/{visit}/steps/{step}/{action}"
    response = post_form(client, url, {"description": "Moved", "direction": "down"},
                         page_url=f"/schedule/{visit}")
    assert response.status_code == 404
    assert steps_of(db, world.visits["today"]) == [(1, "Fix the tap")]


def test_another_landlords_officer_cannot_change_steps(db, world, signed_in):
    visit, step = world.visits["today"], world.others["step"]
    client = signed_in("other_landlord_officer")
    for url, data in [(f"/schedule/{visit}/steps", {"new-description": "Sneak in"}),
                      (f"/schedule/{visit}/steps/{step}/edit", {"description": "Changed"}),
                      (f"/schedule/{visit}/steps/{step}/delete", {})]:
        assert post_form(client, url, data, page_url="/residents").status_code == 404
    assert steps_of(db, visit) == [(1, "Fix the tap")]


@pytest.mark.parametrize("change", ["book", "edit", "cancel", "add step", "edit step",
                                    "move step", "delete step"])
def test_a_visit_change_is_not_saved_when_its_audit_row_cannot_be(db, world, colleague,
                                                                  signed_in, change):
    visit, step = world.visits["today"], world.others["step"]
    append_step(db, visit, {"description": "Test the tap"})
    page = f"/schedule/{visit}"
    url, data = {
        "book": (new_url(world), visit_form(world, colleague)),
        "edit": (page, visit_form(world, colleague, job_ref="JOB-1", trade="Roofing")),
        "cancel": (f"{page}/cancel", {"reason": "moved"}),
        "add step": (f"{page}/steps", {"new-description": "Tidy up"}),
        "edit step": (f"{page}/steps/{step}/edit", {"description": "Fix the hot tap"}),
        "move step": (f"{page}/steps/{step}/move", {"direction": "down"}),
        "delete step": (f"{page}/steps/{step}/delete", {}),
    }[change]
    client = signed_in("officer")
    token = csrf_token_from(client.get(page if "step" in change else url).get_data(as_text=True))
    assert_nothing_kept_when_audit_refused(
        db, ("visits", "visit_operatives", "work_steps"),
        lambda: client.post(url, data={"csrf_token": token, **data}))
