"""What the officer sees of the resident's voice on a visit: the links to send, the answers."""

from fieldapp.core.catalogues import rebook_request_described
from fieldapp.voice import queries, tokens
from fieldapp.voice.forms import ANSWERS, QUESTIONS


def _answered(version) -> list[tuple[str, str]]:
    return [(question, ANSWERS.get(version[name], "Not answered")) for name, question in QUESTIONS]


def for_visit(db, visit_id: int) -> dict:
    # Every send is kept: the newest is the answer, the earlier ones stay in sight, because
    # anyone who had the link (the operative was shown it) could have sent a change.
    versions = queries.feedback_versions(db, visit_id)
    feedback = versions[0] if versions else None
    request = queries.rebook_request_for_visit(db, visit_id)
    visit = queries.visit_for_link(db, visit_id)
    offer = queries.offer_summary(db, visit_id)
    return {
        # A log stopped the visit: the link is shown only once the officer chooses to ask.
        "feedback_held": bool(visit["feedback_held"]),
        "feedback_sent_at": visit["feedback_sent_at"],
        "rebook_link": tokens.rebook_url(visit_id),
        "offer_link": tokens.offer_url(visit_id),
        "offer": offer,
        # An offer left unanswered closes as the visit begins, is logged or is cancelled.
        "offer_closed": tokens.why_offer_closed(db, visit) if offer else None,
        "feedback_link": tokens.feedback_url(visit_id),
        "feedback": _answered(feedback) if feedback else None,
        "feedback_row": feedback,
        "earlier_feedback": [(version, _answered(version)) for version in versions[1:]],
        "request": rebook_request_described(request) if request else None,
    }
