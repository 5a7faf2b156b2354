"""The import uses what the app knows, as the visit form does: rows that break a resident's
visit times or overlap a booking are shown with a warning and imported only with "Book anyway";
a row that would send an operative where a female operative is asked for, who cannot attend,
is refused; refused rows link to the format page the app serves."""

import re

import pytest
from test_import import csv_text, imported, preview_text, row, snapshot, uploaded

from factories import add_adjustment, add_resident
from pages import check_page
from support import post_form


@pytest.fixture
def setting(db, world) -> dict:
    """Residents with the tenancy references the rows name, and Dan with badge ACME-0142."""
    riverside, officer = world.orgs["riverside"], world.users["officer"]
    return {
        **{ref: add_resident(db, riverside, officer, name=name, tenancy_ref=ref)
           for ref, name in (("T-100", "Ann Hundred"), ("T-101", "Ben Hundred"),
                             ("T-102", "Cat Hundred"))},
        "dan": db.execute(
            "INSERT INTO users (name, email, password_hash, role, organisation_id, badge_number,"
            " created_at, updated_at) VALUES ('Dan Price', 'dan@acme.test', 'x', 'operative',"
            " ?, 'ACME-0142', 'n', 'n')", (world.orgs["acme"],)).lastrowid,
    }


CONFIRMED = re.compile(r'name="confirmed" value="([0-9a-f]+)"')


def test_rows_with_warnings_are_imported_only_when_confirmed(db, world, setting, signed_in):
    add_adjustment(db, setting["T-100"], "avoid_times", world.users["officer"],
                   {"not_before": "10:00"})
    client = signed_in("officer")
    import_id = uploaded(client, csv_text(
        row(job_ref="IMP-1", start="09:00", end="10:30"),
        row(job_ref="IMP-2", tenancy_ref="T-101", operatives="operative@acme.test",
            start="10:00", end="11:00"),
        row(job_ref="IMP-3", tenancy_ref="T-102", start="14:00", end="15:00")))
    text = preview_text(client, import_id)
    assert ("IMP-1 Ann Hundred T-100" in text and "Warning: The window starts at 09:00, and the "
            "resident asked us not to visit before 10am" in text)
    assert "Warning: Operative is already booked at an overlapping time: JOB-2" in text
    assert "2 rows have a warning" in text
    before = snapshot(db)
    url = f"/schedule/import/{import_id}"
    refused = post_form(client, url, {}, page_url=url)
    assert refused.status_code == 409
    assert "Nothing is imported yet" in refused.get_data(as_text=True)
    assert snapshot(db) == before
    seen = CONFIRMED.search(client.get(url).get_data(as_text=True)).group(1)
    done = post_form(client, url, {"book_anyway": "y", "confirmed": seen})
    assert done.status_code == 303
    assert set(imported(db)) == {"IMP-1", "IMP-2", "IMP-3"}


def test_a_file_without_warnings_imports_without_the_tick(db, setting, signed_in):
    client = signed_in("officer")
    import_id = uploaded(client, csv_text(row(job_ref="IMP-1", start="14:00", end="15:00")))
    assert "Book anyway" not in preview_text(client, import_id)
    url = f"/schedule/import/{import_id}"
    assert post_form(client, url, {}, page_url=url).status_code == 303
    assert set(imported(db)) == {"IMP-1"}


def test_an_operative_who_cannot_attend_a_female_operative_request_is_refused(
        db, world, setting, signed_in):
    add_adjustment(db, setting["T-100"], "same_gender", world.users["officer"])
    client = signed_in("officer")
    import_id = uploaded(client, csv_text(
        row(job_ref="IMP-1", operatives="ACME-0142", start="14:00", end="15:00")))
    text = preview_text(client, import_id)
    assert ("Row 2, operatives: ACME-0142 is not marked as able to attend where a female "
            "operative is asked for, and this resident asked for one") in text
    db.execute("UPDATE users SET attends_female_requests = 1 WHERE id = ?", (setting["dan"],))
    assert "New visit" in preview_text(client, import_id)


def test_refused_rows_link_to_the_format_page_the_app_serves(db, setting, signed_in):
    client = signed_in("officer")
    import_id = uploaded(client, csv_text(row(job_ref="IMP-1", start="10am")))
    html = client.get(f"/schedule/import/{import_id}").get_data(as_text=True)
    assert '<a href="/schedule/import/format#start">How to write start</a>' in html
    guide = client.get("/schedule/import/format")
    assert guide.status_code == 200
    page = guide.get_data(as_text=True)
    check_page(page)
    assert 'id="start"' in page and 'id="tenancy_ref"' in page
    assert "/schedule/import/format" in client.get("/schedule/import").get_data(as_text=True)
