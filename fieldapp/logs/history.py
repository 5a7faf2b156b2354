"""Logs as the officer reads them on a visit or a resident: every log, alert or not, with the
outcome, reason, distress and concerns in the catalogue's words, who logged it and when."""

from fieldapp.core.catalogues import catalogue
from fieldapp.logs import queries


def _described(db, rows) -> list[dict]:
    words = catalogue(db)
    photos = queries.photos_of_logs(db, [row["id"] for row in rows])
    described = []
    for row in rows:
        codes = sorted((row["concern_codes"] or "").split(",")) if row["concern_codes"] else []
        outcome = words.outcome_label(row["outcome"])
        if row["no_access_reason"]:
            reason = words.no_access_reasons.get(row["no_access_reason"],
                                                 row["no_access_reason"])
            outcome = f"{outcome}: {reason}"
        described.append({
            "id": row["id"], "visit_id": row["visit_id"], "trade": row["trade"],
            "job_ref": row["job_ref"], "visit_starts_at": row["starts_at"],
            "outcome": outcome, "author": row["author_name"], "created_at": row["created_at"],
            "distress": (None if row["distress"] == "none"
                         else words.distress_levels.get(row["distress"], row["distress"])),
            "concerns": [words.concerns[c].label if c in words.concerns else c for c in codes],
            "note": row["note"], "follow_up": row["follow_up"],
            "replaced": bool(row["replaced"]), "amends": row["amends_log_id"] is not None,
            "photos": photos.get(row["id"], [])})
    return described


def history_of_visit(db, visit_id: int) -> list[dict]:
    return _described(db, queries.logs_of_visit(db, visit_id))


def history_of_resident(db, resident_id: int) -> list[dict]:
    return _described(db, queries.logs_of_resident(db, resident_id))
