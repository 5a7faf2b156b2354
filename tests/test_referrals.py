"""Who can help: the directory an admin keeps (national lines seeded, local ones added, edited,
disabled), the routes the distress card shows with tap-to-call and tap-to-text, referrals made
from an alert (recorded as the action taken, audited), and the measures they feed."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from test_schedule import text_of

from fieldapp.core.catalogues import NATIONAL_REFERRAL_ROUTES
from fieldapp.measures.periods import preset
from fieldapp.measures.queries import figures

from pages import assert_field_error, check_page
from support import post_form

LOCAL = {"name": "Riverside Crisis Team", "helps_with": ["mental_health_crisis"],
         "hours": "Monday to Friday, 9am to 5pm", "phone": "0113 496 0400", "text_number": "",
         "web_address": "https://crisis.riverside.example", "takes_staff_referrals": "y"}


def audit_actions(db, record_type: str, record_id) -> list[str]:
    return [row[0] for row in db.execute(
        "SELECT action FROM audit_log WHERE record_type = ? AND record_id = ?",
        (record_type, str(record_id)))]


def active(db, route: int) -> int:
    return db.execute("SELECT active FROM referral_routes WHERE id = ?", (route,)).fetchone()[0]


def route_id(db, name: str) -> int:
    return db.execute("SELECT id FROM referral_routes WHERE name = ?", (name,)).fetchone()[0]


def test_the_national_lines_are_seeded(db):
    rows = {row[0]: row[1:] for row in db.execute(
        "SELECT name, phone, text_number, landlord_id, active FROM referral_routes"
        " WHERE landlord_id IS NULL")}
    assert rows == {
        "Samaritans": ("116 123", "", None, 1),
        "NHS 111, option 2 (mental health crisis)": ("111", "", None, 1),
        "Shout (text)": ("", "85258", None, 1),
        "National Domestic Abuse Helpline": ("0808 2000 247", "", None, 1)}
    assert len(NATIONAL_REFERRAL_ROUTES) == 4


# The admin's directory.

def test_admin_adds_a_local_route_that_the_directory_lists(db, world, signed_in):
    client = signed_in("admin")
    check_page(client.get("/admin/referral-routes/new").get_data(as_text=True))
    response = post_form(client, "/admin/referral-routes/new", LOCAL)
    assert response.status_code == 303
    row = db.execute("SELECT landlord_id, helps_with, hours, phone, takes_staff_referrals,"
                     " active FROM referral_routes WHERE name = 'Riverside Crisis Team'"
                     ).fetchone()
    assert (row[0], json.loads(row[1]), *row[2:]) == (
        world.orgs["riverside"], ["mental_health_crisis"], "Monday to Friday, 9am to 5pm",
        "0113 496 0400", 1, 1)
    assert "referral_route_created" in audit_actions(
        db, "referral_route", route_id(db, "Riverside Crisis Team"))
    page = client.get("/admin/referral-routes").get_data(as_text=True)
    check_page(page)
    assert "Riverside Crisis Team" in page and "Samaritans" in page
    # Another landlord's admin sees the national lines, never Riverside's own.
    other = signed_in("other_landlord_admin").get("/admin/referral-routes").get_data(as_text=True)
    assert "Samaritans" in other and "Riverside Crisis Team" not in other


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": "  "}, "name", "Enter the name of the service"),
    ({"name": "Samaritans"}, "name", "Another route already has this name"),
    ({"name": "Testville advice centre"}, "name", "Another route already has this name"),
    ({"helps_with": []}, "helps_with", "Select what the service helps with"),
    ({"helps_with": ["plumbing"]}, "helps_with", "Select what the service helps with"),
    ({"hours": ""}, "hours", "Enter when the service is open"),
    ({"phone": "", "web_address": ""}, "phone",
     "Enter a phone number, a text number or a web address"),
    ({"phone": "call us"}, "phone", "Enter a phone number, like 020 7946 0000"),
    ({"text_number": "text"}, "text_number", "Enter a text number, like"),
    ({"web_address": "crisis.example"}, "web_address",
     "Enter a web address starting with https://"),
    ({"name": "x" * 101}, "name", "Name must be 100 characters or fewer"),
])
def test_the_route_form_says_what_to_fix(db, signed_in, changes, field, message):
    response = post_form(signed_in("admin"), "/admin/referral-routes/new", {**LOCAL, **changes})
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), field, message)
    assert db.execute("SELECT count(*) FROM referral_routes").fetchone()[0] == 5


def test_admin_edits_disables_and_enables_a_local_route(db, world, signed_in):
    client = signed_in("admin")
    route = world.others["referral_route"]
    url = f"/admin/referral-routes/{route}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="Testville Advice Centre"' in form
    response = post_form(client, url, {**LOCAL, "name": "Testville Advice",
                                       "helps_with": ["advice", "debt"]})
    assert response.status_code == 303
    assert db.execute("SELECT name FROM referral_routes WHERE id = ?",
                      (route,)).fetchone()[0] == "Testville Advice"
    post_form(client, f"/admin/referral-routes/{route}/disable", page_url="/admin/referral-routes")
    assert active(db, route) == 0
    post_form(client, f"/admin/referral-routes/{route}/enable", page_url="/admin/referral-routes")
    assert active(db, route) == 1
    assert audit_actions(db, "referral_route", route) == [
        "referral_route_updated", "referral_route_disabled", "referral_route_enabled"]


def test_a_national_line_is_not_the_admins_to_edit(db, signed_in):
    client = signed_in("admin")
    assert client.get(f"/admin/referral-routes/{route_id(db, 'Samaritans')}/edit"
                      ).status_code == 404


# The distress card.

def test_the_distress_card_shows_the_routes_that_fit_with_tap_to_call_and_text(
        db, world, signed_in):
    post_form(signed_in("admin"), "/admin/referral-routes/new", LOCAL)
    html = signed_in("operative").get(f"/visits/{world.visits['today']}/distress"
                                      ).get_data(as_text=True)
    check_page(html)
    for link in ('href="tel:116123"', 'href="tel:111"', 'href="sms:85258"',
                 'href="tel:08082000247"', 'href="tel:01134960400"'):
        assert link in html, link
    page = text_of(html)
    assert "Riverside Crisis Team" in page and "Monday to Friday, 9am to 5pm" in page
    assert "Any time: call 111 and choose option 2" in page
    # An advice and debt service does not help at the door in a crisis.
    assert "Testville Advice Centre" not in page


def test_a_disabled_route_leaves_the_distress_card(db, world, signed_in):
    db.execute("UPDATE referral_routes SET active = 0 WHERE name = 'Samaritans'")
    html = signed_in("operative").get(f"/visits/{world.visits['today']}/distress"
                                      ).get_data(as_text=True)
    assert "tel:116123" not in html and "Samaritans" not in html


def test_another_landlords_local_route_never_reaches_the_card(db, world, signed_in):
    db.execute("INSERT INTO referral_routes (landlord_id, name, helps_with, hours, phone,"
               " created_at, updated_at) VALUES (?, 'Faraway Crisis Line',"
               " '[\"mental_health_crisis\"]', 'Any time', '0161 496 0999', 'n', 'n')",
               (world.orgs["elsewhere"],))
    html = signed_in("operative").get(f"/visits/{world.visits['today']}/distress"
                                      ).get_data(as_text=True)
    assert "Faraway Crisis Line" not in html


# Refer from an alert.

def test_officer_refers_from_an_alert_and_it_is_the_action_taken(db, world, signed_in):
    client = signed_in("officer")
    alert = world.others["alert"]
    page = client.get(f"/alerts/{alert}").get_data(as_text=True)
    assert f'href="/alerts/{alert}/refer"' in page
    form = client.get(f"/alerts/{alert}/refer").get_data(as_text=True)
    check_page(form)
    assert "Testville Advice Centre" in form and "Samaritans" in form
    advice = world.others["referral_route"]
    response = post_form(client, f"/alerts/{alert}/refer",
                         {"route_id": str(advice), "note": "She will call them tomorrow"})
    assert response.status_code == 303
    referral = db.execute("SELECT id, route_id, made_by, note FROM referrals WHERE alert_id = ?",
                          (alert,)).fetchone()
    assert tuple(referral[1:]) == (advice, world.users["officer"], "She will call them tomorrow")
    status, action, acknowledged_by = db.execute(
        "SELECT status, action_taken, acknowledged_by FROM alerts WHERE id = ?",
        (alert,)).fetchone()
    assert (status, acknowledged_by) == ("acknowledged", world.users["officer"])
    assert action == "Referred to Testville Advice Centre: She will call them tomorrow"
    assert audit_actions(db, "referral", referral[0]) == ["referral_made"]
    # A second referral adds to what was done; the close form starts with it.
    post_form(client, f"/alerts/{alert}/refer", {"route_id": str(route_id(db, "Samaritans"))})
    shown = text_of(client.get(f"/alerts/{alert}").get_data(as_text=True))
    assert ("Done so far: Referred to Testville Advice Centre: She will call them tomorrow; "
            "Referred to Samaritans") in shown


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"route_id": ""}, "route_id", "Select who you referred the resident to"),
    ({"route_id": "abc"}, "route_id", "Select who you referred the resident to"),
    ({"route_id": "999999"}, "route_id", "Select who you referred the resident to"),
    ({"note": "x" * 301}, "note", "Note must be 300 characters or fewer"),
])
def test_the_refer_form_says_what_to_fix(db, world, signed_in, changes, field, message):
    alert = world.others["alert"]
    response = post_form(signed_in("officer"), f"/alerts/{alert}/refer",
                         {"route_id": str(world.others["referral_route"]), **changes})
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), field, message)
    assert db.execute("SELECT count(*) FROM referrals").fetchone()[0] == 0


def test_a_disabled_or_other_landlords_route_cannot_be_chosen(db, world, signed_in):
    db.execute("UPDATE referral_routes SET active = 0 WHERE id = ?",
               (world.others["referral_route"],))
    response = post_form(signed_in("officer"), f"/alerts/{world.others['alert']}/refer",
                         {"route_id": str(world.others["referral_route"])})
    assert response.status_code == 422


def test_a_closed_alert_takes_no_referral(db, world, signed_in):
    db.execute("UPDATE alerts SET status = 'closed', action_taken = 'Called' WHERE id = ?",
               (world.others["alert"],))
    response = post_form(signed_in("officer"), f"/alerts/{world.others['alert']}/refer",
                         {"route_id": str(world.others["referral_route"])})
    assert response.status_code == 422
    assert "This alert is already closed" in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM referrals").fetchone()[0] == 0


def test_another_officer_cannot_refer_from_an_alert_not_sent_to_them(db, world, signed_in):
    response = post_form(signed_in("admin"), f"/alerts/{world.others['alert']}/refer",
                         {"route_id": str(world.others["referral_route"])},
                         page_url="/inbox")
    assert response.status_code == 404
    assert db.execute("SELECT count(*) FROM referrals").fetchone()[0] == 0


# Measures.

def test_measures_count_referrals_by_route_and_time_to_acknowledge_distress(db, world,
                                                                             signed_in):
    client = signed_in("officer")
    alert = world.others["alert"]
    db.execute("UPDATE visit_logs SET distress = 'significant' WHERE id = ?",
               (world.others["log"],))
    # Raised 20 minutes before the referral acknowledges it (the world itself was made when the
    # test session began, which may be many minutes ago).
    db.execute("UPDATE alerts SET created_at = ? WHERE id = ?", (
        (datetime.now(UTC) - timedelta(minutes=20)).isoformat(timespec="seconds"), alert))
    post_form(client, f"/alerts/{alert}/refer", {"route_id": str(route_id(db, "Samaritans"))})
    result = figures(db, world.orgs["riverside"], preset("4weeks"))
    assert result.referrals == {"Samaritans": 1}
    assert result.distress_alerts == 1
    assert result.distress_acknowledge_minutes["count"] == 1
    assert 19 <= result.distress_acknowledge_minutes["median"] <= 21
    page = text_of(client.get("/measures").get_data(as_text=True))
    assert "Referrals made, by who can help" in page and "Samaritans 1" in page
    assert "alerts with distress or a safeguarding concern" in page
    csv = client.get("/measures/export.csv").get_data(as_text=True)
    assert "referrals: Samaritans,1" in csv
    assert "alerts with distress or a safeguarding concern,1" in csv


def test_an_alert_with_no_distress_or_safeguarding_is_not_counted_as_one(db, world):
    result = figures(db, world.orgs["riverside"], preset("4weeks"))
    assert result.distress_alerts == 0 and result.distress_acknowledge_minutes == {}
