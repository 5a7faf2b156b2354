"""CSV import of visits from a repairs system: read, check every row, then apply the good ones.

Keyed by job reference: a row whose job is already booked with the same details changes
nothing, so importing the same file twice changes nothing. The format is in docs/csv-import.md.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from fieldapp.adjustments.forms import HEALTH_TERMS
from fieldapp.adjustments.queries import residents_asking_for_female_operative
from fieldapp.core.clock import LOCAL_ZONE, today_local
from fieldapp.core.db import transaction
from fieldapp.messages import outbox
from fieldapp.residents.queries import residents_with_tenancy_ref
from fieldapp.schedule.checks import BookingChecks, day_in_words
from fieldapp.schedule.forms import parse_clock
from fieldapp.schedule.queries import (
    create_visit,
    firms_of_landlord,
    operatives_of_landlord,
    replace_operatives_and_steps,
    update_imported_visit,
    visits_by_job_ref,
)

# Each required column and what to tell the officer when a row leaves it empty.
REQUIRED_MESSAGES = {
    "job_ref": "enter the job reference",
    "tenancy_ref": "enter the resident's tenancy reference",
    "date": "enter the date of the visit, like 2026-11-30",
    "start": "enter the time the window starts, like 10:00",
    "end": "enter the time the window ends, like 12:00",
    "trade": "enter the trade, like Plumbing",
    "firm": "enter the contractor firm's name",
}
REQUIRED = tuple(REQUIRED_MESSAGES)
# The format page the app serves (and docs/csv-import.md): (column, required, what it holds,
# example). A refused row's message links to its column here.
COLUMN_GUIDE = [
    ("job_ref", True, "The repairs system's job reference. A job already imported is updated, "
     "never doubled.", "ACM-5521"),
    ("tenancy_ref", True, "The resident's tenancy reference, as on their record. Each one "
     "belongs to one resident.", "RH-10002"),
    ("date", True, "The day of the visit, today or later, as YYYY-MM-DD or DD/MM/YYYY.",
     "2026-11-30"),
    ("start", True, "When the window starts, in 24-hour hours and minutes (UK time).", "10:00"),
    ("end", True, "When the window ends, after the start.", "12:00"),
    ("trade", True, "The trade or type of work, up to 60 characters.", "Plumbing"),
    ("firm", True, "The contractor firm's name, as the administrator set it up.",
     "Acme Repairs"),
    ("operatives", False, "Who attends: badge numbers or emails, separated by ;. Where the "
     "resident asked for a female operative, only operatives who can attend are accepted.",
     "ACME-0142; dan@acme.example"),
    ("notes", False, "Practical notes for the operative, up to 1000 characters. Never health "
     "details.", "Use the side door"),
    ("steps", False, "The schedule of works, steps separated by |, in order.",
     "Drain the system | Fit the radiator"),
    ("pre_visit", False, "yes for an introductory visit with no work; no or empty otherwise.",
     "no"),
]
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
MAX_ROWS = 20_000
YES = {"yes", "y", "true", "1"}
NO = {"", "no", "n", "false", "0"}


NOT_CSV = ("The file is not a CSV file. In the spreadsheet, choose Save as, then CSV UTF-8, "
           "and upload that file")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not CSV, missing columns, too many rows)."""


@dataclass
class PlannedRow:
    number: int  # the row number a person sees in a spreadsheet (header is row 1)
    job_ref: str
    errors: list[str] = field(default_factory=list)
    action: str = ""  # "new", "update" or "unchanged" once checked
    visit: dict = field(default_factory=dict)
    operatives: list[int] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    existing_id: int | None = None
    # What the preview shows of the row, as far as it could be read.
    resident_name: str = ""
    tenancy_ref: str = ""
    day: str = ""  # "Thursday 4 December"
    window: str = ""  # "10:00 to 12:00"
    warnings: list[str] = field(default_factory=list)  # imported only with "Book anyway"


def read_rows(text: str) -> list[dict]:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError("The selected file is empty")
    if "\x00" in text:  # a spreadsheet (.xlsx), image or other binary file, not text
        raise ImportFileError(NOT_CSV)
    try:
        return _read_csv(text)
    except csv.Error as error:  # e.g. a quote never closed, so one "field" is the whole file
        raise ImportFileError(NOT_CSV) from error


def _read_csv(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    headers = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED if column not in headers]
    if missing:
        raise ImportFileError("The file has no column called " + ", ".join(missing) +
                              ". The first row must name the columns: see the format guide.")
    reader.fieldnames = headers
    rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    if not rows:
        raise ImportFileError("The file has no rows of visits under its first row")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"The file has {len(rows)} rows; import at most {MAX_ROWS} at once")
    return rows


class Lookups:
    """Everything a row is checked against, read once for the whole file."""

    def __init__(self, db, landlord_id: int):
        self.db, self.landlord_id = db, landlord_id
        self.residents: dict[str, dict] = {}
        for r in residents_with_tenancy_ref(db, landlord_id):
            self.residents[r["tenancy_ref"].lower()] = dict(r)
        self.female_requested = residents_asking_for_female_operative(
            db, [r["id"] for r in self.residents.values()])
        self.firms = {r["name"].lower(): r["id"] for r in firms_of_landlord(db, landlord_id)}
        self.operatives: dict[str, list[tuple[int, int]]] = {}
        self.can_attend_female_requests = set()
        for r in operatives_of_landlord(db, landlord_id):
            for key in {r["email"].lower(), r["badge_number"].lower()} - {""}:
                self.operatives.setdefault(key, []).append((r["id"], r["firm_id"]))
            if r["attends_female_requests"]:
                self.can_attend_female_requests.add(r["id"])
        self.existing = visits_by_job_ref(db, landlord_id)


def plan(text: str, lookups: Lookups, today: date | None = None) -> list[PlannedRow]:
    today = today or today_local()
    planned, seen = [], {}
    for number, row in enumerate(read_rows(text), start=2):
        item = _check_row(number, row, lookups, today)
        if item.job_ref and item.job_ref in seen:
            item.errors.append(f"job_ref: {item.job_ref} is also on row {seen[item.job_ref]}; "
                               "each job can appear once")
        seen.setdefault(item.job_ref, number)
        if not item.errors:
            _decide_action(item, lookups)
        planned.append(item)
    _warn(planned, lookups)
    return planned


def _warn(planned: list[PlannedRow], lookups: Lookups) -> None:
    """The booking's own checks, for every row that would book or move a visit."""
    booking = [p for p in planned if not p.errors and p.action in ("new", "update")]
    if not booking:
        return
    checks = BookingChecks(lookups.db, lookups.landlord_id,
                           [p.visit["resident_id"] for p in booking],
                           min(p.visit["starts_at"] for p in booking),
                           max(p.visit["ends_at"] for p in booking))
    for item in booking:
        if item.action == "new":
            item.errors += checks.refusals(item.visit["resident_id"])
        if item.errors:
            continue
        item.warnings = checks.warnings(item.visit["resident_id"], item.visit["starts_at"],
                                        item.visit["ends_at"], item.operatives,
                                        item.existing_id,
                                        pre_visit=bool(item.visit.get("pre_visit")))


def _check_row(number: int, row: dict, lookups: Lookups, today: date) -> PlannedRow:
    item = PlannedRow(number=number, job_ref=row.get("job_ref", "")[:40])
    errors = item.errors
    errors += [f"{column}: {message}" for column, message in REQUIRED_MESSAGES.items()
               if not row.get(column)]
    resident_id, firm_id = _check_references(row, lookups, errors)
    day, starts, ends = _check_when(row, today, errors)
    resident = lookups.residents.get(row.get("tenancy_ref", "").lower())
    item.resident_name = (resident or {}).get("name", "")
    item.tenancy_ref = (resident or {}).get("tenancy_ref") or row.get("tenancy_ref", "")[:30]
    item.day = day_in_words(day) if day else row.get("date", "")[:20]
    item.window = f"{starts:%H:%M} to {ends:%H:%M}" if starts and ends else ""
    errors += [f"{column}: must be {limit} characters or fewer"
               for column, limit in (("job_ref", 40), ("trade", 60), ("notes", 1000))
               if len(row.get(column, "")) > limit]
    if HEALTH_TERMS.search(row.get("notes", "")):
        errors.append("notes: write what the operative should do, not a diagnosis or health "
                      "condition")
    item.operatives = _operatives(row.get("operatives", ""), firm_id, lookups, errors)
    if resident_id in lookups.female_requested:
        errors += [f"operatives: {key} is not marked as able to attend where a female "
                   "operative is asked for, and this resident asked for one"
                   for key, operative_id in _keys_of(row.get("operatives", ""), lookups)
                   if operative_id in item.operatives
                   and operative_id not in lookups.can_attend_female_requests]
    item.steps = [s.strip()[:200] for s in row.get("steps", "").split("|") if s.strip()]
    pre_visit = row.get("pre_visit", "").lower()
    if pre_visit not in YES | NO:
        errors.append("pre_visit: enter yes or no")
    if not errors:
        item.visit = {"resident_id": resident_id, "firm_id": firm_id, "trade": row["trade"],
                      "starts_at": _utc(day, starts), "ends_at": _utc(day, ends),
                      "notes_for_operative": row.get("notes", ""),
                      "pre_visit": int(pre_visit in YES)}
    return item


def _check_references(row: dict, lookups: Lookups, errors: list[str]):
    resident_id = lookups.residents.get(row.get("tenancy_ref", "").lower(), {}).get("id")
    if row.get("tenancy_ref") and resident_id is None:
        errors.append(f"tenancy_ref: no resident has the tenancy reference {row['tenancy_ref']}")
    firm_id = lookups.firms.get(row.get("firm", "").lower())
    if row.get("firm") and firm_id is None:
        errors.append(f"firm: no contractor firm is called {row['firm']}")
    return resident_id, firm_id


def _check_when(row: dict, today: date, errors: list[str]):
    day = _parse_date(row.get("date", ""))
    if row.get("date") and day is None:
        errors.append("date: enter a date like 2026-11-30 or 30/11/2026")
    elif day is not None and day < today:
        errors.append("date: the date is in the past")
    starts, ends = parse_clock(row.get("start")), parse_clock(row.get("end"))
    errors += [f"{column}: enter a time like 10:00"
               for column, value in (("start", starts), ("end", ends))
               if row.get(column) and value is None]
    if starts and ends and ends <= starts:
        errors.append("end: the window must end after it starts")
    return day, starts, ends


def _operatives(cell: str, firm_id, lookups: Lookups, errors: list[str]) -> list[int]:
    found = []
    for key in filter(None, (part.strip() for part in re.split(r"[;,]", cell))):
        matches = lookups.operatives.get(key.lower(), [])
        if len(matches) > 1:
            errors.append(f"operatives: more than one operative has the badge {key}; "
                          "use their email instead")
            continue
        match = matches[0] if matches else None
        if match is None:
            errors.append(f"operatives: no active operative has the badge or email {key}")
        elif firm_id is not None and match[1] != firm_id:
            errors.append(f"operatives: {key} does not work for the firm on this row")
        elif match[0] not in found:
            found.append(match[0])
    return sorted(found)


def _keys_of(cell: str, lookups: Lookups):
    """(what the row says, the one operative it names) for each operative in the cell."""
    for key in filter(None, (part.strip() for part in re.split(r"[;,]", cell))):
        matches = lookups.operatives.get(key.lower(), [])
        if len(matches) == 1:
            yield key, matches[0][0]


def _parse_date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _utc(day: date, at) -> str:
    return datetime.combine(day, at, LOCAL_ZONE).astimezone(UTC).isoformat(timespec="seconds")


def _decide_action(item: PlannedRow, lookups: Lookups) -> None:
    existing = lookups.existing.get(item.job_ref)
    if existing is None:
        item.action = "new"
        return
    item.existing_id = existing["id"]
    if existing["status"] != "booked":
        item.errors.append("job_ref: this job's visit was cancelled; book it again by hand")
        return
    same = all(existing[k] == v for k, v in item.visit.items()) and \
        existing["operatives"] == item.operatives and existing["steps"] == item.steps
    item.action = "unchanged" if same else "update"


def warnings_of(planned: list[PlannedRow]) -> list[str]:
    """Every row's warnings, each saying its row, in the order the preview shows them."""
    return [f"Row {p.number}: {w}" for p in planned for w in p.warnings]


def apply(db, planned: list[PlannedRow], created_by: int) -> dict:
    """Store every checked row in one transaction; returns counts by action."""
    counts = {"new": 0, "update": 0, "unchanged": 0, "refused": 0}
    with transaction(db):
        for item in planned:
            if item.errors:
                counts["refused"] += 1
                continue
            counts[item.action] += 1
            if item.action == "new":
                item.existing_id = create_visit(
                    db, job_ref=item.job_ref, created_by=created_by, operatives=item.operatives,
                    steps=[{"description": step} for step in item.steps], **item.visit)
                outbox.queue_for_visit(db, item.existing_id, "booked")
            elif item.action == "update":
                update_imported_visit(db, item.existing_id, item.visit)
                replace_operatives_and_steps(db, item.existing_id, item.operatives, item.steps)
                outbox.queue_for_visit(db, item.existing_id, "changed")
    return counts
