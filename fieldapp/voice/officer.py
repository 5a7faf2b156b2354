"""What the officer sees of the resident's voice on a visit: the links to send, the answers."""

import json

from fieldapp.core.db import query_one
from fieldapp.voice import tokens
from fieldapp.voice.feedback import ANSWERS, QUESTIONS
from fieldapp.voice.rebook import DAYS, TIMES


def for_visit(db, visit_id: int) -> dict:
    feedback = query_one(db, "SELECT * FROM visit_feedback WHERE visit_id = ?", (visit_id,))
    request = query_one(db, "SELECT * FROM rebook_requests WHERE visit_id = ?", (visit_id,))
    return {
        "rebook_link": tokens.rebook_url(visit_id),
        "feedback_link": tokens.feedback_url(visit_id),
        "feedback": [(question, ANSWERS.get(feedback[name], "Not answered"))
                     for name, question in QUESTIONS] if feedback else None,
        "feedback_row": feedback,
        "request": _described(request) if request else None,
    }


def _described(request) -> dict:
    days, times = dict(DAYS), dict(TIMES)
    return {"days": [days[d] for d in json.loads(request["preferred_days"]) if d in days],
            "times": [times[t] for t in json.loads(request["preferred_times"]) if t in times],
            "reason": request["reason"], "created_at": request["created_at"]}
