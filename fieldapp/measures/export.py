"""CSV exports: each figure with the counts behind it, or the period's logs one per row. No
private notes, no free text, no names or addresses: outcomes, reasons, levels and categories."""

from fieldapp.core.catalogues import Catalogue, catalogue
from fieldapp.core.clock import to_local
from fieldapp.measures.queries import (
    concern_groups_by_log,
    figures,
    kept_visits_in_period,
    you_said_we_did,
)

KINDS = ("figures", "logs", "said_did")


def rows(db, what: str, landlord_id: int, period, firm_id) -> list[list]:
    if what == "logs":
        return _logs(db, landlord_id, period, firm_id, catalogue(db))
    if what == "said_did":
        return _said_did(db, landlord_id, period, firm_id)
    return _figures(figures(db, landlord_id, period, firm_id), catalogue(db))


def _figures(result, codes: Catalogue) -> list[list]:
    out = [["measure", "value", "count", "out of"],
           ["period", f"{result.period.first} to {result.period.last}", "", ""],
           ["visits booked", result.booked, "", ""],
           ["visits cancelled", result.cancelled, "", ""],
           ["visits logged", result.logged, "", ""],
           ["no-access rate", result.no_access.percent, result.no_access.count,
            result.no_access.out_of],
           ["residents with repeated no access", result.repeated_no_access, "", ""],
           ["visits stopped (distress or safety)", result.stopped, "", ""],
           ["completed at the first visit", result.first_visit_completed.percent,
            result.first_visit_completed.count, result.first_visit_completed.out_of],
           ["rebook requests", result.rebook_requests, "", ""],
           ["visits chosen by the resident", result.chosen_by_resident, "", ""],
           ["visits changed by the resident", result.changed_by_resident, "", ""],
           ["residents reached in a language other than English",
            result.reached_in_other_language, "", ""],
           ["feedback alerts closed with a change (resident told)", len(result.said_did), "",
            ""],
           ["feedback alerts closed with no change needed (nothing sent)",
            result.said_no_change, "", ""],
           ["urgent alerts escalated", result.escalated, "", ""],
           ["adjustments overdue for review", result.reviews_overdue, "", ""],
           ["no access during a pause (not in the rate)", result.no_access_in_pause, "", ""],
           ["pauses started", result.pauses["started"], "", ""],
           ["pauses ended", result.pauses["ended"], "", ""],
           ["pause length in days (median of those ended)", result.pauses["median_days"]
            if result.pauses["median_days"] is not None else "", "", ""],
           ["visits moved for a pause", result.pauses["moved"], "", ""],
           ["visits kept during a pause", result.pauses["kept"], "", ""],
           ["visits cancelled for a pause (resident agreed)", result.pauses["cancelled"], "",
            ""]]
    out += [[f"outcome: {codes.outcome_label(code)}", n, "", ""]
            for code, n in sorted(result.outcomes.items())]
    out += [[f"no-access reason: {codes.no_access_reasons.get(code, code)}", n, "", ""]
            for code, n in sorted(result.no_access_reasons.items())]
    out += [[f"distress: {codes.distress_levels.get(code, code)}", n, "", ""]
            for code, n in sorted(result.distress.items())]
    out += [[f"concerns: {group}", n, "", ""] for group, n in sorted(result.concerns.items())]
    out += [[f"alerts: {severity}", n, "", ""] for severity, n in sorted(result.alerts.items())]
    for key in ("median", "p90"):
        if result.acknowledge_minutes:
            out.append([f"minutes to acknowledge ({key})", result.acknowledge_minutes[key],
                        "", result.acknowledge_minutes["count"]])
    out.append(["alerts with distress or a safeguarding concern", result.distress_alerts,
                "", ""])
    for key in ("median", "p90"):
        if result.distress_acknowledge_minutes:
            out.append([f"minutes to acknowledge distress or safeguarding ({key})",
                        result.distress_acknowledge_minutes[key], "",
                        result.distress_acknowledge_minutes["count"]])
    out += [[f"referrals: {name}", n, "", ""] for name, n in sorted(result.referrals.items())]
    for name, answers in result.feedback.items():
        out.append([f"feedback {name}: yes", answers["yes"].percent, answers["yes"].count,
                    answers["yes"].out_of])
    out += [[f"week of {monday}", booked, no_access, ""]
            for monday, booked, no_access in result.weeks]
    return out


def visit_status(visit) -> str:
    """The visit's real status: cancelled, logged (its outcome is in the next column), or
    booked and not logged yet."""
    if visit["status"] == "cancelled":
        return "cancelled"
    return "booked" if visit["log_id"] is None else "logged"


def _logs(db, landlord_id: int, period, firm_id, codes: Catalogue) -> list[list]:
    """Every visit of the period, one a row: a visit nobody logged is a row too."""
    out = [["visit date", "trade", "visit status", "outcome", "no-access reason", "distress",
            "concern categories"]]
    visits = kept_visits_in_period(db, landlord_id, period, firm_id)
    concerns = concern_groups_by_log(db, landlord_id, period)
    for visit in sorted(visits, key=lambda v: v["starts_at"]):
        logged = visit["log_id"] is not None
        out.append([to_local(visit["starts_at"]).date().isoformat(), visit["trade"],
                    visit_status(visit), codes.outcome_label(visit["outcome"]) if logged else "",
                    codes.no_access_reasons.get(visit["no_access_reason"], ""),
                    codes.distress_levels.get(visit["distress"], visit["distress"] or ""),
                    concerns.get(visit["log_id"], "")])
    return out


def _said_did(db, landlord_id: int, period, firm_id) -> list[list]:
    """"You said, we did": what residents' feedback was about and what changed, as written
    for residents (no names, no visit details). Only closes with a change: those with no
    change needed are counted in the figures export."""
    out = [["theme", "what changed", "closed on"]]
    out += [[row["theme"], row["what_changed"], to_local(row["closed_at"]).date().isoformat()]
            for row in you_said_we_did(db, landlord_id, period, firm_id)]
    return out
