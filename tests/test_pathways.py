"""The supported visit pathway: agreed with the resident and recorded like consent; booking
warns about a works visit with no pre-visit before it and a second visit in a week, and refuses
a resident with no single point of contact; messages copied to the advocate when agreed; and
the team inbox that receives the alerts of residents with no single point of contact."""

import io
from datetime import date, timedelta

import pytest
from test_booking_checks import CONFIRMED, booking, new_url
from test_schedule import at, count, day, text_of

from fieldapp.alerts import rules
from fieldapp.messages import outbox

from factories import add_resident, add_visit
from pages import assert_field_error, check_page
from support import post_form

AGREED = {"pathway": "supported", "pathway_consent_given_by": "resident",
          "pathway_consent_how": "in_person", "pathway_consent_on": "2026-11-02"}


def supported(db, world, officer: str | None = "officer", more_visits: bool = False,
              **fields) -> int:
    resident_id = add_resident(db, world.orgs["riverside"],
                               world.users[officer] if officer else None,
                               name="Sam Supported", **fields)
    db.execute("UPDATE residents SET pathway = 'supported', pathway_more_visits = ?"
               " WHERE id = ?", (int(more_visits), resident_id))
    return resident_id


def pre_visit(db, world, resident_id: int, days: int) -> int:
    return add_visit(db, resident_id, world.orgs["acme"], [], at(days, 10), at(days, 11),
                     job_ref=f"PRE-{days}", pre_visit=True)


def audit_actions(db, record_type: str, record_id: int) -> list[str]:
    return [row[0] for row in db.execute(
        "SELECT action FROM audit_log WHERE record_type = ? AND record_id = ?",
        (record_type, str(record_id)))]


# Setting the pathway.

def test_officer_sets_the_supported_pathway_with_the_residents_agreement(db, world, signed_in):
    client = signed_in("officer")
    resident_id = world.residents["riverside"]
    page = client.get(f"/residents/{resident_id}/pathway")
    check_page(page.get_data(as_text=True))
    response = post_form(client, f"/residents/{resident_id}/pathway",
                         {**AGREED, "pathway_more_visits": "y"})
    assert response.status_code == 303
    row = db.execute("SELECT pathway, pathway_consent_given_by, pathway_consent_how,"
                     " pathway_consent_on, pathway_more_visits, pathway_set_by FROM residents"
                     " WHERE id = ?", (resident_id,)).fetchone()
    assert tuple(row) == ("supported", "resident", "in_person", "2026-11-02", 1,
                          world.users["officer"])
    assert "pathway_set" in audit_actions(db, "resident", resident_id)
    # Opened again, the form shows what was agreed.
    again = client.get(f"/residents/{resident_id}/pathway").get_data(as_text=True)
    assert 'value="2026-11-02"' in again
    shown = text_of(client.get(f"/residents/{resident_id}").get_data(as_text=True))
    assert "Supported : a pre-visit first, at most one visit a week (they asked for more)" in shown
    assert "Agreed by the resident (in person)" in shown


def test_a_standard_pathway_keeps_none_of_the_supported_choices(db, world, signed_in):
    resident_id = world.residents["riverside"]
    post_form(signed_in("officer"), f"/residents/{resident_id}/pathway",
              {**AGREED, "pathway": "standard", "pathway_more_visits": "y"})
    assert tuple(db.execute("SELECT pathway, pathway_more_visits FROM residents WHERE id = ?",
                            (resident_id,)).fetchone()) == ("standard", 0)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"pathway": ""}, "pathway", "Select the visit pathway"),
    ({"pathway": "fast"}, "pathway", "Select the visit pathway"),
    ({"pathway_consent_given_by": ""}, "pathway_consent_given_by",
     "Select who agreed to the pathway"),
    ({"pathway_consent_how": ""}, "pathway_consent_how", "Select how they agreed to the pathway"),
    ({"pathway_consent_on": ""}, "pathway_consent_on", "Enter the date they agreed"),
    ({"pathway_consent_on": "2026-02-30"}, "pathway_consent_on",
     "When they agreed must be a real date"),
    ({"pathway_consent_on": (date.today() + timedelta(days=3)).isoformat()},
     "pathway_consent_on", "The date they agreed must be today or in the past"),
    ({"pathway_advocate_messages": "y"}, "pathway_advocate_messages",
     "Add a phone number for their advocate first"),
])
def test_the_pathway_form_says_what_to_fix(db, world, signed_in, changes, field, message):
    resident_id = world.residents["riverside"]
    response = post_form(signed_in("officer"), f"/residents/{resident_id}/pathway",
                         {**AGREED, **changes})
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), field, message)
    assert db.execute("SELECT pathway FROM residents WHERE id = ?",
                      (resident_id,)).fetchone()[0] == "standard"


# Booking.

def test_a_works_visit_with_no_pre_visit_first_is_warned_and_waits_for_book_anyway(
        db, world, signed_in):
    resident_id = supported(db, world)
    client = signed_in("officer")
    first = post_form(client, new_url(resident_id), booking(world))
    assert first.status_code == 409
    assert ("Sam Supported is on the supported pathway: book a pre-visit (a short meeting, no "
            "work) before any works visit") in text_of(first.get_data(as_text=True))
    assert count(db, "visits WHERE job_ref = 'ACM-7001'") == 0
    seen = CONFIRMED.search(first.get_data(as_text=True)).group(1)
    second = post_form(client, new_url(resident_id),
                       booking(world, confirmed=seen, book_anyway="y"))
    assert second.status_code == 303
    assert count(db, "visits WHERE job_ref = 'ACM-7001'") == 1


def test_the_pre_visit_itself_is_booked_without_a_warning(db, world, signed_in):
    resident_id = supported(db, world)
    response = post_form(signed_in("officer"), new_url(resident_id),
                         booking(world, pre_visit="y"))
    assert response.status_code == 303


def test_a_works_visit_after_the_pre_visit_and_a_week_apart_is_booked(db, world, signed_in):
    resident_id = supported(db, world)
    pre_visit(db, world, resident_id, days=-8)
    response = post_form(signed_in("officer"), new_url(resident_id), booking(world))
    assert response.status_code == 303


def test_a_pre_visit_booked_after_the_works_visit_does_not_count(db, world, signed_in):
    resident_id = supported(db, world)
    pre_visit(db, world, resident_id, days=9)
    response = post_form(signed_in("officer"), new_url(resident_id), booking(world))
    assert response.status_code == 409
    assert "book a pre-visit" in text_of(response.get_data(as_text=True))


def test_a_second_visit_in_a_week_is_warned(db, world, signed_in):
    resident_id = supported(db, world)
    pre_visit(db, world, resident_id, days=-2)
    response = post_form(signed_in("officer"), new_url(resident_id), booking(world))
    assert response.status_code == 409
    page = text_of(response.get_data(as_text=True))
    assert ("Sam Supported is on the supported pathway, with at most one visit a week, and "
            "already has PRE--2") in page
    assert "book a pre-visit" not in page


def test_no_weekly_warning_when_the_resident_asked_for_more_visits(db, world, signed_in):
    resident_id = supported(db, world, more_visits=True)
    pre_visit(db, world, resident_id, days=-2)
    response = post_form(signed_in("officer"), new_url(resident_id), booking(world))
    assert response.status_code == 303


def test_a_standard_resident_gets_no_pathway_warnings(db, world, signed_in):
    resident_id = add_resident(db, world.orgs["riverside"], world.users["officer"])
    response = post_form(signed_in("officer"), new_url(resident_id), booking(world))
    assert response.status_code == 303


def test_a_supported_resident_with_no_single_point_of_contact_is_refused_even_with_book_anyway(
        db, world, signed_in):
    resident_id = supported(db, world, officer=None)
    response = post_form(signed_in("officer"), new_url(resident_id),
                         booking(world, pre_visit="y", book_anyway="y"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<title>Error: " in html
    assert ("Sam Supported is on the supported pathway and has no single point of contact. "
            "Name their officer in their details, then book") in text_of(html)
    assert "Book anyway" not in text_of(html)
    assert count(db, "visits WHERE job_ref = 'ACM-7001'") == 0


def test_a_disabled_officer_is_no_single_point_of_contact(db, world, signed_in):
    resident_id = supported(db, world, officer="other_landlord_officer")
    db.execute("UPDATE users SET active = 0 WHERE id = ?", (world.users["other_landlord_officer"],))
    response = post_form(signed_in("officer"), new_url(resident_id),
                         booking(world, pre_visit="y"))
    assert response.status_code == 422


def test_the_import_refuses_a_row_for_a_supported_resident_with_no_contact(db, world, signed_in):
    supported(db, world, officer=None, tenancy_ref="T-SUP")
    csv = ("job_ref,tenancy_ref,date,start,end,trade,firm,pre_visit\n"
           f"JOB-77,T-SUP,{day(3)},10:00,12:00,Plumbing,Acme Repairs,yes\n")
    client = signed_in("officer")
    response = post_form(client, "/schedule/import", {"file": (io.BytesIO(csv.encode()),
                                                                "jobs.csv")},
                         content_type="multipart/form-data", follow_redirects=True)
    assert "has no single point of contact" in text_of(response.get_data(as_text=True))
    assert count(db, "visits WHERE job_ref = 'JOB-77'") == 0


# Messages to the advocate.

def test_the_advocate_gets_a_copy_of_messages_when_the_resident_agreed(db, world):
    resident_id = supported(db, world, advocate_name="Grace", advocate_phone="07700 900 111",
                            phone="07700 900 222", preferred_contact="text")
    db.execute("UPDATE residents SET pathway_advocate_messages = 1 WHERE id = ?", (resident_id,))
    visit_id = add_visit(db, resident_id, world.orgs["acme"], [], at(3, 10), at(3, 12))
    outbox.queue_for_visit(db, visit_id, "booked")
    sent_to = {row[0]: row[1] for row in db.execute(
        "SELECT recipient, channel FROM messages WHERE visit_id = ?", (visit_id,))}
    assert sent_to == {"07700 900 222": "sms", "07700 900 111": "sms"}


def test_no_copy_for_the_advocate_without_the_residents_agreement(db, world):
    resident_id = supported(db, world, advocate_name="Grace", advocate_phone="07700 900 111",
                            phone="07700 900 222", preferred_contact="text")
    visit_id = add_visit(db, resident_id, world.orgs["acme"], [], at(3, 10), at(3, 12))
    outbox.queue_for_visit(db, visit_id, "booked")
    assert [row[0] for row in db.execute("SELECT recipient FROM messages WHERE visit_id = ?",
                                         (visit_id,))] == ["07700 900 222"]


# The team inbox.

def name_team_inbox(db, world, person: str = "admin") -> None:
    db.execute("UPDATE organisations SET team_inbox_user_id = ? WHERE id = ?",
               (world.users[person], world.orgs["riverside"]))


def raise_alert_for(db, world, resident_id: int) -> int:
    visit_id = add_visit(db, resident_id, world.orgs["acme"], [], at(1, 14), at(1, 15))
    return rules.raise_visit_alert(db, {"id": visit_id, "resident_id": resident_id},
                                   "urgent", "Concern logged")


def test_admin_names_the_team_inbox(db, world, signed_in):
    client = signed_in("admin")
    page = client.get("/admin/team-inbox")
    check_page(page.get_data(as_text=True))
    assert "Not named" in text_of(page.get_data(as_text=True))
    response = post_form(client, "/admin/team-inbox", {"user_id": str(world.users["officer"])})
    assert response.status_code == 303
    assert db.execute("SELECT team_inbox_user_id FROM organisations WHERE id = ?",
                      (world.orgs["riverside"],)).fetchone()[0] == world.users["officer"]
    assert "team_inbox_named" in audit_actions(db, "organisation", world.orgs["riverside"])


@pytest.mark.parametrize("person", ["operative", "other_landlord_admin"])
def test_the_team_inbox_is_an_office_account_of_this_landlord(db, world, signed_in, person):
    response = post_form(signed_in("admin"), "/admin/team-inbox",
                         {"user_id": str(world.users[person])})
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), "user_id",
                       "Select the account that receives the team alerts")


def test_the_team_inbox_receives_alerts_of_residents_with_no_single_point_of_contact(
        db, world, signed_in):
    name_team_inbox(db, world)
    resident_id = add_resident(db, world.orgs["riverside"], None, name="Nora Nobody")
    alert_id = raise_alert_for(db, world, resident_id)
    assert db.execute("SELECT officer_id, escalated_at FROM alerts WHERE id = ?",
                      (alert_id,)).fetchone()[:] == (world.users["admin"], None)
    admin = signed_in("admin")
    assert "Nora Nobody" in text_of(admin.get("/inbox").get_data(as_text=True))
    assert ("This resident had no single point of contact when it was raised, so it came to "
            "the team inbox") in text_of(admin.get(f"/alerts/{alert_id}").get_data(as_text=True))
    pushes = [row[0] for row in db.execute("SELECT payload FROM jobs WHERE kind = 'send_push'")]
    assert any(f'"user_id": {world.users["admin"]}' in payload for payload in pushes)


def test_alerts_of_a_resident_with_an_officer_still_go_to_their_officer(db, world, signed_in):
    name_team_inbox(db, world)
    alert_id = raise_alert_for(db, world, world.residents["riverside"])
    assert db.execute("SELECT officer_id FROM alerts WHERE id = ?",
                      (alert_id,)).fetchone()[0] == world.users["officer"]
    page = signed_in("officer").get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "team inbox" not in page


def test_the_briefing_of_a_pre_visit_says_it_is_an_introduction_with_no_work(db, world,
                                                                           signed_in):
    resident_id = supported(db, world)
    visit_id = add_visit(db, resident_id, world.orgs["acme"], [world.users["operative"]],
                         at(1, 15), at(1, 16), pre_visit=True)
    page = text_of(signed_in("operative").get(f"/visits/{visit_id}").get_data(as_text=True))
    assert ("This is an introductory visit: meet the resident and explain the work. "
            "Do no work today.") in page


def test_with_the_team_inbox_disabled_the_duty_rota_gets_the_alert(db, world):
    name_team_inbox(db, world, "officer")
    db.execute("UPDATE users SET active = 0 WHERE id = ?", (world.users["officer"],))
    db.execute("UPDATE users SET on_duty = 1 WHERE id = ?", (world.users["admin"],))
    resident_id = add_resident(db, world.orgs["riverside"], None, name="Nora Nobody")
    alert_id = raise_alert_for(db, world, resident_id)
    copies = db.execute("SELECT officer_id FROM alerts WHERE escalated_from = ?",
                        (alert_id,)).fetchall()
    assert [row[0] for row in copies] == [world.users["admin"]]



def test_the_pathway_page_says_when_there_is_no_single_point_of_contact_yet(db, world,
                                                                             signed_in):
    resident_id = supported(db, world, officer=None)
    page = text_of(signed_in("officer").get(f"/residents/{resident_id}/pathway"
                                            ).get_data(as_text=True))
    assert ("Sam Supported has no single point of contact yet. On the supported pathway, "
            "visits cannot be booked until you name their officer") in page
