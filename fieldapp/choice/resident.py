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
from fieldapp.core.i18n import use_language
from fieldapp.core.limits import limiter
from fieldapp.core.public import public_page
from fieldapp.voice import tokens
from fieldapp.voice.feedback import closed_page, private

SAID = ("picked", "none", "undone", "wish")


def _visit(db, token: str):
    visit_id = tokens.visit_for(db, tokens.OFFER_SALT, token)
    return queries.visit_for_choice(db, visit_id["id"]) if visit_id else None


@bp.route("/t/<token>", methods=["GET", "POST"])
@public
@limiter.limit("60 per 10 minutes")
@limiter.limit("20 per hour", methods=["POST"])
def times(token: str):
    db = get_db()
    visit = _visit(db, token)
    public_page(visit["landlord_name"] if visit else None)
    if visit is None:
        return closed_page(None, "unknown")
    use_language(visit["language"])
    if visit["status"] != "booked":
        return closed_page(visit, "cancelled")
    if to_local(visit["ends_at"]) < datetime.now(UTC) and not queries.open_offer(db,
                                                                                visit["id"]):
        return closed_page(visit, "rebook_passed")
    which = request.form.get("form") if request.method == "POST" else None
    refused, status, pick = None, 200, None
    if which == "pick":
        refused, pick = _pick(db, visit)
        if refused is None:
            return redirect(url_for("choice.times", token=token, said=_said_after_pick()),
                            code=303)
        status = 409 if refused in ("taken", "raced", "late") else 422
    elif which == "undo":
        logic.undo_cant_make_it(db, visit)
        return redirect(url_for("choice.times", token=token, said="undone"), code=303)
    elif which == "wish":
        wish = WishForm(prefix="wish")
        if wish.validate_on_submit():
            logic.save_wish(db, visit, wish.words.data)
            return redirect(url_for("choice.times", token=token, said="wish"), code=303)
        return _page(db, visit, wish=wish, status=form_status(wish))
    return _page(db, visit, pick=pick if refused == "form" else None, refused=refused,
                 status=status)


def _said_after_pick() -> str:
    return "none" if request.form.get("pick-window") == NONE_SUIT else "picked"


def _pick(db, visit) -> tuple[str | None, PickForm | None]:
    """(None, form) when the pick (or "none suit") was stored; else why not: "form" for a
    problem in the form (shown beside it), or "taken", "raced", "late" (said calmly at the
    top, with the times still free)."""
    offer = queries.open_offer(db, visit["id"])
    if offer is None:
        return "late", None
    form = PickForm(prefix="pick", windows=logic.windows_to_show(db, visit, offer),
                    offered_ids=[w["id"] for w in queries.windows_of_offer(db, offer["id"])])
    if not form.validate_on_submit():
        return "form", form
    if form.window.data == NONE_SUIT:
        outcome = logic.none_suit(db, visit, offer, form.when_suits.data or "",
                                  form.seen_version())
    else:
        outcome = logic.pick(db, visit, offer, int(form.window.data), form.seen_version())
    return (None if outcome in ("booked", "none") else outcome), form


def _page(db, visit, pick=None, wish=None, refused=None, status=200):
    visit = queries.visit_for_choice(db, visit["id"])  # as it is now, after a refusal
    offer = queries.open_offer(db, visit["id"])
    windows = logic.windows_to_show(db, visit, offer) if offer else []
    changeable = logic.can_change(visit, offer)
    if pick is None:
        pick = PickForm(prefix="pick", windows=windows, formdata=None)
        chosen = next((w for w in windows if w["chosen"]), None)
        pick.window.data = str(chosen["id"]) if chosen else None
    pick.version.data = str(offer["version"]) if offer else "0"
    said = request.args.get("said") if request.args.get("said") in SAID else None
    response = make_response(render_template(
        "choice/times.html", visit=visit, offer=offer, windows=windows, changeable=changeable,
        pick=pick, wish=wish or WishForm(prefix="wish", formdata=None), wish_limit=WISH_LIMIT,
        said=said, refused=refused, booked=logic.window_words(visit["starts_at"],
                                                              visit["ends_at"]),
        request_standing=queries.standing_rebook_request(db, visit["id"]),
        wish_given=queries.wish_for_visit(db, visit["id"])), status)
    return private(response)
