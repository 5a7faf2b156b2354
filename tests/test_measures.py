"""Measures against a data set whose figures are worked out by hand below.

The period is 2 to 29 March 2026 in local time. Clocks go forward at 01:00 UTC on 29 March,
so a visit at 23:30 on 29 March local time is 22:30 UTC (in), and one at 00:30 on 30 March
local time is 23:30 UTC on 29 March (out): periods are local days, not UTC days.
"""

import csv
import io
import random
import re
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from fieldapp.adjustments.queries import create_adjustment
from fieldapp.core.clock import LOCAL_ZONE, day_bounds_utc
from fieldapp.core.csvout import FORMULA_STARTS, csv_text
from fieldapp.core.migrations import m120_visit_facts
from fieldapp.logs.queries import create_log
from fieldapp.measures.periods import Period
from fieldapp.measures.queries import (
    KEEPERS,
    figures,
    kept_visits_in_period,
    recount,
    summary_is_kept,
    visits_in_period,
)
from fieldapp.pauses.private import create_pause
from fieldapp.pauses.queries import set_end
from fieldapp.schedule.queries import cancel_visit, move_visit

from factories import add_resident, add_visit
from pages import check_page

PERIOD = "/measures?period=custom&first=2026-03-02&last=2026-03-29"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_ZONE)


def log(db, visit: int, author: int, outcome: str, distress: str = "none", reason=None,
        concerns=(), amends=None) -> int:
    return create_log(db, client_id=str(uuid.uuid4()), visit_id=visit, author_id=author,
                      outcome=outcome, no_access_reason=reason, distress=distress,
                      payload_hash="x", created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                      amends_log_id=amends, concerns=concerns)


def alert(db, resident: int, severity: str, created: str, acknowledged=None, escalated=None,
          log_id=None, visit_id=None, copy_of=None) -> int:
    return db.execute(
        "INSERT INTO alerts (resident_id, officer_id, log_id, visit_id, severity, reasons,"
        " status, created_at, acknowledged_at, escalated_at, escalated_from)"
        " VALUES (?, NULL, ?, ?, ?, 'x', ?, ?, ?, ?, ?)",
        (resident, log_id, visit_id, severity, "acknowledged" if acknowledged else "new",
         created, acknowledged, escalated, copy_of)).lastrowid


@pytest.fixture
def march(db, world):
    riverside, acme, brightside = (world.orgs[k] for k in ("riverside", "acme", "brightside"))
    officer, operative = world.users["officer"], world.users["operative"]
    a = add_resident(db, riverside, officer, name="Ann Able")
    b = add_resident(db, riverside, officer, name="Bob Baker")
    x = add_resident(db, world.orgs["elsewhere"], None, name="Xena Other")

    def visit(resident, firm, trade, starts, status="booked"):
        begin = local(starts)
        return add_visit(db, resident, firm, [operative], begin, begin.replace(
            hour=min(begin.hour + 1, 23), minute=59), trade=trade, status=status)

    v = {
        "v1": visit(a, acme, "Plumbing", "2026-03-02T09:00"),
        "v2": visit(a, acme, "Heating", "2026-03-09T10:00"),
        "v3": visit(a, acme, "Heating", "2026-03-16T10:00"),
        "v4": visit(b, brightside, "Plumbing", "2026-03-10T14:00"),
        "v5": visit(b, brightside, "Roofing", "2026-03-20T09:00", status="cancelled"),
        "v6": visit(b, acme, "Roofing", "2026-03-29T23:30"),   # last local day: in
        "v7": visit(b, acme, "Roofing", "2026-03-30T00:30"),   # 23:30 UTC on the 29th: out
        "v8": visit(a, acme, "Carpentry", "2026-03-01T23:30"),  # the day before: out
        "x1": visit(x, world.orgs["faraway"], "Plumbing", "2026-03-05T09:00"),
    }
    log(db, v["v1"], operative, "completed")
    l2 = log(db, v["v2"], operative, "no_access", reason="no_answer")
    log(db, v["v3"], operative, "no_access", reason="no_answer")
    first = log(db, v["v4"], operative, "completed")
    l4 = log(db, v["v4"], operative, "stopped_distress", "significant", concerns=["self_neglect"],
             amends=first)  # the changed log is the one that counts
    log(db, v["x1"], operative, "no_access", reason="no_answer")  # another landlord's
    alert(db, b, "urgent", "2026-03-10T15:00:00+00:00", "2026-03-10T15:10:00+00:00", log_id=l4)
    alert(db, a, "reach_out", "2026-03-09T12:00:00+00:00", "2026-03-09T13:00:00+00:00",
          log_id=l2)
    escalated = alert(db, b, "urgent", "2026-03-10T15:00:00+00:00", "2026-03-10T15:40:00+00:00",
                      "2026-03-10T15:31:00+00:00", log_id=l4)
    alert(db, b, "urgent", "2026-03-10T15:31:00+00:00", copy_of=escalated, log_id=l4)
    alert(db, b, "reach_out", "2026-03-25T09:00:00+00:00", visit_id=v["v6"])
    alert(db, x, "urgent", "2026-03-05T10:00:00+00:00")  # another landlord's
    db.execute("INSERT INTO rebook_requests (visit_id, created_at) VALUES (?, 'x'), (?, 'x')",
               (v["v6"], v["v7"]))
    for visit_key, answers in [("v1", ("yes", "yes", "partly")), ("v4", ("no", None, "no")),
                               ("v7", ("yes", "yes", "yes"))]:
        db.execute("INSERT INTO visit_feedback (visit_id, felt_safe, listened_to, in_control,"
                   " created_at, updated_at) VALUES (?, ?, ?, ?, 'x', 'x')",
                   (v[visit_key], *answers))
    db.execute("UPDATE adjustments SET review_due = '2099-01-01'")
    create_adjustment(db, a, "noise_warning", officer, {
        "parameters": {}, "detail": "", "consent_given_by": "resident", "consent_how": "in_person",
        "consent_on": "2025-01-01", "review_due": "2026-01-01"}, created_at="x")
    return v


def figures_csv(client, url: str) -> dict:
    response = client.get(url.replace("/measures?", "/measures/export.csv?what=figures&"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    return {row[0]: row[1:] for row in rows[1:]}


def test_every_measure_matches_the_hand_worked_figures(signed_in, march):
    client = signed_in("officer")
    page = client.get(PERIOD)
    assert page.status_code == 200
    check_page(page.get_data(as_text=True))
    got = figures_csv(client, PERIOD)
    # Booked v1 v2 v3 v4 v6; cancelled v5; logged v1 v2 v3 v4 (v4 by its changed log).
    assert got["visits booked"][0] == "5" and got["visits cancelled"][0] == "1"
    assert got["visits logged"][0] == "4"
    # No access: v2, v3 of 4 logged; both "no answer"; Ann twice: one resident repeats.
    assert got["no-access rate"] == ["50", "2", "4"]
    assert got["no-access reason: No answer"][0] == "2"
    assert got["residents with repeated no access"][0] == "1"
    assert got["visits stopped (distress or safety)"][0] == "1"
    assert got["distress: None"][0] == "3" and got["distress: Significant"][0] == "1"
    assert got["concerns: Adult safeguarding"][0] == "1"
    # First visits for a resident and trade, logged: v1 (completed), v2, v4: 1 of 3.
    assert got["completed at the first visit"] == ["33", "1", "3"]
    assert got["rebook requests"][0] == "1"  # v6; v7 is outside the period
    # Alerts raised in the period, not counting the duty copy: urgent 2, reach out 2.
    assert got["alerts: urgent"][0] == "2" and got["alerts: reach_out"][0] == "2"
    assert got["urgent alerts escalated"][0] == "1"
    # Acknowledged after 10, 60 and 40 minutes: median 40; 90th percentile 40 + 0.8 x 20 = 56.
    assert got["minutes to acknowledge (median)"] == ["40", "", "3"]
    assert got["minutes to acknowledge (p90)"] == ["56", "", "3"]
    # Feedback on v1 and v4 (v7 is outside): safe yes 1 of 2; listened 1 of 1; control 0 of 2.
    assert got["feedback felt_safe: yes"] == ["50", "1", "2"]
    assert got["feedback listened_to: yes"] == ["100", "1", "1"]
    assert got["feedback in_control: yes"] == ["0", "0", "2"]
    assert got["adjustments overdue for review"][0] == "1"
    # Weeks from Monday 2 March: v1 | v2 v4 (v2 no access) | v3 (no access) | v6 on Sunday 29.
    assert [got[f"week of 2026-03-{d:02d}"][:2] for d in (2, 9, 16, 23)] == [
        ["1", "0"], ["2", "1"], ["1", "1"], ["1", "0"]]


def test_one_firm_only(signed_in, march, world):
    client = signed_in("officer")
    got = figures_csv(client, f"{PERIOD}&firm={world.orgs['acme']}")
    # Acme: v1 v2 v3 v6 booked, v1 v2 v3 logged, two without access; alerts about v2 and v6.
    assert got["visits booked"][0] == "4" and got["visits cancelled"][0] == "0"
    assert got["no-access rate"] == ["67", "2", "3"]
    assert got["alerts: reach_out"][0] == "2" and "alerts: urgent" not in got


def test_a_period_with_no_visits_says_so_without_dividing_by_zero(signed_in, march):
    client = signed_in("officer")
    html = client.get("/measures?period=custom&first=2020-01-01&last=2020-01-31").get_data(
        as_text=True)
    check_page(html)
    assert "No data" in html
    got = figures_csv(client, "/measures?period=custom&first=2020-01-01&last=2020-01-31")
    assert got["visits booked"][0] == "0" and got["no-access rate"] == ["", "0", "0"]


def test_another_landlord_sees_only_its_own(signed_in, march):
    got = figures_csv(signed_in("other_landlord_officer"), PERIOD)
    # Only the other landlord's x1 (no access) and its urgent alert.
    assert got["visits booked"][0] == "1" and got["no-access rate"] == ["100", "1", "1"]
    assert got["alerts: urgent"][0] == "1"


def test_the_logs_export_has_no_names_notes_or_free_text_and_is_audited(signed_in, db, march):
    db.execute("UPDATE visit_logs SET note = 'Private: she cried', follow_up = 'Call her GP'")
    client = signed_in("officer")
    response = client.get(PERIOD.replace("/measures?", "/measures/export.csv?what=logs&"))
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["visit date", "trade", "visit status", "outcome", "no-access reason",
                       "distress", "concern categories"]
    assert [row[0] for row in rows[1:]] == ["2026-03-02", "2026-03-09", "2026-03-10",
                                            "2026-03-16", "2026-03-20", "2026-03-29"]
    assert rows[3][2:] == ["logged", "Stopped - resident distressed", "", "Significant",
                           "Adult safeguarding"]
    for secret in ("Ann Able", "Bob Baker", "she cried", "GP", "Self-neglect"):
        assert secret not in text
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'measures_exported'"
                      ).fetchone()[0] == 1


def test_the_logs_export_gives_every_visits_real_status(signed_in, db, march):
    """Booked and not logged yet, logged (with its outcome), or cancelled: every visit of the
    period is a row, so a visit nobody logged is not missing from the file."""
    client = signed_in("officer")
    response = client.get(PERIOD.replace("/measures?", "/measures/export.csv?what=logs&"))
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    by_trade_and_day = {(row[1], row[0]): row[2:4] for row in rows[1:]}
    assert by_trade_and_day[("Plumbing", "2026-03-02")] == ["logged", "Completed"]
    assert by_trade_and_day[("Roofing", "2026-03-20")] == ["cancelled", ""]
    assert by_trade_and_day[("Roofing", "2026-03-29")] == ["booked", ""]
    assert {row[2] for row in rows[1:]} == {"logged", "cancelled", "booked"}


@pytest.mark.parametrize(("query", "field", "message"), [
    ("first=&last=2026-03-01", "first", "Enter the start date"),
    ("first=2026-02-30&last=2026-03-01", "first", "Enter a real date, like 2026-11-23"),
    ("first=2026-03-02&last=2026-03-01", "last", "The end date must be on or after the start"
     " date"),
    ("first=2024-01-01&last=2026-03-01", "last", "Choose a period of 400 days or fewer"),
])
def test_chosen_dates_that_do_not_work_say_why(signed_in, query, field, message):
    response = signed_in("officer").get(f"/measures?period=custom&{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    check_page(html)
    assert f'id="{field}-error"' in html and message in html


HOSTILE = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
           "\tTab", "\rReturn"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_each_export_writes_a_cell_that_could_run_as_a_formula_as_text(signed_in, db, march,
                                                                     hostile):
    """A trade typed at the door (logs export) or a catalogue label (figures export) that
    starts like a formula arrives in the spreadsheet as text: a quote in front, nothing lost."""
    db.execute("UPDATE visits SET trade = ? WHERE starts_at LIKE '2026-03-02%'", (hostile,))
    db.execute("UPDATE visit_outcomes SET label = ? WHERE code = 'completed'", (hostile,))
    client = signed_in("officer")
    logs = client.get(PERIOD.replace("/measures?", "/measures/export.csv?what=logs&"))
    rows = list(csv.reader(io.StringIO(logs.get_data(as_text=True))))
    assert rows[1][1] == "'" + hostile and rows[1][3] == "'" + hostile
    got = figures_csv(client, PERIOD)
    assert got[f"outcome: {hostile}"][0] == "1"  # behind its name: never a formula
    for row in rows + [[name, *cells] for name, cells in got.items()]:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or re.fullmatch(r"-?\d+(\.\d+)?", cell)


def test_numbers_in_an_export_stay_numbers():
    assert csv_text([[-3, 12.5, "-4", "-0.5", "-1+1", "", None]]) == "-3,12.5,-4,-0.5,'-1+1,,\r\n"


@pytest.mark.parametrize("query", ["first=../../x&last=2026-03-01", "first=2026-02-30",
                                   "first=2026-03-02&last=2026-03-01"])
@pytest.mark.parametrize("what", ["figures", "logs"])
def test_the_export_refuses_dates_the_page_refuses(signed_in, db, query, what):
    client = signed_in("officer")
    page = client.get(f"/measures?period=custom&{query}")
    export = client.get(f"/measures/export.csv?what={what}&period=custom&{query}")
    assert page.status_code == export.status_code == 422
    assert export.mimetype == "text/html"
    assert 'class="error-summary"' in export.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'measures_exported'"
                      ).fetchone()[0] == 0


def week_rows(html: str) -> list[str]:
    table = html.split("Visits by week</caption>")[1].split("</tbody>")[0]
    return re.findall(r"<tr><td>([^<]+)</td>", table)


def test_a_period_starting_mid_week_marks_its_first_week_as_a_part_week(signed_in, march):
    html = signed_in("officer").get(
        "/measures?period=custom&first=2026-03-04&last=2026-03-29").get_data(as_text=True)
    assert week_rows(html) == ["Part week: Wednesday 4 to Sunday 8 March", "Week of 9 March",
                               "Week of 16 March", "Week of 23 March"]


def test_a_period_starting_on_a_monday_has_no_part_week(signed_in, march):
    html = signed_in("officer").get(PERIOD).get_data(as_text=True)
    assert week_rows(html)[0] == "Week of 2 March" and "Part week" not in html


@pytest.mark.parametrize(("first", "last", "label"), [
    ("2026-02-26", "2026-03-29", "Part week: Thursday 26 February to Sunday 1 March"),
    ("2026-03-04", "2026-03-06", "Part week: Wednesday 4 to Friday 6 March"),
    ("2026-03-08", "2026-03-20", "Part week: Sunday 8 March"),
])
def test_a_part_week_says_its_dates_in_words(first, last, label):
    period = Period(date.fromisoformat(first), date.fromisoformat(last), "Chosen dates")
    assert period.week_label(period.weeks()[0]) == label


def plain(value):
    """Every figure as plain data (Counters as dicts, so a zero is not taken for a missing
    entry), to compare the kept summary with a recount field by field."""
    if isinstance(value, Counter):
        return dict(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {name: plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


def assert_summary_agrees_with_a_recount(db, landlords, firms, periods) -> None:
    for landlord in landlords:
        for firm in firms:
            for first, last in periods:
                period = Period(date.fromisoformat(first), date.fromisoformat(last), "Chosen")
                assert plain(figures(db, landlord, period, firm)) == plain(
                    recount(db, landlord, period, firm)), (landlord, firm, first, last)
                assert sorted(map(tuple, kept_visits_in_period(db, landlord, period, firm))) \
                    == sorted(map(tuple, visits_in_period(db, landlord, period, firm)))


def test_the_kept_summary_and_a_full_recount_agree_on_every_hand_worked_figure(db, world,
                                                                             march):
    result = figures(db, world.orgs["riverside"], Period(date(2026, 3, 2), date(2026, 3, 29),
                                                          "Chosen"))
    assert (result.booked, result.logged, result.repeated_no_access) == (5, 4, 1)
    assert result.first_visit_completed.count == 1 and result.rebook_requests == 1
    assert result.acknowledge_minutes == {"median": 40, "p90": 56, "count": 3}
    assert_summary_agrees_with_a_recount(
        db, [world.orgs["riverside"], world.orgs["elsewhere"]],
        [None, world.orgs["acme"], world.orgs["brightside"]],
        [("2026-03-02", "2026-03-29"), ("2026-03-04", "2026-03-15"),
         ("2026-02-01", "2026-04-30"), ("2020-01-01", "2020-01-31")])


def test_the_summary_keeps_up_with_logs_changes_cancellations_moves_and_pauses(db, world):
    """A random month of visits, then every kind of write that changes a figure: the kept
    summary and a recount from the records agree after each round."""
    rng = random.Random(2026)
    riverside, firms = world.orgs["riverside"], [world.orgs["acme"], world.orgs["brightside"]]
    officer, operative = world.users["officer"], world.users["operative"]
    residents = [add_resident(db, riverside, officer, name=f"Resident {n}") for n in range(6)]
    visits, logs = [], {}
    for _ in range(50):
        starts = local("2026-03-01T08:00") + timedelta(days=rng.randrange(40),
                                                       hours=rng.randrange(12))
        visits.append(add_visit(db, rng.choice(residents), rng.choice(firms), [operative],
                                starts, starts + timedelta(hours=1),
                                trade=rng.choice(["Plumbing", "Heating", "Roofing"]),
                                pre_visit=rng.random() < 0.1))

    def log_some(chosen):
        for visit in chosen:
            outcome = rng.choice(["completed", "completed", "no_access", "no_access",
                                  "stopped_distress", "partly_completed", "not_attended"])
            logs[visit] = log(db, visit, operative, outcome,
                              rng.choice(["none", "some", "significant"]),
                              reason="no_answer" if outcome == "no_access" else None,
                              concerns=["self_neglect"] if rng.random() < 0.2 else (),
                              amends=logs.get(visit))
            if rng.random() < 0.4:
                created = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(
                    days=rng.randrange(40), minutes=rng.randrange(600))
                alert(db, residents[0], rng.choice(["urgent", "reach_out"]),
                      created.isoformat(timespec="seconds"),
                      (created + timedelta(seconds=rng.randrange(60, 9000))).isoformat(
                          timespec="seconds") if rng.random() < 0.8 else None,
                      log_id=logs[visit])

    def pause_from(resident, first: str) -> int:
        return create_pause(db, resident, officer, {
            "reason": "hospital", "starts_on": first, "ends_on": None,
            "starts_at": day_bounds_utc(date.fromisoformat(first))[0], "ends_at": None,
            "told_by": "resident", "consent_given_by": "resident", "consent_how": "phone",
            "consent_on": first})

    def agree():
        assert_summary_agrees_with_a_recount(
            db, [riverside], [None, *firms],
            [("2026-03-01", "2026-04-15"), ("2026-03-09", "2026-03-22")])

    log_some(rng.sample(visits, 35))
    pause = pause_from(residents[0], "2026-03-10")
    agree()
    log_some(rng.sample(sorted(logs), 10))  # changed logs replace the first
    for visit in rng.sample(visits, 6):
        cancel_visit(db, visit, "resident_asked")
    for visit in rng.sample(visits, 8):  # moved: another week, and maybe first for the trade
        starts = local("2026-03-01T08:00") + timedelta(days=rng.randrange(40))
        move_visit(db, visit, starts.astimezone(UTC).isoformat(timespec="seconds"),
                   (starts + timedelta(hours=1)).astimezone(UTC).isoformat(timespec="seconds"))
    set_end(db, pause, "2026-03-20", day_bounds_utc(date(2026, 3, 20))[0])
    pause_from(residents[1], "2026-03-25")
    agree()


def test_the_summary_is_filled_from_the_records_a_database_already_holds(db, world, march):
    """On a database with visits and logs already, the migration fills the summary with them."""
    for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                          " AND name LIKE '%facts%'").fetchall():
        db.execute(f"DROP TRIGGER {row[0]}")
    db.execute("DROP TABLE visit_facts")
    m120_visit_facts(db)
    assert_summary_agrees_with_a_recount(
        db, [world.orgs["riverside"]], [None, world.orgs["acme"]],
        [("2026-03-02", "2026-03-29"), ("2026-02-01", "2026-04-30")])
    assert figures(db, world.orgs["riverside"], Period(date(2026, 3, 2), date(2026, 3, 29),
                                                        "Chosen")).booked == 5


def test_every_trigger_that_keeps_the_summary_is_there_after_all_migrations(db):
    """A migration that rebuilds visits, logs, pauses or residents drops their triggers: this
    fails until it recreates them (m120 shows how)."""
    names = {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%visit_facts%'")}
    assert names == KEEPERS and summary_is_kept(db)


def test_without_its_triggers_the_page_recounts_rather_than_show_a_stale_summary(
        signed_in, db, world, march):
    db.execute("DROP TRIGGER visit_logs_facts_insert")
    log(db, march["v6"], world.users["operative"], "no_access", reason="no_answer")
    got = figures_csv(signed_in("officer"), PERIOD)
    assert got["visits logged"][0] == "5" and got["no-access rate"] == ["60", "3", "5"]


def test_a_changed_answer_counts_once_by_its_newest_version_in_figures_and_recount(
        signed_in, db, world, march):
    """Every send from a feedback link is kept; measures count one answer a visit, the newest."""
    db.execute("INSERT INTO visit_feedback (visit_id, felt_safe, listened_to, in_control,"
               " created_at, updated_at) VALUES (?, 'yes', 'yes', 'partly', 'y', 'y')",
               (march["v4"],))
    got = figures_csv(signed_in("officer"), PERIOD)
    # v1 (yes, yes, partly) and v4 now (yes, yes, partly): its first "no" counts no more.
    assert got["feedback felt_safe: yes"] == ["100", "2", "2"]
    assert got["feedback listened_to: yes"] == ["100", "2", "2"]
    assert got["feedback in_control: yes"] == ["0", "0", "2"]
    assert_summary_agrees_with_a_recount(
        db, [world.orgs["riverside"]], [None, world.orgs["brightside"]],
        [("2026-03-02", "2026-03-29"), ("2026-02-01", "2026-04-30")])
