"""The public page a resident opens from an operative's QR code: is this caller genuine?"""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, make_response, render_template

from fieldapp.accounts.queries import get_photo
from fieldapp.caller_check.queries import check_token
from fieldapp.core.access import found_or_404, public
from fieldapp.core.db import get_db
from fieldapp.core.i18n import resident_language
from fieldapp.core.limits import limiter
from fieldapp.core.public import only_landlord, public_page
from fieldapp.voice import tokens

bp = Blueprint("verify", __name__)


def _feedback_link(db, visit_id: int | None) -> str | None:
    """After a real visit is over, the page a resident keeps asks how it felt."""
    if visit_id is None:
        return None
    visit = tokens.visit_for(db, tokens.FEEDBACK_SALT, tokens.make(tokens.FEEDBACK_SALT,
                                                                     visit_id))
    return tokens.feedback_url(visit_id) if visit and tokens.feedback_open(visit) else None


@bp.get("/verify/<token>")
@public
@limiter.limit("60 per 10 minutes")
def verify(token: str):
    db = get_db()
    outcome = check_token(db, token)
    landlord = outcome.landlord or only_landlord(db)
    public_page(landlord["name"] if landlord else None)
    resident_language(db, outcome.language)
    response = make_response(render_template(
        "caller_check/result.html", confirmation=outcome.confirmation, early=outcome.early,
        landlord=landlord, token=token, finished=outcome.finished_visit is not None,
        feedback_link=_feedback_link(db, outcome.finished_visit),
        site_host=urlsplit(current_app.config["FIELDAPP_BASE_URL"]).hostname,
        landlord_host=urlsplit(landlord["web_address"]).hostname if landlord
        and landlord["web_address"] else None))
    # Nobody caches or indexes an answer about who is at someone's door; the token stays here.
    response.headers["Cache-Control"] = "no-store"
    return _unlisted(response)


@bp.get("/verify/<token>/photo")
@public
@limiter.limit("60 per 10 minutes")
def photo(token: str):
    """The scanned operative's ID photo, so the resident can match the face: only while the
    token names a real booking (the same answer as the page), never kept by a cache."""
    db = get_db()
    outcome = check_token(db, token)
    photo = found_or_404(get_photo(db, outcome.operative_id)
                         if outcome.confirmation or outcome.early else None)
    response = make_response(photo["image"])
    response.headers["Content-Type"] = photo["content_type"]
    response.headers["Cache-Control"] = "private, no-store"
    return _unlisted(response)


def _unlisted(response):
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
