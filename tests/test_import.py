"""CSV import of visits: every row checked and shown first, good rows imported, twice is once."""

import csv
import html as html_lib
import io
import re
from datetime import time, timedelta

import pytest

from fieldapp.core.clock import local_to_utc_iso, today_local
from fieldapp.schedule.checks import day_in_words

from factories import add_resident
from pages import assert_field_error, check_page
from support import assert_nothing_kept_when_audit_refused, csrf_token_from, post_form

COLUMNS = ("job_ref", "tenancy_ref", "date", "start", "end", "trade", "firm", "operatives",
           "notes", "steps", "pre_visit")


def day(days: int, style: str = "iso") -> str:
    moment = today_local() + timedelta(days=days)
    return moment.strftime("%d/%m/%Y") if style == "uk" else moment.isoformat()


def row(**values) -> dict:
    """A good row; change what the test is about."""
    return {"job_ref": "IMP-9", "tenancy_ref": "T-100", "date": day(1), "start": "10:00",
            "end": "12:00", "trade": "Plumbing", "firm": "Acme Repairs", "operatives": "",
            "notes": "", "steps": "", "pre_visit": "", **values}


def csv_text(*rows: dict, columns=COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


GOOD_ROWS = [
    row(job_ref="IMP-1", operatives="ACME-0142", notes="Use the side door",
        steps="Drain the system | Fit the radiator", pre_visit="no"),
    row(job_ref="IMP-2", tenancy_ref="T-101", date=day(2), start="9:00", end="11:00",
        trade="Gas servicing", firm="Brightside Gas", operatives="operative@brightside.test"),
    row(job_ref="IMP-3", tenancy_ref="t-102", date=day(3, "uk"), start="13:30", end="15:00",
        trade="Carpentry", firm="acme repairs", operatives="operative@acme.test; ACME-0142",
        pre_visit="yes"),
]


@pytest.fixture
def setting(db, world) -> dict:
    """Residents with tenancy references, and an operative with a badge only they have."""
    riverside, officer = world.orgs["riverside"], world.users["officer"]
    return {
        "T-100": add_resident(db, riverside, officer, name="Ann Hundred", tenancy_ref="T-100"),
        "T-101": add_resident(db, riverside, officer, name="Ben Hundred", tenancy_ref="T-101"),
        "T-102": add_resident(db, riverside, officer, name="Cat Hundred", tenancy_ref="T-102"),
        "T-900": add_resident(db, world.orgs["elsewhere"], None, name="Far Away",
                              tenancy_ref="T-900"),
        "dan": db.execute(
            "INSERT INTO users (name, email, password_hash, role, organisation_id, badge_number,"
            " created_at, updated_at) VALUES ('Dan Price', 'dan@acme.test', 'x', 'operative',"
            " ?, 'ACME-0142', 'n', 'n')", (world.orgs["acme"],)).lastrowid,
    }


def upload(client, content, filename: str = "jobs.csv"):
    raw = content.encode() if isinstance(content, str) else content
    return post_form(client, "/schedule/import", {"file": (io.BytesIO(raw), filename)},
                     content_type="multipart/form-data")


def uploaded(client, content) -> int:
    response = upload(client, content)
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(re.search(r"/schedule/import/(\d+)$", response.headers["Location"]).group(1))


def run(client, import_id: int):
    response = post_form(client, f"/schedule/import/{import_id}", page_url="/schedule/import")
    assert response.status_code == 303
    return response


def preview_text(client, import_id: int) -> str:
    response = client.get(f"/schedule/import/{import_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    check_page(html)
    return html_lib.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def imported(db) -> dict:
    return {r["job_ref"]: r for r in db.execute(
        "SELECT * FROM visits WHERE job_ref LIKE 'IMP-%' ORDER BY job_ref")}


def operatives_of(db, visit_id: int) -> set[int]:
    return {r[0] for r in db.execute("SELECT user_id FROM visit_operatives WHERE visit_id = ?",
                                     (visit_id,))}


def steps_of(db, visit_id: int) -> list[tuple]:
    return [tuple(r) for r in db.execute(
        "SELECT position, description FROM work_steps WHERE visit_id = ? ORDER BY position",
        (visit_id,))]


def snapshot(db) -> list:
    return [[tuple(r) for r in db.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
            for table in ("visits", "visit_operatives", "work_steps")]


def test_upload_page_explains_the_columns(signed_in):
    html = signed_in("officer").get("/schedule/import").get_data(as_text=True)
    check_page(html)
    assert "job_ref, tenancy_ref, date, start, end, trade, firm" in html


def test_preview_lists_every_row_and_saves_nothing_yet(db, world, setting, signed_in):
    client = signed_in("officer")
    before = snapshot(db)
    import_id = uploaded(client, csv_text(*GOOD_ROWS))
    text = preview_text(client, import_id)
    assert "3 rows: 3 new, 0 to update, 0 unchanged, 0 with problems." in text
    assert text.count("New visit") == 3
    for number, job, who, days, window in (
            (2, "IMP-1", "Ann Hundred T-100", 1, "10:00 to 12:00"),
            (3, "IMP-2", "Ben Hundred T-101", 2, "09:00 to 11:00"),
            (4, "IMP-3", "Cat Hundred T-102", 3, "13:30 to 15:00")):
        assert f"{number} {job} {who} {day_in_words(today_local() + timedelta(days))}, " \
               f"{window} New visit" in text
    assert "Import 3 rows" in text
    assert snapshot(db) == before
    stored = db.execute("SELECT * FROM visit_imports WHERE id = ?", (import_id,)).fetchone()
    assert (stored["landlord_id"], stored["user_id"], stored["filename"], stored["imported_at"]) \
        == (world.orgs["riverside"], world.users["officer"], "jobs.csv", None)
    assert db.execute("SELECT record_id FROM audit_log WHERE action = 'visit_import_uploaded'"
                      ).fetchone()[0] == str(import_id)


def test_import_books_the_visits_with_operatives_and_steps(db, world, setting, signed_in):
    client = signed_in("officer")
    import_id = uploaded(client, csv_text(*GOOD_ROWS))
    run(client, import_id)
    visits = imported(db)
    assert sorted(visits) == ["IMP-1", "IMP-2", "IMP-3"]
    first, second, third = visits["IMP-1"], visits["IMP-2"], visits["IMP-3"]
    assert (first["resident_id"], first["firm_id"], first["trade"], first["notes_for_operative"],
            first["pre_visit"], first["status"], first["created_by"]) == (
        setting["T-100"], world.orgs["acme"], "Plumbing", "Use the side door", 0, "booked",
        world.users["officer"])
    tomorrow = today_local() + timedelta(days=1)
    assert (first["starts_at"], first["ends_at"]) == (local_to_utc_iso(tomorrow, time(10)),
                                                      local_to_utc_iso(tomorrow, time(12)))
    assert operatives_of(db, first["id"]) == {setting["dan"]}  # by badge number
    assert steps_of(db, first["id"]) == [(1, "Drain the system"), (2, "Fit the radiator")]
    assert (second["resident_id"], second["firm_id"]) == (setting["T-101"],
                                                          world.orgs["brightside"])
    assert operatives_of(db, second["id"]) == {world.users["other_firm_operative"]}  # by email
    assert second["starts_at"] == local_to_utc_iso(today_local() + timedelta(days=2), time(9))
    assert (third["resident_id"], third["pre_visit"]) == (setting["T-102"], 1)
    assert third["starts_at"] == local_to_utc_iso(today_local() + timedelta(days=3),
                                                  time(13, 30))
    assert operatives_of(db, third["id"]) == {world.users["operative"], setting["dan"]}
    assert steps_of(db, third["id"]) == []
    text = preview_text(client, import_id)
    assert "This file was imported: 3 new, 0 updated, 0 unchanged, 0 with problems." in text
    assert db.execute("SELECT record_id FROM audit_log WHERE action = 'visit_import_applied'"
                      ).fetchone()[0] == str(import_id)


def test_importing_the_same_file_again_changes_nothing(db, setting, signed_in):
    client = signed_in("officer")
    content = csv_text(*GOOD_ROWS)
    run(client, uploaded(client, content))
    after_first = snapshot(db)
    again = uploaded(client, content)
    text = preview_text(client, again)
    assert "3 rows: 0 new, 0 to update, 3 unchanged, 0 with problems." in text
    assert text.count("Already booked, no change") == 3
    assert "Nothing to import." in text
    run(client, again)
    assert snapshot(db) == after_first  # same ids, same times, same people, same steps
    assert "0 new, 0 updated, 3 unchanged" in preview_text(client, again)


def test_a_changed_row_updates_its_visit(db, world, setting, signed_in):
    client = signed_in("officer")
    run(client, uploaded(client, csv_text(*GOOD_ROWS)))
    before = imported(db)
    changed = [row(**{**GOOD_ROWS[0], "start": "11:00", "end": "13:00",
                      "operatives": "operative@acme.test",
                      "steps": "Drain the system|Bleed the radiators|Fit the radiator"}),
               *GOOD_ROWS[1:]]
    import_id = uploaded(client, csv_text(*changed))
    text = preview_text(client, import_id)
    assert "3 rows: 0 new, 1 to update, 2 unchanged, 0 with problems." in text
    assert (f"2 IMP-1 Ann Hundred T-100 {day_in_words(today_local() + timedelta(days=1))}"
            ", 11:00 to 13:00 Will update the booked visit") in text
    run(client, import_id)
    after = imported(db)
    assert {job: v["id"] for job, v in after.items()} == {job: v["id"]
                                                          for job, v in before.items()}
    first = after["IMP-1"]
    assert first["starts_at"] == local_to_utc_iso(today_local() + timedelta(days=1), time(11))
    assert operatives_of(db, first["id"]) == {world.users["operative"]}
    assert steps_of(db, first["id"]) == [(1, "Drain the system"), (2, "Bleed the radiators"),
                                         (3, "Fit the radiator")]
    assert dict(after["IMP-2"]) == dict(before["IMP-2"])


# A bad row between two good ones: what the preview says about it, row number first.
BAD_ROWS = [
    ({"tenancy_ref": "T-999"}, "Row 3, tenancy_ref: no resident has the tenancy reference T-999"),
    ({"tenancy_ref": "T-900"}, "Row 3, tenancy_ref: no resident has the tenancy reference T-900"),
    ({"firm": "Nobody Ltd"}, "Row 3, firm: no contractor firm is called Nobody Ltd"),
    ({"firm": "Faraway Fixers"}, "Row 3, firm: no contractor firm is called Faraway Fixers"),
    ({"date": "31/02/2027"}, "Row 3, date: enter a date like 2026-11-30 or 30/11/2026"),
    ({"date": "next week"}, "Row 3, date: enter a date like 2026-11-30 or 30/11/2026"),
    ({"date": day(-1)}, "Row 3, date: the date is in the past"),
    ({"start": "10am"}, "Row 3, start: enter a time like 10:00"),
    ({"end": "24:30"}, "Row 3, end: enter a time like 10:00"),
    ({"start": "12:00", "end": "10:00"}, "Row 3, end: the window must end after it starts"),
    ({"operatives": "nobody@acme.test"},
     "Row 3, operatives: no active operative has the badge or email nobody@acme.test"),
    ({"operatives": "operative@faraway.test"},
     "Row 3, operatives: no active operative has the badge or email operative@faraway.test"),
    ({"operatives": "operative@brightside.test"},
     "Row 3, operatives: operative@brightside.test does not work for the firm on this row"),
    ({"operatives": "B-1"},
     "Row 3, operatives: more than one operative has the badge B-1; use their email instead"),
    ({"job_ref": "IMP-1"}, "Row 3, job_ref: IMP-1 is also on row 2; each job can appear once"),
    ({"job_ref": ""}, "Row 3, job_ref: enter the job reference"),
    ({"tenancy_ref": ""}, "Row 3, tenancy_ref: enter the resident's tenancy reference"),
    ({"date": ""}, "Row 3, date: enter the date of the visit"),
    ({"start": ""}, "Row 3, start: enter the time the window starts"),
    ({"end": ""}, "Row 3, end: enter the time the window ends"),
    ({"trade": ""}, "Row 3, trade: enter the trade"),
    ({"firm": ""}, "Row 3, firm: enter the contractor firm"),
    ({"trade": "t" * 61}, "Row 3, trade: must be 60 characters or fewer"),
    ({"pre_visit": "maybe"}, "Row 3, pre_visit: enter yes or no"),
    ({"notes": "Resident has PTSD"},
     "Row 3, notes: write what the operative should do, not a diagnosis or health condition"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_ROWS)
def test_bad_rows_are_explained_and_the_good_rows_still_import(db, setting, signed_in,
                                                               changes, message):
    client = signed_in("officer")
    mixed = csv_text(GOOD_ROWS[0], row(**{"job_ref": "IMP-BAD", **changes}), GOOD_ROWS[1])
    import_id = uploaded(client, mixed)
    text = preview_text(client, import_id)
    assert message in text
    assert "3 rows: 2 new, 0 to update, 0 unchanged, 1 with problems." in text
    assert "Not imported" in text and "Import 2 rows" in text
    run(client, import_id)
    assert sorted(imported(db)) == ["IMP-1", "IMP-2"]
    assert "IMP-BAD" not in [r[0] for r in db.execute("SELECT job_ref FROM visits")]


def test_a_job_cancelled_in_fieldapp_is_not_booked_again_by_import(db, setting, signed_in):
    client = signed_in("officer")
    run(client, uploaded(client, csv_text(GOOD_ROWS[0])))
    db.execute("UPDATE visits SET status = 'cancelled' WHERE job_ref = 'IMP-1'")
    import_id = uploaded(client, csv_text(GOOD_ROWS[0]))
    text = preview_text(client, import_id)
    assert "Row 2, job_ref: this job's visit was cancelled; book it again by hand" in text
    run(client, import_id)
    assert imported(db)["IMP-1"]["status"] == "cancelled"


FILE_ERRORS = [
    (None, "Select a CSV file"),
    (b"", "The selected file is empty"),
    (b"\n\n", "The selected file is empty"),
    (csv_text(GOOD_ROWS[0]).split("\n", 1)[1].encode(), "The file has no column called job_ref"),
    (b"job_ref,tenancy_ref,date\nIMP-1,T-100,2030-01-01\n",
     "The file has no column called start, end, trade, firm"),
    (",".join(COLUMNS).encode() + b"\n", "The file has no rows of visits under its first row"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "The file is not a CSV file"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "The file is not a CSV file"),
    (b'"' + b"x" * 200_000, "The file is not a CSV file"),
]


@pytest.mark.parametrize(("content", "message"), FILE_ERRORS)
def test_a_file_that_cannot_be_read_is_explained_on_the_upload_page(db, signed_in, content,
                                                                   message):
    before = db.execute("SELECT count(*) FROM visit_imports").fetchone()[0]
    client = signed_in("officer")
    if content is None:
        response = post_form(client, "/schedule/import", {}, content_type="multipart/form-data")
    else:
        response = upload(client, content)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert "<title>Error: Import visits" in html
    assert_field_error(html, "file", message)
    assert db.execute("SELECT count(*) FROM visit_imports").fetchone()[0] == before


def test_a_spreadsheet_saved_as_windows_1252_is_read(db, setting, signed_in):
    client = signed_in("officer")
    content = csv_text(row(job_ref="IMP-1", notes="Café at the corner: park there"))
    run(client, uploaded(client, content.encode("cp1252")))
    assert imported(db)["IMP-1"]["notes_for_operative"] == "Café at the corner: park there"


def test_another_landlords_officer_cannot_preview_or_run_an_import(db, setting, signed_in):
    import_id = uploaded(signed_in("officer"), csv_text(*GOOD_ROWS))
    before = snapshot(db)
    other = signed_in("other_landlord_officer")
    assert other.get(f"/schedule/import/{import_id}").status_code == 404
    response = post_form(other, f"/schedule/import/{import_id}", page_url="/schedule/import")
    assert response.status_code == 404
    assert snapshot(db) == before
    assert db.execute("SELECT imported_at FROM visit_imports WHERE id = ?",
                      (import_id,)).fetchone()[0] is None


def test_another_landlords_import_never_matches_riverside_records(db, setting, signed_in):
    client = signed_in("other_landlord_officer")
    text = preview_text(client, uploaded(client, csv_text(*GOOD_ROWS)))
    assert "3 rows: 0 new, 0 to update, 0 unchanged, 3 with problems." in text
    assert "no resident has the tenancy reference T-100" in text
    assert "no contractor firm is called Acme Repairs" in text


def test_five_thousand_rows_import_in_one_go(db, setting, signed_in):
    client = signed_in("officer")
    rows = [row(job_ref=f"BULK-{n:05d}", date=day(1 + n % 60), start=f"{8 + n % 8}:00",
                end=f"{9 + n % 8}:30", operatives="dan@acme.test",
                steps="Isolate the supply|Fix the leak") for n in range(5000)]
    import_id = uploaded(client, csv_text(*rows))
    assert "5000 rows: 5000 new" in preview_text(client, import_id)
    run(client, import_id)
    count = db.execute("SELECT count(*) FROM visits WHERE job_ref LIKE 'BULK-%'").fetchone()[0]
    assert count == 5000
    assert db.execute("SELECT count(*) FROM work_steps JOIN visits ON visits.id = visit_id"
                      " WHERE job_ref LIKE 'BULK-%'").fetchone()[0] == 10_000
    assert db.execute("SELECT count(*) FROM visit_operatives WHERE user_id = ?",
                      (setting["dan"],)).fetchone()[0] == 5000


@pytest.mark.parametrize("step", ["upload", "import"])
def test_an_import_is_not_saved_when_its_audit_row_cannot_be(db, world, setting, signed_in,
                                                             step):
    client = signed_in("officer")
    import_id = uploaded(client, csv_text(*GOOD_ROWS))
    token = csrf_token_from(client.get("/schedule/import").get_data(as_text=True))
    url, data = {
        "upload": ("/schedule/import", {"file": (io.BytesIO(csv_text(*GOOD_ROWS).encode()),
                                                 "jobs.csv")}),
        "import": (f"/schedule/import/{import_id}", {}),
    }[step]
    assert_nothing_kept_when_audit_refused(
        db, ("visit_imports", "visits", "visit_operatives", "work_steps"),
        lambda: client.post(url, data={"csrf_token": token, **data},
                            content_type="multipart/form-data"))
