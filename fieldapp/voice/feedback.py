"""How did the visit feel? Three questions, each may be skipped, and a comment. Every send is
kept as a version (the newest is the answer, the officer sees the earlier ones too), so whoever
else holds the link cannot overwrite what the resident said. Anonymous to the operative."""

from flask import make_response, render_template, request, session
from flask_login import current_user

from fieldapp.alerts.rules import raise_visit_alert_once
from fieldapp.core import audit
from fieldapp.core.access import public
from fieldapp.core.db import get_db, transaction, utc_now
from fieldapp.core.forms import render_form
from fieldapp.core.i18n import resident_language
from fieldapp.core.limits import limiter
from fieldapp.core.public import public_page
from fieldapp.voice import bp, queries, tokens
from fieldapp.voice.forms import COMMENT_LIMIT, QUESTIONS, FeedbackForm


def private(response):
    """Nobody caches or indexes a resident's page, and the link never leaks to another site."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def closed_page(visit, why: str, choice_link: str = ""):
    """`choice_link`: the visit's page to choose a time, where a request for another time can
    also be taken back."""
    return private(make_response(render_template("voice/closed.html", visit=visit, why=why,
                                                 choice_link=choice_link)))


# The answers each browser sent, by visit: only the browser that sent them sees them again.
SENT = "feedback_sent"


def _sent_from_this_browser(db, visit_id: int) -> dict | None:
    """The newest answers this browser sent on the visit, to open the form with, so changing
    one answer keeps the others. The link alone shows nothing: the operative was shown it too,
    and the page promises them no sight of the answers."""
    if current_user.is_authenticated:
        return None
    version_id = session.get(SENT, {}).get(str(visit_id))
    row = queries.feedback_version(db, visit_id, version_id) if version_id else None
    if row is None:
        return None
    return {**{name: row[name] for name, _ in QUESTIONS}, "comment": row["comment"]}


@bp.route("/f/<token>", methods=["GET", "POST"])
@public
@limiter.limit("60 per 10 minutes")
@limiter.limit("20 per hour", methods=["POST"])
def feedback(token: str):
    db = get_db()
    visit = tokens.visit_for(db, tokens.FEEDBACK_SALT, token)
    public_page(visit["landlord_name"] if visit else None)
    resident_language(db, visit["language"] if visit else None)
    if visit is None:
        return closed_page(None, "unknown")
    if not tokens.feedback_window_open(visit):
        return closed_page(visit, "feedback_closed")
    # Filled again only when the page opens: a send is read from what was sent, nothing else.
    form = FeedbackForm(data=_sent_from_this_browser(db, visit["id"])
                        if request.method == "GET" else None)
    if form.validate_on_submit():
        attention = form.attention()
        with transaction(db):
            version = queries.save_feedback(db, visit["id"], form.answers(),
                                            form.comment.data or "", utc_now())
            if attention:  # the thank-you page promises contact only when this is raised
                raise_visit_alert_once(db, visit, "reach_out", attention[1],
                                       feedback_theme=form.theme())
            audit.record("feedback_given", "visit", visit["id"], db=db)
        # Remembered only on a browser nobody of staff is signed in to: a resident may answer
        # on the operative's phone, which must not show the answers again.
        if not current_user.is_authenticated:
            session[SENT] = {**session.get(SENT, {}), str(visit["id"]): version}
        return private(make_response(render_template(
            "voice/thanks.html", visit=visit, attention=attention and attention[0],
            closes=tokens.feedback_closes(visit))))
    return private(make_response(*render_form(
        "voice/feedback.html", form, visit=visit, questions=QUESTIONS, limit=COMMENT_LIMIT)))
