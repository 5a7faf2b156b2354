"""The officer's side of the resident's choice: offer two to four times, see what the resident
chose or said, and turn what matters to them into an adjustment in one step."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.adjustments.forms import next_review
from fieldapp.adjustments.queries import create_adjustment, timing_of_residents
from fieldapp.choice import bp, logic, queries
from fieldapp.choice.forms import OfferForm, RemoveSlotForm, SlotForm, WishToAdjustmentForm
from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, found_or_404, roles
from fieldapp.core.catalogues import rebook_request_described
from fieldapp.core.clock import day_bounds_utc, to_local, today_local
from fieldapp.core.db import get_db, transaction, utc_now
from fieldapp.core.forms import form_status
from fieldapp.messages import outbox
from fieldapp.schedule.queries import firms_of_landlord, visit_for_landlord
from fieldapp.voice import tokens


def _visit_or_404(db, visit_id: int):
    return found_or_404(visit_for_landlord(db, visit_id, current_user.landlord_id))


# How far ahead the offer form looks for the landlord's free slots for the visit's trade.
SLOT_WEEKS_AHEAD = 4


def _free_slots(db, visit) -> list[dict]:
    """The landlord's free slots for the visit's trade from now to SLOT_WEEKS_AHEAD, each with
    its words and firm."""
    _today, until = day_bounds_utc(today_local(), 7 * SLOT_WEEKS_AHEAD)
    return [{**dict(slot), "label": f"{logic.window_words(slot['starts_at'], slot['ends_at'])}"
                                    f" ({slot['firm_name']})"}
            for slot in queries.free_slots_for_trade(db, current_user.landlord_id,
                                                     visit["trade"], utc_now(), until)]


def _offer_form(db, visit, suggest: bool = False, **kwargs) -> OfferForm:
    """The offer form; on first opening, filled with the operatives' first free times, unless
    the landlord has free slots for the visit's trade to pick from."""
    operatives = queries.operatives_of_visit(db, visit["id"])
    timing = timing_of_residents(db, [visit["resident_id"]]).get(visit["resident_id"], {})
    slots = _free_slots(db, visit) if visit["status"] == "booked" else []
    if suggest and visit["status"] == "booked" and not slots:
        kwargs["data"] = {
            field: value for n, (day, start, end) in enumerate(
                logic.free_windows(db, {**dict(visit), "landlord_id": current_user.landlord_id},
                                   timing), start=1)
            for field, value in ((f"day{n}", day), (f"starts{n}", f"{start:%H:%M}"),
                                 (f"ends{n}", f"{end:%H:%M}"))}
    return OfferForm(
        booked_day=to_local(visit["starts_at"]).date(), timing=timing, slots=slots,
        taken=lambda starts_at, ends_at: logic.clashes(
            db, current_user.landlord_id, visit["id"], operatives, starts_at, ends_at),
        **kwargs)


@bp.route("/schedule/<int:visit_id>/times", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def offer_times(visit_id: int):
    db = get_db()
    visit = _visit_or_404(db, visit_id)
    form = _offer_form(db, visit, suggest=request.method == "GET")
    if form.is_submitted() and visit["status"] != "booked":
        form.form_errors.append("This visit is cancelled: there is nothing to offer")
    elif form.is_submitted() and tokens.why_offer_closed(db, visit) == "happened":
        form.form_errors.append("This visit has happened: there is nothing to offer. Book a "
                                "new visit if more work is needed")
    elif form.validate_on_submit():
        with transaction(db):
            queries.create_offer(db, visit_id, form.chosen, current_user.id, utc_now())
            audit.record("times_offered", "visit", visit_id, db=db)
            outbox.queue_for_visit(db, visit_id, "times_offered")
        flash(f"{len(form.chosen)} times are offered. The resident is sent the link to choose "
              "one; their choice books the visit at once.", "success")
        return redirect(url_for("choice.offer_times", visit_id=visit_id), code=303)
    return _page(db, visit, form), form_status(form)


@bp.post("/schedule/<int:visit_id>/times/adjustment")
@roles(*OFFICE_ROLES)
def wish_to_adjustment(visit_id: int):
    db = get_db()
    visit = _visit_or_404(db, visit_id)
    found_or_404(queries.wish_for_visit(db, visit_id))
    form = WishToAdjustmentForm()
    if not form.validate_on_submit():
        return _page(db, visit, _offer_form(db, visit, formdata=None), form), form_status(form)
    today = today_local()
    with transaction(db):
        # Only the officer's instruction (checked for health detail) reaches the briefing: the
        # resident's own words may be about their health, and stay with the wish, officer-side.
        adjustment_id = create_adjustment(
            db, visit["resident_id"], "other", current_user.id, {
                "parameters": {"text": form.instruction.data}, "detail": "",
                "consent_given_by": "resident", "consent_how": form.consent_how.data,
                "consent_on": today, "review_due": next_review(today)})
        queries.link_wish_to_adjustment(db, visit_id, adjustment_id)
        audit.record("adjustment_added", "adjustment", adjustment_id, db=db)
    flash("The adjustment is recorded: everyone who visits will see it on their briefing.",
          "success")
    return redirect(url_for("choice.offer_times", visit_id=visit_id), code=303)


def _page(db, visit, form: OfferForm, adjust: WishToAdjustmentForm | None = None):
    offer = queries.open_offer(db, visit["id"])
    wish = queries.wish_for_visit(db, visit["id"])
    if adjust is None:
        adjust = WishToAdjustmentForm(formdata=None)
        adjust.instruction.data = wish["words"] if wish else ""
    standing = queries.standing_rebook_request(db, visit["id"])
    return render_template(
        "choice/offer.html", visit=visit, form=form, adjust=adjust, offer=offer, wish=wish,
        closed=tokens.why_offer_closed(db, visit) if offer else None,
        rebook=rebook_request_described(standing) if standing else None,
        windows=[{**dict(w), "label": logic.window_words(w["starts_at"], w["ends_at"])}
                 for w in queries.windows_of_offer(db, offer["id"])] if offer else [],
        link=tokens.offer_url(visit["id"]), slot_weeks=SLOT_WEEKS_AHEAD,
        booked=logic.window_words(visit["starts_at"], visit["ends_at"]))


# The landlord's available slots, kept by office staff ----------------------------------------

@bp.route("/slots", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def slots():
    db = get_db()
    landlord_id = current_user.landlord_id
    form = SlotForm(firms=firms_of_landlord(db, landlord_id),
                    overlapping=lambda firm_id, trade, starts_at, ends_at:
                    queries.free_slot_overlapping(db, landlord_id, firm_id, trade, starts_at,
                                                  ends_at))
    if form.validate_on_submit():
        starts_at, ends_at = form.window_utc()
        with transaction(db):
            slot_id = queries.create_slot(db, {
                "landlord_id": landlord_id, "firm_id": form.firm_id.data,
                "trade": form.trade.data, "starts_at": starts_at, "ends_at": ends_at},
                current_user.id, utc_now())
            audit.record("slot_added", "available_slot", slot_id, db=db)
        flash(f"The {form.trade.data} slot is added: officers can offer it to residents.",
              "success")
        return redirect(url_for("choice.slots"), code=303)
    listed = [{**dict(slot), "label": logic.window_words(slot["starts_at"], slot["ends_at"])}
              for slot in queries.slots_of_landlord(db, landlord_id, utc_now())]
    return render_template("choice/slots.html", form=form, slots=listed), form_status(form)


@bp.post("/slots/<int:slot_id>/remove")
@roles(*OFFICE_ROLES)
def remove_slot(slot_id: int):
    db = get_db()
    found_or_404(queries.slot_for_landlord(db, slot_id, current_user.landlord_id))
    if RemoveSlotForm().validate_on_submit():
        with transaction(db):
            removed = queries.remove_free_slot(db, slot_id)
            if removed:
                audit.record("slot_removed", "available_slot", slot_id, db=db)
        if removed:
            flash("The slot is removed.", "success")
        else:
            flash("The slot stays: a resident has chosen it, or it is among the times a "
                  "resident has been offered. Offer them other times first.", "warning")
    return redirect(url_for("choice.slots"), code=303)
