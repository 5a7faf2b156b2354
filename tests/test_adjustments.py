"""Adjustments, officer side: chosen from the catalogue, recorded with consent, edited,
reviewed or withdrawn, and listed when a review is due."""

import html as html_lib
import json
import re
from datetime import date, timedelta

import pytest

from fieldapp.adjustments.forms import HEALTH_MESSAGE, next_review
from fieldapp.core.clock import today_local

from factories import add_adjustment, add_resident
from pages import assert_field_error, check_page
from support import assert_nothing_kept_when_audit_refused, csrf_token_from, post_form

CALL_AHEAD = {"param_minutes": "30", "param_phone": "07700 900 312"}
DETAIL = "Call Grace, not Michael."
HEALTH = html_lib.escape(HEALTH_MESSAGE.split(".")[0])


def a_year_after(day: date) -> date:
    """The same day next year; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def days_from_today(days: int) -> str:
    return (today_local() + timedelta(days=days)).isoformat()


def adjustment_form(**changes) -> dict:
    return {"detail": DETAIL, "consent_given_by": "advocate", "consent_how": "in_person",
            "consent_on": days_from_today(-2), "review_due": days_from_today(200), **changes}


def add_url(world, code: str) -> str:
    return f"/residents/{world.residents['riverside']}/adjustments/new/{code}"


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def text_of(html: str) -> str:
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def briefing_text(signed_in, world) -> str:
    """What the world's operative reads before knocking at Rita's today."""
    response = signed_in("operative").get(f"/visits/{world.visits['today']}")
    assert response.status_code == 200
    return text_of(response.get_data(as_text=True))


def audit_actions(db, adjustment_id: int) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT action FROM audit_log WHERE record_type = 'adjustment' AND record_id = ?"
        " ORDER BY id", (str(adjustment_id),))]


# The catalogue ----------------------------------------------------------------------------------

def test_catalogue_lists_every_active_type_with_what_the_operative_reads(db, world, signed_in):
    db.execute("UPDATE adjustment_types SET active = 0 WHERE code = 'pets'")
    client = signed_in("officer")
    html = client.get(f"/residents/{world.residents['riverside']}/adjustments/new").get_data(
        as_text=True)
    check_page(html)
    labels = [r["label"] for r in db.execute(
        "SELECT label FROM adjustment_types WHERE active = 1 ORDER BY sort_order")]
    assert len(labels) >= 20  # the interpreter's arrangement is on the resident's details
    text = text_of(html)
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions)
    for code in ("call_ahead", "noise_warning", "other"):
        assert f'href="{add_url(world, code)}"' in html
    assert "Warn the resident before using loud tools, and say how long the noise will last." \
        in text
    assert "Gentle knock Recorded Already recorded: open it to change it." in text
    assert add_url(world, "pets") not in html  # switched off in the catalogue
    assert client.get(add_url(world, "pets")).status_code == 404
    assert client.get(add_url(world, "no_such_type")).status_code == 404


# Adding -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "parameters", "stored", "instruction"), [
    ("call_ahead", CALL_AHEAD, {"minutes": "30", "phone": "07700 900 312"},
     "Phone the resident 30 minutes before you arrive. " + DETAIL),
    ("advocate_present", {}, {},
     "Grace Obi will be with the resident. Wait for them before you start."),
    ("wait_at_door", {"param_minutes": "5"}, {"minutes": "5"}, "Wait at least 5 minutes."),
    ("other", {"param_text": "Take your boots off at the door"},
     {"text": "Take your boots off at the door"}, "Take your boots off at the door"),
    ("sight", {}, {}, "say your name and read your ID aloud"),
])
def test_officer_records_an_adjustment_the_operative_then_reads(db, world, signed_in, code,
                                                                parameters, stored,
                                                                instruction):
    db.execute("UPDATE residents SET advocate_name = 'Grace Obi',"
               " advocate_phone = '07700 900 312' WHERE id = ?", (world.residents["riverside"],))
    client = signed_in("officer")
    check_page(client.get(add_url(world, code)).get_data(as_text=True))
    response = post_form(client, add_url(world, code), adjustment_form(**parameters))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/residents/{world.residents['riverside']}")
    row = db.execute("SELECT * FROM adjustments WHERE type_code = ?", (code,)).fetchone()
    assert json.loads(row["parameters"]) == stored
    assert (row["resident_id"], row["detail"], row["consent_given_by"], row["consent_how"],
            row["consent_on"], row["recorded_by"], row["review_due"], row["status"]) == (
        world.residents["riverside"], DETAIL, "advocate", "in_person", days_from_today(-2),
        world.users["officer"], days_from_today(200), "active")
    assert audit_actions(db, row["id"]) == ["adjustment_added"]
    assert instruction in briefing_text(signed_in, world)


def test_optional_phone_may_be_left_empty(db, world, signed_in):
    response = post_form(signed_in("officer"), add_url(world, "call_ahead"),
                         adjustment_form(param_minutes="15", param_phone=""))
    assert response.status_code == 303
    row = db.execute("SELECT parameters FROM adjustments WHERE type_code = 'call_ahead'"
                     ).fetchone()
    assert json.loads(row[0]) == {"minutes": "15"}


def test_new_adjustment_form_suggests_consent_today_and_review_in_twelve_months(world,
                                                                                 signed_in):
    html = signed_in("officer").get(add_url(world, "noise_warning")).get_data(as_text=True)
    check_page(html)
    today = today_local()
    assert f'value="{today.isoformat()}"' in html
    assert f'value="{a_year_after(today).isoformat()}"' in html


@pytest.mark.parametrize(("today", "review"), [
    (date(2026, 11, 23), date(2027, 11, 23)),
    (date(2027, 3, 1), date(2028, 3, 1)),  # across a 29 February: still 12 months, not 365 days
    (date(2028, 2, 29), date(2029, 2, 28)),
])
def test_next_review_is_twelve_calendar_months_ahead(today, review):
    assert next_review(today) == review


# Each row: the type's form, what is typed differently from a good answer, the field, message.
ADJUSTMENT_ERRORS = [
    ("call_ahead", {"param_minutes": ""}, "param_minutes", "Enter minutes before arrival"),
    ("call_ahead", {"param_minutes": " "}, "param_minutes", "Enter minutes before arrival"),
    ("call_ahead", {"param_minutes": "half an hour"}, "param_minutes",
     "Minutes before arrival must be a whole number from 1 to 240"),
    ("call_ahead", {"param_minutes": "0"}, "param_minutes",
     "Minutes before arrival must be a whole number from 1 to 240"),
    ("call_ahead", {"param_minutes": "241"}, "param_minutes",
     "Minutes before arrival must be a whole number from 1 to 240"),
    ("call_ahead", {"param_phone": "ring her"}, "param_phone",
     "Enter a phone number, like 020 7946 0000"),
    ("other", {"param_text": "He has PTSD"}, "param_text", HEALTH),
    ("noise_warning", {"detail": "Resident has PTSD"}, "detail", HEALTH),
    ("noise_warning", {"detail": "Knock gently: she is on medication"}, "detail", HEALTH),
    ("noise_warning", {"detail": "x" * 501}, "detail", "Detail must be 500 characters or fewer"),
    ("noise_warning", {"consent_given_by": ""}, "consent_given_by", "Select who gave consent"),
    ("noise_warning", {"consent_given_by": "neighbour"}, "consent_given_by",
     "Select who gave consent"),
    ("noise_warning", {"consent_how": ""}, "consent_how", "Select how consent was given"),
    ("noise_warning", {"consent_on": ""}, "consent_on", "Enter the date consent was given"),
    ("noise_warning", {"consent_on": "last Tuesday"}, "consent_on",
     "When they agreed must be a real date, like 2026-11-23"),
    ("noise_warning", {"consent_on": days_from_today(1)}, "consent_on",
     "The date consent was given must be today or in the past"),
    ("noise_warning", {"review_due": ""}, "review_due", "Enter a review date"),
    ("noise_warning", {"review_due": "2027-02-30"}, "review_due",
     "Review by must be a real date, like 2027-11-23"),
    ("noise_warning", {"review_due": days_from_today(0)}, "review_due",
     "The review date must be in the future"),
    ("noise_warning", {"review_due": days_from_today(-30)}, "review_due",
     "The review date must be in the future"),
]


@pytest.mark.parametrize(("code", "changes", "field", "message"), ADJUSTMENT_ERRORS)
def test_adjustment_form_says_what_to_fix_and_keeps_the_answers(db, world, signed_in, code,
                                                                changes, field, message):
    before = count(db, "adjustments")
    data = adjustment_form(**{**(CALL_AHEAD if code == "call_ahead" else {}), **changes})
    response = post_form(signed_in("officer"), add_url(world, code), data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert "<title>Error: " in html and ": Rita Resident" in html
    assert_field_error(html, field, message)
    assert f'id="{field}"' in html or f'id="{field}-0"' in html
    if "detail" not in changes:
        assert DETAIL in html
    if code == "call_ahead" and "param_minutes" not in changes:
        assert 'value="30"' in html
    assert count(db, "adjustments") == before


def test_another_landlords_officer_cannot_add_an_adjustment(db, world, signed_in):
    response = post_form(signed_in("other_landlord_officer"), add_url(world, "gentle_knock"),
                         adjustment_form(), page_url="/residents")
    assert response.status_code == 404
    assert count(db, "adjustments") == 1


# Editing ----------------------------------------------------------------------------------------

@pytest.fixture
def call_ahead(db, world):
    return add_adjustment(db, world.residents["riverside"], "call_ahead", world.users["officer"],
                          {"minutes": "30", "phone": "07700 900 312"}, DETAIL)


def test_edit_form_shows_what_is_recorded(call_ahead, signed_in):
    html = signed_in("officer").get(f"/adjustments/{call_ahead}/edit").get_data(as_text=True)
    check_page(html)
    assert "<title>Edit Call ahead: Rita Resident" in html
    for value in ('value="30"', 'value="07700 900 312"', 'value="2026-01-01"',
                  'value="2099-01-01"', DETAIL):
        assert value in html
    assert re.search(r'value="resident"[^>]*checked|checked[^>]*value="resident"', html)
    assert re.search(r'value="phone"[^>]*checked|checked[^>]*value="phone"', html)


def test_officer_edits_an_adjustment(db, world, call_ahead, signed_in):
    response = post_form(signed_in("officer"), f"/adjustments/{call_ahead}/edit", adjustment_form(
        param_minutes="15", param_phone="07700 900 312", detail="Ask for Grace."))
    assert response.status_code == 303
    row = db.execute("SELECT * FROM adjustments WHERE id = ?", (call_ahead,)).fetchone()
    assert json.loads(row["parameters"]) == {"minutes": "15", "phone": "07700 900 312"}
    assert (row["detail"], row["consent_how"], row["review_due"], row["recorded_by"]) == (
        "Ask for Grace.", "in_person", days_from_today(200), world.users["officer"])
    assert audit_actions(db, call_ahead) == ["adjustment_updated"]
    assert "Phone the resident 15 minutes before you arrive. Ask for Grace." in briefing_text(
        signed_in, world)


def test_edit_that_needs_fixing_changes_nothing(db, call_ahead, signed_in):
    before = dict(db.execute("SELECT * FROM adjustments WHERE id = ?", (call_ahead,)).fetchone())
    response = post_form(signed_in("officer"), f"/adjustments/{call_ahead}/edit", adjustment_form(
        param_minutes="15", review_due=days_from_today(-1)))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert "<title>Error: Edit Call ahead: Rita Resident" in html
    assert_field_error(html, "review_due", "The review date must be in the future")
    assert 'value="15"' in html
    assert dict(db.execute("SELECT * FROM adjustments WHERE id = ?", (call_ahead,)).fetchone()) \
        == before


def test_a_withdrawn_adjustment_cannot_be_edited(db, world, signed_in):
    withdrawn = add_adjustment(db, world.residents["riverside"], "pets", world.users["officer"],
                               status="withdrawn")
    client = signed_in("officer")
    response = post_form(client, f"/adjustments/{withdrawn}/edit", adjustment_form(),
                         page_url=f"/residents/{world.residents['riverside']}")
    assert response.status_code == 409
    assert db.execute("SELECT detail FROM adjustments WHERE id = ?", (withdrawn,)).fetchone()[0] \
        == ""


def test_another_landlords_officer_cannot_edit_an_adjustment(db, call_ahead, signed_in):
    response = post_form(signed_in("other_landlord_officer"), f"/adjustments/{call_ahead}/edit",
                         adjustment_form(param_minutes="5"), page_url="/residents")
    assert response.status_code == 404
    row = db.execute("SELECT parameters FROM adjustments WHERE id = ?", (call_ahead,)).fetchone()
    assert json.loads(row[0])["minutes"] == "30"


# Review and withdraw ----------------------------------------------------------------------------

def review_url(world) -> str:
    return f"/adjustments/{world.others['adjustment']}/review"


def reviews(db, adjustment_id: int) -> list[tuple]:
    return [tuple(row) for row in db.execute(
        "SELECT reviewed_by, how, how_other, next_review FROM adjustment_reviews"
        " WHERE adjustment_id = ? ORDER BY id", (adjustment_id,))]


def test_still_needed_suggests_twelve_months_and_records_how_it_was_reviewed(db, world,
                                                                             signed_in):
    adjustment = world.others["adjustment"]
    db.execute("UPDATE adjustments SET review_due = '2026-01-01' WHERE id = ?", (adjustment,))
    client = signed_in("officer")
    page = client.get(review_url(world)).get_data(as_text=True)
    check_page(page)
    expected = a_year_after(today_local()).isoformat()
    assert re.search(rf'<input[^>]*id="next_review"[^>]*value="{expected}"', page), page
    for label in ("With the resident, in person", "With the resident, by phone",
                  "With their advocate", "Another way"):
        assert f">{label}</label>" in page
    response = post_form(client, review_url(world), {
        "decision": "still_needed", "next_review": expected, "how": "phone"})
    assert response.status_code == 303
    row = db.execute("SELECT * FROM adjustments WHERE id = ?", (adjustment,)).fetchone()
    assert (row["review_due"], row["status"]) == (expected, "active")
    assert row["reviewed_at"]
    assert reviews(db, adjustment) == [(world.users["officer"], "phone", "", expected)]
    assert audit_actions(db, adjustment) == ["adjustment_reviewed"]
    assert "Knock gently." in briefing_text(signed_in, world)


def test_the_officer_chooses_the_next_review_date_and_says_how_when_another_way(db, world,
                                                                                signed_in):
    adjustment, later = world.others["adjustment"], days_from_today(90)
    client = signed_in("officer")
    response = post_form(client, review_url(world), {
        "decision": "still_needed", "next_review": later, "how": "other",
        "how_other": "Letter from her support worker"})
    assert response.status_code == 303
    assert db.execute("SELECT review_due FROM adjustments WHERE id = ?",
                      (adjustment,)).fetchone()[0] == later
    assert reviews(db, adjustment) == [
        (world.users["officer"], "other", "Letter from her support worker", later)]
    page = text_of(client.get(review_url(world)).get_data(as_text=True))
    assert "Last reviewed" in page and "another way: Letter from her support worker" in page


def test_withdrawing_keeps_the_record_and_the_operative_stops_seeing_it(db, world, signed_in):
    adjustment = world.others["adjustment"]
    assert "Knock gently." in briefing_text(signed_in, world)
    client = signed_in("officer")
    response = post_form(client, review_url(world), {
        "decision": "withdraw", "reason": "Rita asked us to stop"})
    assert response.status_code == 303
    row = db.execute("SELECT * FROM adjustments WHERE id = ?", (adjustment,)).fetchone()
    assert (row["status"], row["withdrawn_reason"]) == ("withdrawn", "Rita asked us to stop")
    assert row["withdrawn_at"] and row["type_code"] == "gentle_knock"
    assert audit_actions(db, adjustment) == ["adjustment_withdrawn"]
    assert "Knock gently" not in briefing_text(signed_in, world)
    today = signed_in("operative").get("/today").get_data(as_text=True)
    assert "Gentle knock" not in today
    page = text_of(client.get(f"/residents/{world.residents['riverside']}").get_data(
        as_text=True))
    assert "Withdrawn adjustments (1)" in page and "Rita asked us to stop" in page


def test_a_withdrawn_adjustment_cannot_be_reviewed_back(db, world, signed_in):
    adjustment = world.others["adjustment"]
    client = signed_in("officer")
    post_form(client, review_url(world), {"decision": "withdraw", "reason": ""})
    page = client.get(review_url(world)).get_data(as_text=True)
    check_page(page)
    assert "This adjustment was withdrawn" in page
    response = post_form(client, review_url(world), {"decision": "still_needed"},
                         page_url=f"/residents/{world.residents['riverside']}")
    assert response.status_code == 409
    row = db.execute("SELECT * FROM adjustments WHERE id = ?", (adjustment,)).fetchone()
    assert (row["status"], row["review_due"]) == ("withdrawn", "2099-01-01")
    assert audit_actions(db, adjustment) == ["adjustment_withdrawn"]


STILL_NEEDED = {"decision": "still_needed", "next_review": days_from_today(365), "how": "phone"}


@pytest.mark.parametrize(("data", "field", "message"), [
    ({**STILL_NEEDED, "how": ""}, "how", "Select how the review was done"),
    ({**STILL_NEEDED, "how": "pigeon"}, "how", "Select how the review was done"),
    ({**STILL_NEEDED, "how": "other", "how_other": ""}, "how_other",
     "Say how the review was done"),
    ({**STILL_NEEDED, "how": "other", "how_other": "x" * 201}, "how_other",
     "How the review was done must be 200 characters or fewer"),
    ({**STILL_NEEDED, "next_review": ""}, "next_review",
     "Enter the next review date, like 2027-11-23"),
    ({**STILL_NEEDED, "next_review": "2027-02-30"}, "next_review",
     "Next review by must be a real date, like 2027-11-23"),
    ({**STILL_NEEDED, "next_review": days_from_today(0)}, "next_review",
     "The next review date must be in the future"),
    ({}, None, "Select whether it is still needed or should be withdrawn"),
    ({"decision": "maybe"}, None, "Select whether it is still needed or should be withdrawn"),
    ({"decision": "withdraw", "reason": "x" * 201}, "reason",
     "Reason must be 200 characters or fewer"),
    ({"decision": "withdraw", "reason": "Her dementia got worse"}, "reason", HEALTH),
])
def test_review_says_what_to_fix(db, world, signed_in, data, field, message):
    before = dict(db.execute("SELECT * FROM adjustments WHERE id = ?",
                             (world.others["adjustment"],)).fetchone())
    response = post_form(signed_in("officer"), review_url(world), data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert "<title>Error: Review Gentle knock: Rita Resident" in html
    if field:
        assert_field_error(html, field, message)
        typed = data.get("reason") or data.get("how_other") or data.get("next_review")
        if typed != "2027-02-30":  # a date input cannot hold an impossible day, so it is not echoed
            assert typed in html  # what was typed is kept
    else:
        summary = re.search(r'class="error-summary".*?</ul>', html, re.S).group(0)
        assert message in summary
    assert dict(db.execute("SELECT * FROM adjustments WHERE id = ?",
                           (world.others["adjustment"],)).fetchone()) == before
    assert reviews(db, world.others["adjustment"]) == []


def test_another_landlords_officer_cannot_review_or_withdraw(db, world, signed_in):
    client = signed_in("other_landlord_officer")
    for decision in ("still_needed", "withdraw"):
        response = post_form(client, review_url(world), {"decision": decision},
                             page_url="/residents")
        assert response.status_code == 404
    row = db.execute("SELECT * FROM adjustments WHERE id = ?",
                     (world.others["adjustment"],)).fetchone()
    assert (row["status"], row["review_due"]) == ("active", "2099-01-01")


# Due for review ---------------------------------------------------------------------------------

def test_due_list_shows_overdue_and_due_soon_for_this_landlord_only(db, world, signed_in):
    officer = world.users["officer"]
    riverside, elsewhere = world.orgs["riverside"], world.orgs["elsewhere"]
    due = {}
    for name, days, status, landlord in [
        ("Olive Old", -10, "active", riverside),
        ("Sam Soon", 10, "active", riverside),
        ("Eddie Edge", 30, "active", riverside),
        ("Larry Later", 31, "active", riverside),
        ("Wendy Withdrawn", -10, "withdrawn", riverside),
        ("Fiona Faraway", -10, "active", elsewhere),
    ]:
        resident = add_resident(db, landlord, officer if landlord == riverside else None,
                                name=name)
        due[name] = add_adjustment(db, resident, "text_ahead", officer, status=status)
        db.execute("UPDATE adjustments SET review_due = ? WHERE id = ?",
                   (days_from_today(days), due[name]))
    html = signed_in("officer").get("/adjustments/due").get_data(as_text=True)
    check_page(html)
    text = text_of(html)
    listed = ["Olive Old", "Sam Soon", "Eddie Edge"]
    assert [text.index(name) for name in listed] == sorted(text.index(name) for name in listed)
    for name in ("Larry Later", "Wendy Withdrawn", "Fiona Faraway", "Rita Resident"):
        assert name not in text
    olive, sam = text.split("Olive Old")[1].split("Sam Soon")
    assert "Overdue" in olive and "Overdue" not in sam
    assert f'href="/adjustments/{due["Olive Old"]}/review"' in html
    theirs = text_of(signed_in("other_landlord_officer").get("/adjustments/due").get_data(
        as_text=True))
    assert "Fiona Faraway" in theirs and "Olive" not in theirs


def test_due_list_says_when_nothing_is_due(signed_in):
    html = signed_in("officer").get("/adjustments/due").get_data(as_text=True)
    check_page(html)
    assert "No reviews are due in the next 30 days." in html


def test_a_second_adjustment_of_the_same_type_is_not_recorded(db, world, call_ahead, signed_in):
    """One of each: two "call ahead" instructions would contradict each other on the doorstep."""
    client = signed_in("officer")
    catalogue = client.get(f"/residents/{world.residents['riverside']}/adjustments/new")
    html = catalogue.get_data(as_text=True)
    assert f'href="/adjustments/{call_ahead}/edit">Call ahead</a> <span class="tag">Recorded' \
        in html
    opened = client.get(add_url(world, "call_ahead"))
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/adjustments/{call_ahead}/edit")
    token = csrf_token_from(client.get(add_url(world, "sight")).get_data(as_text=True))
    sent = client.post(add_url(world, "call_ahead"),
                       data={"csrf_token": token, **adjustment_form(param_minutes="10")})
    assert sent.status_code == 422
    assert "Call ahead is already recorded for this resident" in sent.get_data(as_text=True)
    assert count(db, "adjustments WHERE type_code = 'call_ahead'") == 1


def test_other_adjustments_may_be_recorded_more_than_once(db, world, signed_in):
    client = signed_in("officer")
    for detail in ("Leave a card if nobody answers", "Text when you are five minutes away"):
        response = post_form(client, add_url(world, "other"), adjustment_form(param_text=detail))
        assert response.status_code == 303, response.get_data(as_text=True)
    assert count(db, "adjustments WHERE type_code = 'other'") == 2


@pytest.mark.parametrize("change", ["record", "edit", "review", "withdraw"])
def test_an_adjustment_change_is_not_saved_when_its_audit_row_cannot_be(db, world, signed_in,
                                                                         change):
    adjustment = world.others["adjustment"]
    url, data = {
        "record": (add_url(world, "call_ahead"), adjustment_form(**CALL_AHEAD)),
        "edit": (f"/adjustments/{adjustment}/edit", adjustment_form(detail="Knock twice.")),
        "review": (f"/adjustments/{adjustment}/review", STILL_NEEDED),
        "withdraw": (f"/adjustments/{adjustment}/review", {"decision": "withdraw",
                                                           "reason": "Moved away"}),
    }[change]
    client = signed_in("officer")
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    assert_nothing_kept_when_audit_refused(
        db, ("adjustments", "adjustment_reviews"),
        lambda: client.post(url, data={"csrf_token": token, **data}))
