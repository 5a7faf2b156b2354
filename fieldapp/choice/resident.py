"""The resident's page behind the signed link: choose one of the times offered (or say none
suit, and when would), change their mind up to the day before, take back "I can't do this
time", and say what matters to them for the visit. In the resident's language."""

from datetime import UTC, datetime

from flask import make_response, redirect, render_template, request, url_for

from fieldapp.choice import bp, logic, queries
from fieldapp.choice.forms import NONE_SUIT, WISH_LIMIT, PickForm, WishForm
from fieldapp.core.access import public
from fieldapp.core.clock import to_local
from fieldapp.core.db import get_db
from fieldapp.core.forms import form_status
from fieldapp.core.i18n import resident_language
from fieldapp.core.limits import limiter
from fieldapp.core.public import public_page
from fieldapp.messages.reminders import reminder_will_go
from fieldapp.voice import tokens
from fieldapp.voice.feedback import closed_page, private

SAID = ("picked", "none", "undone", "wish")


def _open(db, token: str):
    """(visit, None) when the link opens the page; (None, the calm page saying why not)."""
    found = tokens.visit_for(db, tokens.OFFER_SALT, token)
    visit = queries.visit_for_choice(db, found["id"]) if found else None
    public_page(visit["landlord_name"] if visit else None)
    # The resident's language (or the one they picked on the page), with links to the others.
    resident_language(db, visit["language"] if visit else None)
    if visit is None:
        return None, closed_page(None, "unknown")
    if visit["status"] != "booked":
        return None, closed_page(visit, "cancelled")
    if to_local(visit["ends_at"]) < datetime.now(UTC):  # its offer closed as it began
        return None, closed_page(visit, "rebook_passed")
    if tokens.why_offer_closed(db, visit):  # begun or logged: the page and every form close
        return None, _closed(db, visit)
    return visit, None


def _closed(db, visit):
    """The calm page for a visit its link can no longer change: cancelled, or it has
    happened."""
    visit = queries.visit_for_choice(db, visit["id"])
    why = tokens.why_offer_closed(db, visit)
    return closed_page(visit, "cancelled" if why == "cancelled" else "rebook_passed")


@bp.route("/t/<token>", methods=["GET", "POST"])
@public
@limiter.limit("60 per 10 minutes")
@limiter.limit("20 per hour", methods=["POST"])
def times(token: str):
    db = get_db()
    visit, closed = _open(db, token)
    if closed:
        return closed
    if request.method == "GET":
        return _page(db, visit)
    offer = queries.open_offer(db, visit["id"])
    if offer is None:
        return _page(db, visit, refused="late", status=409)
    if request.form.get("offer", str(offer["id"])) != str(offer["id"]):
        return _page(db, visit, refused="renewed", status=409)
    form = PickForm(windows=logic.windows_to_show(db, visit, offer),
                    offered_ids=[w["id"] for w in queries.windows_of_offer(db, offer["id"])])
    if not form.validate_on_submit():
        return _page(db, visit, pick=form, status=form_status(form))
    if form.window.data == NONE_SUIT:
        outcome = logic.none_suit(db, visit, offer, form.when_suits.data or "",
                                  form.seen_version())
    else:
        outcome = logic.pick(db, visit, offer, int(form.window.data), form.seen_version())
    if outcome == "closed":
        return _closed(db, visit)
    if outcome in ("booked", "none"):
        said = "picked" if outcome == "booked" else "none"
        return redirect(url_for("choice.times", token=token, said=said), code=303)
    return _page(db, visit, refused=outcome, status=409)  # taken, raced or late: said calmly


@bp.post("/t/<token>/undo")
@public
@limiter.limit("20 per hour")
def undo(token: str):
    """The booked time suits after all: "I can't do this time" is taken back."""
    db = get_db()
    visit, closed = _open(db, token)
    if closed:
        return closed
    # Already taken back: the same calm answer.
    if logic.undo_cant_make_it(db, visit) == "closed":
        return _closed(db, visit)
    return redirect(url_for("choice.times", token=token, said="undone"), code=303)


@bp.post("/t/<token>/wish")
@public
@limiter.limit("20 per hour")
def wish(token: str):
    db = get_db()
    visit, closed = _open(db, token)
    if closed:
        return closed
    form = WishForm()
    if not form.validate_on_submit():
        return _page(db, visit, wish=form, status=form_status(form))
    if logic.save_wish(db, visit, form.words.data) == "closed":
        return _closed(db, visit)
    return redirect(url_for("choice.times", token=token, said="wish"), code=303)


def _page(db, visit, pick=None, wish=None, refused=None, status=200):
    visit = queries.visit_for_choice(db, visit["id"])  # as it is now, after a refusal
    offer = logic.live_offer(db, visit)
    windows = logic.windows_to_show(db, visit, offer) if offer else []
    if pick is None:
        pick = PickForm(windows=windows, formdata=None)
        chosen = next((w for w in windows if w["chosen"]), None)
        pick.window.data = str(chosen["id"]) if chosen else None
    # Always the offer as it is now: a page re-sent after a refusal picks against it.
    pick.version.data = str(offer["version"]) if offer else "0"
    pick.offer.data = str(offer["id"]) if offer else ""
    said = request.args.get("said") if request.args.get("said") in SAID else None
    response = make_response(render_template(
        "choice/times.html", visit=visit, offer=offer, windows=windows,
        changeable=logic.can_change(visit, offer), pick=pick,
        wish=wish or WishForm(formdata=None), wish_limit=WISH_LIMIT, said=said,
        refused=refused, booked=logic.window_words(visit["starts_at"], visit["ends_at"]),
        reminder=said == "picked" and reminder_will_go(db, visit),
        request_standing=queries.standing_rebook_request(db, visit["id"]),
        wish_given=queries.wish_for_visit(db, visit["id"])), status)
    return private(response)
