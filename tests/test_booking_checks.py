"""Booking uses what the app knows: a window that breaks the resident's timing adjustment, a
resident or an operative already booked at an overlapping time are warned about, and nothing is
stored until the officer confirms with "Book anyway"."""

import re

import pytest
from test_schedule import add_operative, count, day, text_of

from fieldapp.schedule.checks import day_in_words

from factories import add_adjustment, add_resident
from support import post_form

CONFIRMED = re.compile(r'name="confirmed"[^>]*value="([0-9a-f]+)"')


def booking(world, **changes) -> dict:
    return {"visit_date": day(1), "starts": "10:00", "ends": "12:00", "job_ref": "ACM-7001",
            "trade": "Plumbing", "firm_id": str(world.orgs["acme"]), "operative_ids": [],
            **changes}


def new_url(resident_id: int) -> str:
    return f"/schedule/new?resident={resident_id}"


def tomorrow_in_words() -> str:
    from datetime import date
    return day_in_words(date.fromisoformat(day(1)))


def book_twice(client, url, form, tick=True):
    """The first submit shows the warnings; the second confirms exactly those."""
    first = post_form(client, url, form)
    assert first.status_code == 409
    seen = CONFIRMED.search(first.get_data(as_text=True)).group(1)
    second = post_form(client, url, {**form, "confirmed": seen,
                                     **({"book_anyway": "y"} if tick else {})})
    return first, second


def test_a_resident_already_booked_at_that_time_is_warned_and_booked_only_when_confirmed(
        db, world, signed_in):
    client = signed_in("officer")
    url = new_url(world.residents["riverside"])
    first, second = book_twice(client, url, booking(world))
    page = text_of(first.get_data(as_text=True))
    assert ("Rita Resident already has a visit booked at an overlapping time: JOB-2, "
            f"{tomorrow_in_words()}, 09:00 to 11:00") in page
    assert "Nothing is booked yet" in page and "Book anyway" in page
    assert second.status_code == 303
    assert count(db, "visits WHERE job_ref = 'ACM-7001'") == 1


def test_nothing_is_stored_without_the_tick(db, world, signed_in):
    client = signed_in("officer")
    _first, second = book_twice(client, new_url(world.residents["riverside"]), booking(world),
                                tick=False)
    assert second.status_code == 409
    assert count(db, "visits WHERE job_ref = 'ACM-7001'") == 0


def test_a_tick_confirms_only_the_warnings_that_were_shown(db, world, signed_in):
    client = signed_in("officer")
    url = new_url(world.residents["riverside"])
    first = post_form(client, url, booking(world))
    seen = CONFIRMED.search(first.get_data(as_text=True)).group(1)
    # Now the operative is added too: a new warning the officer has not seen.
    again = post_form(client, url, booking(world, operative_ids=[str(world.users["operative"])],
                                           confirmed=seen, book_anyway="y"))
    assert again.status_code == 409
    assert "Operative is already booked at an overlapping time: JOB-2" in text_of(
        again.get_data(as_text=True))
    assert count(db, "visits WHERE job_ref = 'ACM-7001'") == 0


def test_an_operative_already_booked_elsewhere_is_warned(db, world, signed_in):
    other = add_resident(db, world.orgs["riverside"], world.users["officer"], name="Ben Other")
    response = post_form(signed_in("officer"), new_url(other), booking(
        world, starts="10:30", ends="11:30", operative_ids=[str(world.users["operative"])]))
    assert response.status_code == 409
    page = text_of(response.get_data(as_text=True))
    assert (f"Operative is already booked at an overlapping time: JOB-2, {tomorrow_in_words()}, "
            "09:00 to 11:00") in page
    assert "Ben Other already has" not in page


def test_a_window_that_breaks_the_residents_timing_adjustment_is_warned(db, world, signed_in):
    add_adjustment(db, world.residents["riverside"], "avoid_times", world.users["officer"],
                   {"not_before": "10:00"})
    response = post_form(signed_in("officer"), new_url(world.residents["riverside"]),
                         booking(world, visit_date=day(2), starts="09:00", ends="10:30"))
    assert response.status_code == 409
    assert ("The window starts at 09:00, and the resident asked us not to visit before 10am"
            in text_of(response.get_data(as_text=True)))


@pytest.mark.parametrize(("starts", "ends"), [("11:00", "13:00"), ("07:00", "09:00")])
def test_a_window_that_only_touches_another_booking_is_not_warned(db, world, signed_in,
                                                                   starts, ends):
    response = post_form(signed_in("officer"), new_url(world.residents["riverside"]), booking(
        world, starts=starts, ends=ends, operative_ids=[str(world.users["operative"])]))
    assert response.status_code == 303


def test_moving_a_visit_is_checked_but_not_against_itself(db, world, signed_in):
    client = signed_in("officer")
    url = f"/schedule/{world.visits['tomorrow']}"
    same = post_form(client, url, booking(world, job_ref="JOB-2", starts="09:00", ends="11:00",
                                          operative_ids=[str(world.users["operative"])]))
    assert same.status_code == 303
    clash = post_form(client, url, booking(world, job_ref="JOB-2", visit_date=day(0),
                                           starts="11:00", ends="12:30"))
    assert clash.status_code == 409
    assert "Rita Resident already has a visit booked at an overlapping time: JOB-1" in text_of(
        clash.get_data(as_text=True))


# Female operative requested ---------------------------------------------------------------

def test_only_operatives_who_can_attend_are_offered_where_a_female_operative_is_asked_for(
        db, world, signed_in):
    able = add_operative(db, world, "Maya Khan")
    db.execute("UPDATE users SET attends_female_requests = 1 WHERE id = ?", (able,))
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    add_adjustment(db, resident, "same_gender", world.users["officer"])
    client = signed_in("officer")
    page = text_of(client.get(new_url(resident)).get_data(as_text=True))
    assert "Maya Khan (Acme Repairs)" in page and "Operative (Acme Repairs)" not in page
    assert "asked for a female operative: only operatives who can attend" in page
    refused = post_form(client, new_url(resident), booking(
        world, visit_date=day(3), operative_ids=[str(world.users["operative"])]))
    assert refused.status_code == 422
    assert "Select operatives from the list" in refused.get_data(as_text=True)
    booked = post_form(client, new_url(resident), booking(
        world, visit_date=day(3), operative_ids=[str(able)]))
    assert booked.status_code == 303


def test_everyone_is_offered_when_no_female_operative_is_asked_for(db, world, signed_in):
    page = text_of(signed_in("officer").get(new_url(world.residents["riverside"])).get_data(
        as_text=True))
    assert "Operative (Acme Repairs)" in page and "female" not in page


def test_admin_marks_an_operative_who_can_attend_and_the_booking_then_offers_them(
        db, world, signed_in):
    from admin_support import assert_form_error, new_user_answers

    admin = signed_in("admin")
    url = f"/admin/users/{world.users['operative']}/edit"
    assert "Can attend where a female operative is asked for" in admin.get(url).get_data(
        as_text=True)
    answers = new_user_answers(world, name="Operative", email="operative@acme.test",
                               badge_number="B-1", password="")
    assert post_form(admin, url, {**answers, "attends_female_requests": "y"}).status_code == 303
    assert db.execute("SELECT attends_female_requests FROM users WHERE id = ?",
                      (world.users["operative"],)).fetchone()[0] == 1
    officer_url = f"/admin/users/{world.users['officer']}/edit"
    refused = post_form(admin, officer_url, {**new_user_answers(
        world, name="Officer", email="officer@riverside.test", role="officer",
        organisation_id=str(world.orgs["riverside"]), password=""),
        "attends_female_requests": "y"})
    assert_form_error(refused, "attends_female_requests",
                      "Only operatives are booked for visits: leave this unticked")

    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    add_adjustment(db, resident, "same_gender", world.users["officer"])
    page = text_of(signed_in("officer").get(new_url(resident)).get_data(as_text=True))
    assert "Operative (Acme Repairs)" in page
    booked = post_form(signed_in("officer"), new_url(resident), booking(
        world, visit_date=day(0), starts="20:00", ends="21:00",
        operative_ids=[str(world.users["operative"])]))
    assert booked.status_code == 303
    visit_id = booked.headers["Location"].rsplit("/", 1)[1]
    briefing = text_of(signed_in("operative").get(f"/visits/{visit_id}").get_data(as_text=True))
    assert ("The resident has asked for a female operative. Only operatives who can attend "
            "where a female operative is asked for are booked for this visit.") in briefing
