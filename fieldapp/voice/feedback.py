"""How did the visit feel? Three questions, each may be skipped, and a comment. One answer per
visit: a second replaces the first. Anonymous to the operative; the officer sees it."""

from flask import make_response, render_template, request

from fieldapp.core import audit
from fieldapp.core.access import public
from fieldapp.core.db import get_db, transaction, utc_now
from fieldapp.core.limits import limiter
from fieldapp.voice import bp, tokens

QUESTIONS = [("felt_safe", "Did you feel safe?"),
             ("listened_to", "Did you feel listened to?"),
             ("in_control", "Did you feel in control of what happened?")]
ANSWERS = {"yes": "Yes", "partly": "Partly", "no": "No"}
COMMENT_LIMIT = 1000


def private(response):
    """Nobody caches or indexes a resident's page, and the link never leaks to another site."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def closed_page(visit, why: str):
    return private(make_response(render_template("voice/closed.html", visit=visit, why=why)))


def summary_of(errors: dict, text_fields: set) -> list[tuple[str, str]]:
    """The error summary's links: to a text field, or to the first choice of a group."""
    return [(name if name in text_fields else f"{name}-0", message)
            for name, message in errors.items()]


def check(form) -> tuple[dict, dict]:
    values = {name: form.get(name, "") for name, _ in QUESTIONS}
    values["comment"] = form.get("comment", "").strip()
    errors = {name: "Choose yes, partly or no, or leave it"
              for name, _ in QUESTIONS if values[name] not in ("", *ANSWERS)}
    if len(values["comment"]) > COMMENT_LIMIT:
        errors["comment"] = f"Your comment must be {COMMENT_LIMIT} characters or fewer"
    if not errors and not any(values.values()):
        errors["felt_safe"] = "Answer a question or write a comment, or close this page"
    return values, errors


def store(db, visit_id: int, values: dict) -> None:
    now = utc_now()
    answers = [values[name] or None for name, _ in QUESTIONS]
    with transaction(db):
        db.execute("""
            INSERT INTO visit_feedback (visit_id, felt_safe, listened_to, in_control, comment,
                                        created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (visit_id) DO UPDATE SET felt_safe = excluded.felt_safe,
                listened_to = excluded.listened_to, in_control = excluded.in_control,
                comment = excluded.comment, updated_at = excluded.updated_at""",
                   (visit_id, *answers, values["comment"], now, now))
        audit.record("feedback_given", "visit", visit_id, db=db)


@bp.route("/f/<token>", methods=["GET", "POST"])
@public
@limiter.limit("60 per 10 minutes")
@limiter.limit("20 per hour", methods=["POST"])
def feedback(token: str):
    db = get_db()
    visit = tokens.visit_for(db, tokens.FEEDBACK_SALT, token)
    if visit is None:
        return closed_page(None, "unknown")
    if not tokens.feedback_open(visit):
        return closed_page(visit, "feedback_closed")
    values, errors = ({}, {}) if request.method == "GET" else check(request.form)
    if request.method == "POST" and not errors:
        store(db, visit["id"], values)
        return private(make_response(render_template("voice/thanks.html", visit=visit)))
    page = render_template("voice/feedback.html", visit=visit, values=values, errors=errors,
                           summary=summary_of(errors, text_fields={"comment"}),
                           questions=QUESTIONS, answers=ANSWERS, limit=COMMENT_LIMIT)
    return private(make_response(page, 422 if errors else 200))
