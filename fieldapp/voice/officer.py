"""What the officer sees of the resident's voice on a visit: the links to send, the answers."""

from fieldapp.core.catalogues import rebook_request_described
from fieldapp.voice import queries, tokens
from fieldapp.voice.forms import ANSWERS, QUESTIONS


def for_visit(db, visit_id: int) -> dict:
    feedback = queries.feedback_for_visit(db, visit_id)
    request = queries.rebook_request_for_visit(db, visit_id)
    visit = queries.visit_for_link(db, visit_id)
    return {
        # A log stopped the visit: the link is shown only once the officer chooses to ask.
        "feedback_held": bool(visit["feedback_held"]),
        "feedback_sent_at": visit["feedback_sent_at"],
        "rebook_link": tokens.rebook_url(visit_id),
        "offer_link": tokens.offer_url(visit_id),
        "offer": queries.offer_summary(db, visit_id),
        "feedback_link": tokens.feedback_url(visit_id),
        "feedback": [(question, ANSWERS.get(feedback[name], "Not answered"))
                     for name, question in QUESTIONS] if feedback else None,
        "feedback_row": feedback,
        "request": rebook_request_described(request) if request else None,
    }
