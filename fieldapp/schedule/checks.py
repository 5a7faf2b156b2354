"""What a booking is checked against before it is stored, for the visit form and the import
alike: the resident's own timing adjustment, their other booked visits, and the operatives'
other bookings. Each problem is a warning the officer may confirm ("Book anyway"), not a refusal:
the officer may have agreed the time with the resident."""

import hashlib
from datetime import date, datetime, timedelta

from fieldapp.adjustments.queries import (
    residents_asking_for_female_operative,
    timing_of_residents,
)
from fieldapp.core.catalogues import timing_broken
from fieldapp.core.clock import to_local
from fieldapp.pathways.queries import booked_visits_between, supported_residents
from fieldapp.schedule.queries import booked_visits_overlapping, pauses_overlapping

# The supported pathway: at most one visit in any seven days, unless the resident asked for more.
PATHWAY_WEEK = timedelta(days=7)


def day_in_words(day: date) -> str:
    """"Thursday 4 December": how people say a day."""
    return f"{day:%A} {day.day} {day:%B}"


def window_in_words(starts_at: str, ends_at: str) -> str:
    starts, ends = to_local(starts_at), to_local(ends_at)
    return f"{day_in_words(starts.date())}, {starts:%H:%M} to {ends:%H:%M}"


class BookingChecks:
    """Everything a window is checked against, read once: for one booking or a whole file."""

    def __init__(self, db, landlord_id: int, resident_ids, starts_at: str, ends_at: str):
        resident_ids = sorted(set(resident_ids))
        self.timing = timing_of_residents(db, resident_ids)
        self.female_requested = residents_asking_for_female_operative(db, resident_ids)
        self.pauses: dict[int, list] = {}
        for pause in pauses_overlapping(db, resident_ids, starts_at, ends_at):
            self.pauses.setdefault(pause["resident_id"], []).append(pause)
        # By resident and by operative, so a file of thousands of rows reads only its own.
        self.by_resident: dict[int, list[dict]] = {}
        self.by_operative: dict[int, list[dict]] = {}
        for visit in booked_visits_overlapping(db, landlord_id, starts_at, ends_at):
            self.by_resident.setdefault(visit["resident_id"], []).append(visit)
            for operative_id in visit["operatives"]:
                self.by_operative.setdefault(operative_id, []).append(visit)
        # The supported pathway: its residents' other visits in the week either side, and
        # their pre-visits (held before any works visit), whenever they are.
        self.supported = supported_residents(db, resident_ids)
        week_before = _shifted(starts_at, -PATHWAY_WEEK)
        week_after = _shifted(ends_at, PATHWAY_WEEK)
        self.pathway_visits: dict[int, list] = {}
        for visit in booked_visits_between(db, list(self.supported), "", "9999"):
            if visit["pre_visit"] or week_before < visit["starts_at"] < week_after:
                self.pathway_visits.setdefault(visit["resident_id"], []).append(visit)

    def refusals(self, resident_id: int) -> list[str]:
        """What stops a new booking outright: a supported resident with no single point of
        contact (their officer is the one person every visit is arranged through)."""
        resident = self.supported.get(resident_id)
        if resident and not resident["has_contact"]:
            return [f"{resident['name']} is on the supported pathway and has no single point "
                    "of contact. Name their officer in their details, then book"]
        return []

    def pathway_warnings(self, resident_id: int, starts_at: str, pre_visit: bool,
                         except_visit: int | None = None) -> list[str]:
        resident = self.supported.get(resident_id)
        if resident is None:
            return []
        others = [v for v in self.pathway_visits.get(resident_id, []) if v["id"] != except_visit]
        found = []
        if not pre_visit and not any(v["pre_visit"] and v["starts_at"] < starts_at
                                     for v in others):
            found.append(f"{resident['name']} is on the supported pathway: book a pre-visit "
                         "(a short meeting, no work) before any works visit")
        if not resident["pathway_more_visits"]:
            week = [v for v in others
                    if abs(_parsed(v["starts_at"]) - _parsed(starts_at)) < PATHWAY_WEEK]
            found += [f"{resident['name']} is on the supported pathway, with at most one visit "
                      f"a week, and already has {v['job_ref']}, "
                      f"{window_in_words(v['starts_at'], v['ends_at'])}" for v in week]
        return found

    def warnings(self, resident_id: int, starts_at: str, ends_at: str, operatives,
                 except_visit: int | None = None, pre_visit: bool = False) -> list[str]:
        found = [problem[0].upper() + problem[1:] for problem in timing_broken(
            self.timing.get(resident_id, {}), to_local(starts_at), to_local(ends_at))]
        found += self.pathway_warnings(resident_id, starts_at, pre_visit, except_visit)

        found += [pause_warning(p) for p in self.pause_of(resident_id, starts_at, ends_at)]

        def overlapping(visits):
            return [v for v in visits if v["id"] != except_visit
                    and v["starts_at"] < ends_at and v["ends_at"] > starts_at]

        found += [f"{v['resident_name']} already has a visit booked at an overlapping time: "
                  f"{v['job_ref']}, {window_in_words(v['starts_at'], v['ends_at'])}"
                  for v in overlapping(self.by_resident.get(resident_id, []))]
        for operative_id in operatives:
            found += [f"{v['operatives'][operative_id]} is already booked at an overlapping "
                      f"time: {v['job_ref']}, {window_in_words(v['starts_at'], v['ends_at'])}"
                      for v in overlapping(self.by_operative.get(operative_id, []))]
        return found

    def pause_of(self, resident_id: int, starts_at: str, ends_at: str) -> list:
        """The resident's pauses this window falls in (dates only)."""
        return [p for p in self.pauses.get(resident_id, [])
                if p["starts_at"] < ends_at and (p["ends_at"] is None or p["ends_at"] > starts_at)]


def pause_warning(pause) -> str:
    until = (f"until {day_in_words(date.fromisoformat(pause['ends_on']))}" if pause["ends_on"]
             else "with no end date yet")
    return (f"Visits for this resident are paused from "
            f"{day_in_words(date.fromisoformat(pause['starts_on']))} {until}. Book only work "
            f"that cannot wait, and say why")


def fingerprint(warnings: list[str]) -> str:
    """Names the warnings an officer saw, so "Book anyway" confirms these and no others."""
    return hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:16] if warnings else ""


def _parsed(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def _shifted(stamp: str, by: timedelta) -> str:
    return (_parsed(stamp) + by).isoformat(timespec="seconds")
