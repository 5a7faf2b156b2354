"""Whether a caller is genuine, decided from the database at the moment it is asked: a cancelled
visit, a disabled operative or a changed booking stops a token or a spoken code at once."""

import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime

from itsdangerous import BadSignature

from fieldapp.core.clock import LOCAL_ZONE, day_bounds_utc, to_local
from fieldapp.core.db import query_all, query_one
from fieldapp.core.signing import margin, read_token, spoken_code
from fieldapp.core.words import date_words


@dataclass(frozen=True)
class Confirmation:
    first_name: str
    firm_name: str
    starts: str
    ends: str
    has_doorstep_password: bool
    code: str
    attending: tuple[str, ...] = ()  # first names of everyone coming, the scanned one first
    has_photo: bool = False


@dataclass(frozen=True)
class EarlyScan:
    """A real booking scanned before its check window: who is booked and from when the check
    works, so a genuine caller who is early is not called a stranger. No spoken code yet."""
    first_name: str
    firm_name: str
    day: str  # "today", "tomorrow" or "on Thursday 4 December"
    starts: str
    ends: str
    check_opens: str
    attending: tuple[str, ...] = ()
    has_photo: bool = False
    visit_day: date | None = None  # said in the reader's language by the page
    # The day the check opens ("today", "tomorrow", else "later": the page says opens_date),
    # so a clock time never reads as one that may have passed already today.
    opens_on: str = "today"
    opens_date: date | None = None


@dataclass(frozen=True)
class VerifyOutcome:
    confirmation: Confirmation | None
    landlord: dict | None  # name, phone and web address to show either way, when known
    finished_visit: int | None = None  # a real visit that is over: ask how it felt
    early: EarlyScan | None = None
    operative_id: int | None = None  # who was scanned, when the answer is about a real booking
    language: str | None = None  # the resident's (BCP 47), when the token names their visit


CALLER_QUERY = """
    SELECT visits.starts_at, visits.ends_at, visits.status,
           users.name AS operative_name, users.active AS operative_active,
           EXISTS (SELECT 1 FROM user_photos WHERE user_photos.user_id = users.id) AS has_photo,
           firm.name AS firm_name, residents.doorstep_password != '' AS has_doorstep_password,
           landlord.name AS landlord_name, landlord.main_phone AS landlord_phone,
           landlord.web_address AS landlord_web_address, residents.language
    FROM visits
    JOIN residents ON residents.id = visits.resident_id
    JOIN organisations AS landlord ON landlord.id = residents.landlord_id
    JOIN organisations AS firm ON firm.id = visits.firm_id
    LEFT JOIN visit_operatives ON visit_operatives.visit_id = visits.id
         AND visit_operatives.user_id = ?
    LEFT JOIN users ON users.id = visit_operatives.user_id
    WHERE visits.id = ?
"""

# Everyone coming, by first name only: the resident needs to know how many and who, not
# colleagues' full names. A disabled account is not coming.
ATTENDING_QUERY = """
    SELECT users.name FROM visit_operatives JOIN users ON users.id = visit_operatives.user_id
    WHERE visit_operatives.visit_id = ? AND users.active = 1
    ORDER BY users.id = ? DESC, users.name
"""


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def attending_first_names(db, visit_id: int, scanned_id: int) -> tuple[str, ...]:
    return tuple(first_name(row["name"])
                 for row in query_all(db, ATTENDING_QUERY, (visit_id, scanned_id)))


def check_token(db, token: str, now: datetime | None = None) -> VerifyOutcome:
    """Confirm the caller only if every fact still holds now; otherwise say nothing about why."""
    try:
        visit_id, operative_id, day = read_token(token)
    except (BadSignature, ValueError, TypeError):
        return VerifyOutcome(None, None)
    row = query_one(db, CALLER_QUERY, (operative_id, visit_id))
    if row is None:
        return VerifyOutcome(None, None)
    landlord = {"name": row["landlord_name"], "phone": row["landlord_phone"],
                "web_address": row["landlord_web_address"]}
    now = now or datetime.now(UTC)
    starts, ends = to_local(row["starts_at"]), to_local(row["ends_at"])
    in_window = starts - margin() <= now <= ends + margin()
    today = now.astimezone(LOCAL_ZONE).date().isoformat()
    attending = row["operative_name"] is not None and row["operative_active"]
    booked_for_that_day = row["status"] == "booked" and day == starts.date().isoformat()
    language = row["language"]
    if booked_for_that_day and now > ends + margin():
        return VerifyOutcome(None, landlord, finished_visit=visit_id, language=language)
    if booked_for_that_day and attending and now < starts - margin():
        return VerifyOutcome(None, landlord, early=_early_scan(
            row, starts, ends, now, attending_first_names(db, visit_id, operative_id)),
            operative_id=operative_id, language=language)
    if row["status"] != "booked" or not attending or not in_window \
            or not day == starts.date().isoformat() == today:
        return VerifyOutcome(None, landlord, language=language)
    return VerifyOutcome(Confirmation(
        first_name=first_name(row["operative_name"]), firm_name=row["firm_name"],
        starts=starts.strftime("%H:%M"), ends=ends.strftime("%H:%M"),
        has_doorstep_password=bool(row["has_doorstep_password"]),
        code=spoken_code(visit_id, operative_id, day),
        attending=attending_first_names(db, visit_id, operative_id),
        has_photo=bool(row["has_photo"])), landlord, operative_id=operative_id,
        language=language)


def _early_scan(row, starts: datetime, ends: datetime, now: datetime,
                attending: tuple[str, ...]) -> EarlyScan:
    today = now.astimezone(LOCAL_ZONE).date()
    days_ahead = (starts.date() - today).days
    day = {0: "today", 1: "tomorrow"}.get(days_ahead, "on " + date_words(starts))
    opens = starts - margin()
    return EarlyScan(first_name=first_name(row["operative_name"]), firm_name=row["firm_name"],
                     day=day, starts=starts.strftime("%H:%M"), ends=ends.strftime("%H:%M"),
                     check_opens=opens.strftime("%H:%M"), attending=attending,
                     has_photo=bool(row["has_photo"]), visit_day=starts.date(),
                     opens_on={0: "today", 1: "tomorrow"}.get(
                         (opens.date() - today).days, "later"), opens_date=opens.date())


@dataclass(frozen=True)
class CodeMatch:
    operative_name: str
    firm_name: str
    resident_name: str
    address: str
    starts: str
    ends: str
    in_window: bool
    # Everyone booked on that visit, (name, their firm), so the officer can say who else is
    # coming: a second person at the door is expected, or not.
    attending: tuple[tuple[str, str], ...] = ()


TODAYS_CALLERS_QUERY = """
    SELECT visits.id AS visit_id, visits.starts_at, visits.ends_at,
           users.id AS operative_id, users.name AS operative_name, firm.name AS firm_name,
           own_firm.name AS operative_firm,
           residents.name AS resident_name, residents.address_line1, residents.postcode
    FROM visits
    JOIN residents ON residents.id = visits.resident_id
    JOIN organisations AS firm ON firm.id = visits.firm_id
    JOIN visit_operatives ON visit_operatives.visit_id = visits.id
    JOIN users ON users.id = visit_operatives.user_id AND users.active = 1
    JOIN organisations AS own_firm ON own_firm.id = users.organisation_id
    WHERE residents.landlord_id = ? AND visits.status = 'booked'
      AND visits.starts_at >= ? AND visits.starts_at < ?
    ORDER BY visits.id, users.name
"""


def callers_with_code(db, landlord_id: int, code: str, now: datetime | None = None) -> list:
    """Today's booked callers of this landlord whose spoken code is `code`.

    Codes are derived, not stored, so this computes today's few hundred and compares them.
    """
    now = now or datetime.now(UTC)
    today = now.astimezone(LOCAL_ZONE).date()
    start, end = day_bounds_utc(today)
    matches = []
    rows = query_all(db, TODAYS_CALLERS_QUERY, (landlord_id, start, end))
    attending: dict[int, list[tuple[str, str]]] = {}
    for row in rows:
        attending.setdefault(row["visit_id"], []).append(
            (row["operative_name"], row["operative_firm"]))
    for row in rows:
        expected = spoken_code(row["visit_id"], row["operative_id"], today.isoformat())
        if not hmac.compare_digest(expected, code):
            continue
        starts, ends = to_local(row["starts_at"]), to_local(row["ends_at"])
        matches.append(CodeMatch(
            operative_name=row["operative_name"], firm_name=row["firm_name"],
            resident_name=row["resident_name"],
            address=", ".join(p for p in (row["address_line1"], row["postcode"]) if p),
            starts=starts.strftime("%H:%M"), ends=ends.strftime("%H:%M"),
            in_window=starts - margin() <= now <= ends + margin(),
            attending=tuple(attending[row["visit_id"]])))
    return matches
