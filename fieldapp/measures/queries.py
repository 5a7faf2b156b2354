"""The figures behind /measures, for one landlord and a period (optionally one firm).

Definitions (also on the page, next to each figure):
- A visit counts in the period when it is booked to start in it (local days).
- A visit's outcome is its latest log (a changed log replaces the first for measures).
- A visit's feedback is the newest version sent from its link (every version is kept).
- Alerts count when raised in the period; copies sent to duty officers are not counted twice.
- A no-access at a visit in the resident's pause (away, in hospital, in crisis) is shown apart
  and left out of the no-access rate and repeat no-access: a pause, not a penalty.

`figures` reads each visit from `visit_facts` (its latest log, first for the trade, in a
pause), which triggers keep in the same transaction as every write (core/migrations.py, m120);
`recount` works the same figures out from the records themselves, and the tests hold the two
equal. A change to what a figure means changes both.
"""

import statistics
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from fieldapp.core.catalogues import catalogue
from fieldapp.core.clock import day_bounds_utc, to_local, today_local
from fieldapp.core.db import query_all, query_one
from fieldapp.measures.periods import Period

VISITS = """
    SELECT visits.id, visits.resident_id, visits.starts_at, visits.status, visits.trade,
           visits.pre_visit, latest.outcome, latest.no_access_reason, latest.distress,
           latest.id AS log_id,
           NOT EXISTS (SELECT 1 FROM visits AS earlier
                       WHERE earlier.resident_id = visits.resident_id
                         AND earlier.trade = visits.trade AND earlier.pre_visit = 0
                         AND earlier.status = 'booked'
                         AND earlier.starts_at < visits.starts_at) AS first_visit,
           EXISTS (SELECT 1 FROM resident_pauses AS pause
                   WHERE pause.resident_id = visits.resident_id
                     AND visits.starts_at >= pause.starts_at
                     AND (pause.ends_at IS NULL OR visits.starts_at < pause.ends_at)) AS in_pause
    FROM visits
    JOIN residents ON residents.id = visits.resident_id
    LEFT JOIN visit_logs AS latest ON latest.id = (
        SELECT max(id) FROM visit_logs WHERE visit_logs.visit_id = visits.id)
    WHERE residents.landlord_id = ? AND visits.starts_at >= ? AND visits.starts_at < ?
      AND (? IS NULL OR visits.firm_id = ?)
"""

# Alerts where distress (some or significant) or a safeguarding concern (adult, child,
# domestic abuse) was a factor are also measured on their own.
ALERTS = """
    SELECT alerts.severity, alerts.created_at, alerts.acknowledged_at, alerts.escalated_at,
           visit_logs.distress IN ('some', 'significant') OR EXISTS (
               SELECT 1 FROM log_concerns JOIN concern_categories
                   ON concern_categories.code = log_concerns.concern
               WHERE log_concerns.log_id = alerts.log_id AND concern_categories.group_code
                   IN ('adult_safeguarding', 'child_safeguarding', 'domestic_abuse'))
               AS distress_or_safeguarding
    FROM alerts
    JOIN residents ON residents.id = alerts.resident_id
    LEFT JOIN visit_logs ON visit_logs.id = alerts.log_id
    LEFT JOIN visits ON visits.id = COALESCE(alerts.visit_id, visit_logs.visit_id)
    WHERE residents.landlord_id = ? AND alerts.escalated_from IS NULL
      AND alerts.created_at >= ? AND alerts.created_at < ?
      AND (? IS NULL OR visits.firm_id = ?)
"""

# A message reached the resident once it was sent (or delivered); a letter waiting to be
# printed, or a call not yet made, has not.
REACHED = "('sent', 'delivered')"


# The same alerts counted in groups, with the seconds to acknowledge worked out by SQLite (times
# are stored to the second: core.db.utc_now), not by parsing 60,000 dates in Python. The visit
# is read only when one firm is asked for.
ALERT_GROUPS = """
    SELECT alerts.severity, coalesce(alerts.escalated_at, '') != '' AS escalated,
           unixepoch(alerts.acknowledged_at) - unixepoch(alerts.created_at) AS wait_seconds,
           visit_logs.distress IN ('some', 'significant') OR EXISTS (
               SELECT 1 FROM log_concerns JOIN concern_categories
                   ON concern_categories.code = log_concerns.concern
               WHERE log_concerns.log_id = alerts.log_id AND concern_categories.group_code
                   IN ('adult_safeguarding', 'child_safeguarding', 'domestic_abuse'))
               AS distress_or_safeguarding,
           count(*) AS n
    FROM alerts
    JOIN residents ON residents.id = alerts.resident_id
    LEFT JOIN visit_logs ON visit_logs.id = alerts.log_id
    {visits}
    WHERE residents.landlord_id = ? AND alerts.escalated_from IS NULL
      AND alerts.created_at >= ? AND alerts.created_at < ? {firm}
    GROUP BY 1, 2, 3, 4
"""

# The period's visits from visit_facts (fieldapp/core/migrations.py, m120): one row a visit.
FACTS_WHERE = """
    WHERE visit_facts.landlord_id = ? AND visit_facts.starts_at >= ?
      AND visit_facts.starts_at < ? AND (? IS NULL OR visit_facts.firm_id = ?)
"""
FACTS = "FROM visit_facts" + FACTS_WHERE

# Visits counted by everything the figures tell apart: a few dozen rows for any period.
FACT_GROUPS = f"""
    SELECT status, outcome, no_access_reason, distress, in_pause,
           first_of_trade AND NOT pre_visit AS first_visit, count(*) AS n
    {FACTS} GROUP BY 1, 2, 3, 4, 5, 6
"""

REFERRALS = """
    SELECT referral_routes.name, count(*) AS n
    FROM referrals
    JOIN referral_routes ON referral_routes.id = referrals.route_id
    JOIN alerts ON alerts.id = referrals.alert_id
    JOIN residents ON residents.id = alerts.resident_id
    LEFT JOIN visit_logs ON visit_logs.id = alerts.log_id
    LEFT JOIN visits ON visits.id = COALESCE(alerts.visit_id, visit_logs.visit_id)
    WHERE residents.landlord_id = ? AND referrals.made_at >= ? AND referrals.made_at < ?
      AND (? IS NULL OR visits.firm_id = ?)
    GROUP BY referral_routes.id ORDER BY n DESC, referral_routes.name
"""


@dataclass
class Rate:
    """A share with the counts behind it, so nobody reads a percentage without its base."""
    count: int
    out_of: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.count / self.out_of) if self.out_of else None

    def __str__(self) -> str:
        if not self.out_of:
            return "No data"
        return f"{self.percent}% ({self.count} of {self.out_of})"


@dataclass
class Figures:
    period: Period
    booked: int = 0
    cancelled: int = 0
    logged: int = 0
    outcomes: Counter = field(default_factory=Counter)
    no_access: Rate = field(default_factory=lambda: Rate(0, 0))
    no_access_reasons: Counter = field(default_factory=Counter)
    repeated_no_access: int = 0
    stopped: int = 0
    distress: Counter = field(default_factory=Counter)
    concerns: Counter = field(default_factory=Counter)
    alerts: Counter = field(default_factory=Counter)
    acknowledge_minutes: dict = field(default_factory=dict)
    distress_alerts: int = 0  # distress or a safeguarding concern was a factor
    distress_acknowledge_minutes: dict = field(default_factory=dict)
    referrals: Counter = field(default_factory=Counter)  # by route name
    escalated: int = 0
    first_visit_completed: Rate = field(default_factory=lambda: Rate(0, 0))
    rebook_requests: int = 0
    chosen_by_resident: int = 0  # booked at a time the resident picked from those offered
    changed_by_resident: int = 0  # of those, the resident changed their pick at least once
    said_did: list = field(default_factory=list)  # "you said, we did": (theme, what changed)
    said_no_change: int = 0  # feedback alerts closed with no change needed: nothing was sent
    reached_in_other_language: int = 0  # residents sent a message not in English
    feedback: dict = field(default_factory=dict)
    reviews_overdue: int = 0
    weeks: list = field(default_factory=list)  # (monday, booked, no access)
    no_access_in_pause: int = 0
    pauses: dict = field(default_factory=dict)


# The triggers that keep visit_facts (m120). Rebuilding one of their tables (a copy, drop and
# rename) drops its triggers with it: then `figures` recounts rather than read a summary that
# stopped being kept.
KEEPERS = {"visits_facts_insert", "visits_facts_update", "visits_facts_delete",
           "visit_logs_facts_insert", "visit_logs_facts_update", "visit_logs_facts_delete",
           "resident_pauses_facts_insert", "resident_pauses_facts_update",
           "resident_pauses_facts_delete", "residents_facts_landlord"}


def summary_is_kept(db) -> bool:
    return {row["name"] for row in query_all(
        db, "SELECT name FROM sqlite_master WHERE type = 'trigger'")} >= KEEPERS


def figures(db, landlord_id: int, period: Period, firm_id: int | None = None) -> Figures:
    """The period's figures from `visit_facts` (each visit as measures count it, kept by
    triggers in the same transaction as every write): SQLite sums, Python only combines a few
    dozen grouped rows. `recount` gives the same figures from the records themselves."""
    if not summary_is_kept(db):
        return recount(db, landlord_id, period, firm_id)
    start, end = period.bounds
    result = Figures(period)
    codes = catalogue(db)
    no_access = sorted(codes.codes_where("is_no_access"))
    scope = (landlord_id, start, end, firm_id, firm_id)
    _visit_figures_from_groups(result, query_all(db, FACT_GROUPS, scope), codes)
    na_marks = ",".join("?" * len(no_access)) or "NULL"
    result.repeated_no_access = query_one(db, f"""
        SELECT count(*) AS n FROM (SELECT 1 {FACTS} AND visit_facts.status = 'booked'
            AND visit_facts.outcome IN ({na_marks}) AND NOT visit_facts.in_pause
            GROUP BY visit_facts.resident_id HAVING count(*) >= 2)""", (*scope, *no_access))["n"]
    result.weeks = _weeks(db, period, landlord_id, firm_id, no_access)
    # Rebook requests belong to a few visits: start from them (CROSS JOIN keeps that order),
    # not from the period's 100,000 visits. Concerns and feedback start from the period's
    # visits, each finding its own rows by the key: both tables grow for ever, and reading
    # them whole would make a short period pay for the years before it.
    result.concerns = Counter({row["group_label"]: row["n"] for row in query_all(db, f"""
        SELECT concern_categories.group_label, count(DISTINCT log_concerns.log_id) AS n
        FROM visit_facts
        JOIN log_concerns ON log_concerns.log_id = visit_facts.log_id
        JOIN concern_categories ON concern_categories.code = log_concerns.concern
        {FACTS_WHERE} AND visit_facts.status = 'booked' GROUP BY 1""", scope)})
    result.rebook_requests = query_one(db, f"""
        SELECT count(*) AS n FROM rebook_requests CROSS JOIN visit_facts
            ON visit_facts.visit_id = rebook_requests.visit_id
        {FACTS_WHERE} AND visit_facts.status = 'booked'""", scope)["n"]
    result.feedback = _feedback_from_rows(query_all(db, f"""
        SELECT visit_feedback.felt_safe, visit_feedback.listened_to, visit_feedback.in_control,
               count(*) AS n
        FROM visit_facts JOIN visit_feedback ON visit_feedback.visit_id = visit_facts.visit_id
        {FACTS_WHERE} AND visit_facts.status = 'booked' AND {NEWEST_FEEDBACK}
        GROUP BY 1, 2, 3""", scope))
    _alert_figures_from_groups(result, query_all(db, ALERT_GROUPS.format(
        visits="LEFT JOIN visits ON visits.id = COALESCE(alerts.visit_id, visit_logs.visit_id)"
        if firm_id is not None else "",
        firm="AND visits.firm_id = ?" if firm_id is not None else ""),
        (landlord_id, start, end, *([firm_id] if firm_id is not None else []))))
    # Offers belong to a few visits: start from them, as for concerns above.
    chosen = query_one(db, f"""
        SELECT count(*) AS chosen, coalesce(sum(time_offers.changes > 0), 0) AS changed
        FROM time_offers CROSS JOIN visit_facts ON visit_facts.visit_id = time_offers.visit_id
        {FACTS_WHERE} AND visit_facts.status = 'booked' AND time_offers.status = 'open'
          AND time_offers.chosen_window_id IS NOT NULL""", scope)
    result.chosen_by_resident, result.changed_by_resident = chosen["chosen"], chosen["changed"]
    _other_figures(db, result, landlord_id, start, end, firm_id)
    return result


def recount(db, landlord_id: int, period: Period, firm_id: int | None = None) -> Figures:
    """The same figures counted from the records themselves (each visit with its latest log),
    as measures were counted before `visit_facts`: the reference the tests hold `figures` to."""
    start, end = period.bounds
    result = Figures(period)
    rows = visits_in_period(db, landlord_id, period, firm_id)
    _visit_figures(result, rows, period, catalogue(db))
    booked_ids = [row["id"] for row in rows if row["status"] == "booked"]
    log_ids = [row["log_id"] for row in rows if row["log_id"] and row["status"] == "booked"]
    result.concerns = _concerns(db, log_ids)
    result.rebook_requests = _count_for(db, "rebook_requests", booked_ids)
    result.chosen_by_resident, result.changed_by_resident = _chosen(db, booked_ids)
    result.feedback = _feedback(db, booked_ids)
    _alert_figures(result, query_all(db, ALERTS, (landlord_id, start, end, firm_id, firm_id)))
    _other_figures(db, result, landlord_id, start, end, firm_id)
    return result


def _other_figures(db, result: Figures, landlord_id: int, start: str, end: str,
                   firm_id: int | None) -> None:
    """Figures read from their own few rows, the same for `figures` and `recount`."""
    result.said_did = you_said_we_did(db, landlord_id, result.period, firm_id)
    result.said_no_change = no_change_needed(db, landlord_id, result.period, firm_id)
    result.reached_in_other_language = query_one(db, f"""
        SELECT count(DISTINCT messages.resident_id) AS n FROM messages
        JOIN residents ON residents.id = messages.resident_id
        JOIN visits ON visits.id = messages.visit_id
        WHERE residents.landlord_id = ? AND messages.language != 'en'
          AND messages.status IN {REACHED} AND messages.sent_at >= ? AND messages.sent_at < ?
          AND (? IS NULL OR visits.firm_id = ?)""", (landlord_id, start, end, firm_id,
                                                     firm_id))["n"]
    result.pauses = pause_figures(db, landlord_id, start, end)
    result.referrals = Counter({row["name"]: row["n"] for row in query_all(db, REFERRALS, (
        landlord_id, start, end, firm_id, firm_id))})
    result.reviews_overdue = query_one(db, """
        SELECT count(*) AS n FROM adjustments
        JOIN residents ON residents.id = adjustments.resident_id
        WHERE residents.landlord_id = ? AND adjustments.status = 'active'
          AND adjustments.review_due < ?""", (landlord_id, today_local().isoformat()))["n"]


def pause_figures(db, landlord_id: int, start: str, end: str) -> dict:
    """Pauses started and ended in the period, how long the ended ones lasted (days), and the
    visits the officer rearranged for a pause, by what was done. Never the reasons."""
    started = query_one(db, """
        SELECT count(*) AS n FROM resident_pauses
        JOIN residents ON residents.id = resident_pauses.resident_id
        WHERE residents.landlord_id = ? AND resident_pauses.starts_at >= ?
          AND resident_pauses.starts_at < ?""", (landlord_id, start, end))["n"]
    lengths = [row["days"] for row in query_all(db, """
        SELECT julianday(resident_pauses.ends_on) - julianday(resident_pauses.starts_on) AS days
        FROM resident_pauses JOIN residents ON residents.id = resident_pauses.resident_id
        WHERE residents.landlord_id = ? AND resident_pauses.ends_at >= ?
          AND resident_pauses.ends_at < ?""", (landlord_id, start, end))]
    actions = Counter({row["action"]: row["n"] for row in query_all(db, """
        SELECT pause_visit_actions.action, count(*) AS n FROM pause_visit_actions
        JOIN resident_pauses ON resident_pauses.id = pause_visit_actions.pause_id
        JOIN residents ON residents.id = resident_pauses.resident_id
        WHERE residents.landlord_id = ? AND pause_visit_actions.created_at >= ?
          AND pause_visit_actions.created_at < ? GROUP BY 1""", (landlord_id, start, end))})
    return {"started": started, "ended": len(lengths),
            "median_days": round(statistics.median(lengths)) if lengths else None,
            "longest_days": round(max(lengths)) if lengths else None,
            "moved": actions["moved"], "kept": actions["kept"],
            "cancelled": actions["cancelled"]}


def visits_in_period(db, landlord_id: int, period: Period, firm_id: int | None = None) -> list:
    """The landlord's visits booked to start in the period, each with its latest log."""
    start, end = period.bounds
    return query_all(db, VISITS, (landlord_id, start, end, firm_id, firm_id))


def kept_visits_in_period(db, landlord_id: int, period: Period,
                          firm_id: int | None = None) -> list:
    """`visits_in_period` read from visit_facts: the same rows, without working out each
    visit's latest log again."""
    return query_all(db, f"""
        SELECT visit_id AS id, resident_id, starts_at, status, trade, pre_visit, outcome,
               no_access_reason, distress, log_id, first_of_trade AS first_visit, in_pause
        {FACTS}""", (landlord_id, *period.bounds, firm_id, firm_id))


def concern_groups_by_log(db, landlord_id: int, period: Period) -> dict[int, str]:
    """For each log of the period's visits with concerns: its concern groups, comma-separated."""
    start, end = period.bounds
    return {row["log_id"]: row["groups"] for row in query_all(db, """
        SELECT log_concerns.log_id, group_concat(DISTINCT concern_categories.group_label)
               AS groups
        FROM log_concerns JOIN concern_categories
          ON concern_categories.code = log_concerns.concern
        JOIN visit_logs ON visit_logs.id = log_concerns.log_id
        JOIN visits ON visits.id = visit_logs.visit_id
        JOIN residents ON residents.id = visits.resident_id
        WHERE residents.landlord_id = ? AND visits.starts_at >= ? AND visits.starts_at < ?
        GROUP BY log_concerns.log_id""", (landlord_id, start, end))}


def _visit_figures(result: Figures, rows, period: Period, codes) -> None:
    # Which outcomes count as no access or a stopped visit is the catalogue's to say.
    no_access, stopped = codes.codes_where("is_no_access"), codes.codes_where("stops_visit")
    mondays = period.weeks()
    # Each week's start as stored (UTC text), so a visit finds its week by comparing strings.
    week_starts = [day_bounds_utc(monday)[0] for monday in mondays]
    weekly = [[0, 0] for _ in mondays]
    no_access_by_resident = Counter()
    first_visits = first_completed = 0
    for row in rows:
        if row["status"] == "cancelled":
            result.cancelled += 1
            continue
        result.booked += 1
        week = weekly[bisect_right(week_starts, row["starts_at"]) - 1]
        week[0] += 1
        if row["outcome"] is None:
            continue
        if row["in_pause"] and row["outcome"] in no_access:
            result.no_access_in_pause += 1  # apart: never in the rate or the repeats
            continue
        result.logged += 1
        result.outcomes[row["outcome"]] += 1
        result.distress[row["distress"]] += 1
        if row["outcome"] in no_access:
            week[1] += 1
            result.no_access_reasons[row["no_access_reason"]] += 1
            no_access_by_resident[row["resident_id"]] += 1
        if row["outcome"] in stopped:
            result.stopped += 1
        if row["first_visit"] and not row["pre_visit"]:
            first_visits += 1
            first_completed += row["outcome"] == "completed"
    result.no_access = Rate(sum(result.outcomes[code] for code in no_access), result.logged)
    result.repeated_no_access = sum(1 for n in no_access_by_resident.values() if n >= 2)
    result.first_visit_completed = Rate(first_completed, first_visits)
    result.weeks = [(monday, *counts) for monday, counts in zip(mondays, weekly, strict=True)]


def _visit_figures_from_groups(result: Figures, groups, codes) -> None:
    """`_visit_figures` for visits counted in groups: the same rules, n visits at a time."""
    no_access, stopped = codes.codes_where("is_no_access"), codes.codes_where("stops_visit")
    first_visits = first_completed = 0
    for row in groups:
        n = row["n"]
        if row["status"] == "cancelled":
            result.cancelled += n
            continue
        result.booked += n
        if row["outcome"] is None:
            continue
        if row["in_pause"] and row["outcome"] in no_access:
            result.no_access_in_pause += n
            continue
        result.logged += n
        result.outcomes[row["outcome"]] += n
        result.distress[row["distress"]] += n
        if row["outcome"] in no_access:
            result.no_access_reasons[row["no_access_reason"]] += n
        if row["outcome"] in stopped:
            result.stopped += n
        if row["first_visit"]:
            first_visits += n
            first_completed += n if row["outcome"] == "completed" else 0
    result.no_access = Rate(sum(result.outcomes[code] for code in no_access), result.logged)
    result.first_visit_completed = Rate(first_completed, first_visits)


def _weeks(db, period: Period, landlord_id: int, firm_id: int | None,
           no_access: list[str]) -> list:
    """(monday, booked, no access) for each week the period touches: one range of the index a
    week (the week's part inside the period), so nothing is sorted."""
    start, end = period.bounds
    mondays = period.weeks()
    edges = [max(day_bounds_utc(monday)[0], start) for monday in mondays] + [end]
    ranges = [value for n in range(len(mondays)) for value in (n, edges[n], edges[n + 1])]
    weeks = ", ".join("(?, ?, ?)" for _ in mondays)
    na_marks = ",".join("?" * len(no_access)) or "NULL"
    counts = {row["week"]: (row["booked"], row["no_access"]) for row in query_all(db, f"""
        WITH weeks(week, starts, ends) AS (VALUES {weeks})
        SELECT weeks.week, count(*) AS booked,
               coalesce(sum(visit_facts.outcome IN ({na_marks})
                            AND NOT visit_facts.in_pause), 0) AS no_access
        FROM weeks CROSS JOIN visit_facts
        WHERE visit_facts.landlord_id = ? AND visit_facts.starts_at >= weeks.starts
          AND visit_facts.starts_at < weeks.ends AND (? IS NULL OR visit_facts.firm_id = ?)
          AND visit_facts.status = 'booked'
        GROUP BY weeks.week""", (*ranges, *no_access, landlord_id, firm_id, firm_id))}
    return [(monday, *counts.get(n, (0, 0))) for n, monday in enumerate(mondays)]


def _alert_figures(result: Figures, rows) -> None:
    waits, distress_waits = [], []
    for row in rows:
        result.alerts[row["severity"]] += 1
        result.distress_alerts += bool(row["distress_or_safeguarding"])
        if row["escalated_at"] and row["severity"] == "urgent":
            result.escalated += 1
        if row["acknowledged_at"]:
            wait = (to_local(row["acknowledged_at"]) - to_local(row["created_at"])
                    ).total_seconds() / 60
            waits.append(wait)
            if row["distress_or_safeguarding"]:
                distress_waits.append(wait)
    result.acknowledge_minutes = _wait_summary(waits)
    result.distress_acknowledge_minutes = _wait_summary(distress_waits)


def _alert_figures_from_groups(result: Figures, groups) -> None:
    """`_alert_figures` for alerts counted in groups of the same severity, escalation, distress
    and seconds to acknowledge."""
    waits, distress_waits = [], []
    for row in groups:
        n = row["n"]
        result.alerts[row["severity"]] += n
        result.distress_alerts += n if row["distress_or_safeguarding"] else 0
        if row["escalated"] and row["severity"] == "urgent":
            result.escalated += n
        if row["wait_seconds"] is not None:
            waits += [row["wait_seconds"] / 60] * n
            if row["distress_or_safeguarding"]:
                distress_waits += [row["wait_seconds"] / 60] * n
    result.acknowledge_minutes = _wait_summary(waits)
    result.distress_acknowledge_minutes = _wait_summary(distress_waits)


def _wait_summary(waits: list[float]) -> dict:
    """Median and 90th percentile in minutes, with how many were acknowledged; {} for none."""
    if not waits:
        return {}
    return {"median": round(statistics.median(waits)),
            "p90": round(statistics.quantiles(waits, n=10, method="inclusive")[-1])
            if len(waits) > 1 else round(waits[0]),
            "count": len(waits)}


def _chunks(ids: list[int], size: int = 900):
    for index in range(0, len(ids), size):
        yield ids[index:index + size]


def _concerns(db, log_ids: list[int]) -> Counter:
    """Logs with at least one concern in each group."""
    counts = Counter()
    for chunk in _chunks(log_ids):
        marks = ",".join("?" * len(chunk))
        for row in query_all(db, f"""
                SELECT concern_categories.group_label, count(DISTINCT log_concerns.log_id) AS n
                FROM log_concerns JOIN concern_categories
                  ON concern_categories.code = log_concerns.concern
                WHERE log_concerns.log_id IN ({marks}) GROUP BY 1""", chunk):
            counts[row["group_label"]] += row["n"]
    return counts


def _count_for(db, table: str, visit_ids: list[int]) -> int:
    total = 0
    for chunk in _chunks(visit_ids):
        marks = ",".join("?" * len(chunk))
        total += query_one(db, f"SELECT count(*) AS n FROM {table} WHERE visit_id IN ({marks})",
                           chunk)["n"]
    return total


# Every send from a feedback link is kept (fieldapp.voice); a visit's answer is its newest.
NEWEST_FEEDBACK = """NOT EXISTS (SELECT 1 FROM visit_feedback AS newer
    WHERE newer.visit_id = visit_feedback.visit_id AND newer.id > visit_feedback.id)"""


def _feedback_from_rows(rows) -> dict:
    """`_feedback` from answers counted in groups (felt_safe, listened_to, in_control, n)."""
    counts = {name: Counter() for name in ("felt_safe", "listened_to", "in_control")}
    for row in rows:
        for name, counter in counts.items():
            if row[name]:
                counter[row[name]] += row["n"]
    return {name: {"counts": counter, "yes": Rate(counter["yes"], sum(counter.values()))}
            for name, counter in counts.items()}


def _feedback(db, visit_ids: list[int]) -> dict:
    """For each question: yes, partly, no, and a Rate of yes among those who answered."""
    counts = {name: Counter() for name in ("felt_safe", "listened_to", "in_control")}
    for chunk in _chunks(visit_ids):
        marks = ",".join("?" * len(chunk))
        for row in query_all(db, "SELECT felt_safe, listened_to, in_control FROM visit_feedback"
                                 f" WHERE visit_id IN ({marks}) AND {NEWEST_FEEDBACK}", chunk):
            for name, counter in counts.items():
                if row[name]:
                    counter[row[name]] += 1
    return {name: {"counts": counter, "yes": Rate(counter["yes"], sum(counter.values()))}
            for name, counter in counts.items()}


def _chosen(db, visit_ids: list[int]) -> tuple[int, int]:
    """Visits booked at a time the resident chose from the times offered, and how many of
    those the resident changed afterwards."""
    chosen = changed = 0
    for chunk in _chunks(visit_ids):
        marks = ",".join("?" * len(chunk))
        row = query_one(db, f"""
            SELECT count(*) AS chosen, coalesce(sum(changes > 0), 0) AS changed
            FROM time_offers WHERE status = 'open' AND chosen_window_id IS NOT NULL
              AND visit_id IN ({marks})""", chunk)
        chosen, changed = chosen + row["chosen"], changed + row["changed"]
    return chosen, changed


def you_said_we_did(db, landlord_id: int, period: Period, firm_id: int | None = None) -> list:
    """Alerts raised by residents' feedback and closed in the period with a change: the
    theme, what changed (written for residents) and when. No names, no visit details."""
    start, end = period.bounds
    return query_all(db, """
        SELECT alerts.feedback_theme AS theme, alerts.what_changed, alerts.closed_at
        """ + FEEDBACK_CLOSED + """ AND alerts.feedback_outcome = 'changed'
          AND alerts.what_changed != ''
        ORDER BY alerts.feedback_theme, alerts.closed_at""",
                     (landlord_id, start, end, firm_id, firm_id))


def no_change_needed(db, landlord_id: int, period: Period, firm_id: int | None = None) -> int:
    """Alerts raised by residents' feedback and closed in the period with no change needed
    (a comment, a thanks): counted apart from "you said, we did", as nothing was sent."""
    start, end = period.bounds
    return query_one(db, "SELECT count(*) AS n " + FEEDBACK_CLOSED + """
          AND alerts.feedback_outcome = 'no_change'""",
                     (landlord_id, start, end, firm_id, firm_id))["n"]


# Alerts raised by residents' feedback and closed in the period (the officer's own, not a copy).
FEEDBACK_CLOSED = """
        FROM alerts JOIN residents ON residents.id = alerts.resident_id
        LEFT JOIN visits ON visits.id = alerts.visit_id
        WHERE residents.landlord_id = ? AND alerts.escalated_from IS NULL
          AND alerts.feedback_theme != '' AND alerts.status = 'closed'
          AND alerts.closed_at >= ? AND alerts.closed_at < ?
          AND (? IS NULL OR visits.firm_id = ?)"""
