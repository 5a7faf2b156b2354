"""The officer's pause pages: record a pause, see it (audited: the reason is special-category
data), rearrange the visits in it, end it; links for partners and the news they send."""

from datetime import UTC, date, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.core import audit
from fieldapp.core.access import OFFICE_ROLES, found_or_404, roles
from fieldapp.core.clock import local_to_utc_iso, today_local
from fieldapp.core.db import get_db, transaction, utc_now
from fieldapp.core.forms import form_status, render_form
from fieldapp.messages import outbox
from fieldapp.pauses import bp, links, private, queries, returns
from fieldapp.pauses.forms import (
    CancelInPauseForm,
    ConfirmForm,
    KeepForm,
    MoveForm,
    PartnerLinkForm,
    PauseForm,
)
from fieldapp.schedule import checks
from fieldapp.schedule import queries as visits
from fieldapp.schedule.forms import parse_clock

REASON_LABELS = dict(private.REASONS)
TOLD_BY_LABELS = dict(private.TOLD_BY)
EVENT_LABELS = dict(private.EVENTS)


def _resident_or_404(db, resident_id: int):
    return found_or_404(queries.resident_for_landlord(db, resident_id, current_user.landlord_id))


def _pause_or_404(db, pause_id: int):
    return found_or_404(queries.pause_for_landlord(db, pause_id, current_user.landlord_id))


def _report_for(db, resident_id: int):
    """A partner's admission news this pause form confirms, if the form came from it."""
    report_id = request.values.get("report", type=int)
    if report_id is None:
        return None
    report = private.partner_report(db, report_id, current_user.landlord_id)
    if report is None or report["status"] != "new" or report["resident_id"] != resident_id \
            or report["event"] != "admission":
        return None
    return report


@bp.route("/residents/<int:resident_id>/pause/new", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def new_pause(resident_id: int):
    db = get_db()
    resident = _resident_or_404(db, resident_id)
    report = _report_for(db, resident_id)
    start = date.fromisoformat(report["event_on"]) if report else today_local()
    form = PauseForm(data=None if request.method == "POST" else {
        "starts_on": start, "consent_on": today_local(),
        "reason": "hospital" if report else None,
        "told_by": "health_partner" if report else None,
        "report": report["id"] if report else ""})
    valid = form.validate_on_submit()
    if valid:
        starts_at = returns.day_start(form.starts_on.data)
        ends_at = returns.day_start(form.ends_on.data) if form.ends_on.data else None
        if queries.overlapping_pause(db, resident_id, starts_at, ends_at):
            form.starts_on.errors.append("These dates overlap a pause already recorded: end "
                                         "that pause first, or choose other dates")
            valid = False
    if valid:
        with transaction(db):
            pause_id = private.create_pause(db, resident_id, current_user.id, {
                "reason": form.reason.data, "starts_on": form.starts_on.data.isoformat(),
                "ends_on": form.ends_on.data.isoformat() if form.ends_on.data else None,
                "starts_at": starts_at, "ends_at": ends_at, "told_by": form.told_by.data,
                "consent_given_by": form.consent_given_by.data,
                "consent_how": form.consent_how.data,
                "consent_on": form.consent_on.data.isoformat()})
            returns.schedule(db, pause_id)
            audit.record("pause_recorded", "pause", pause_id, db=db)
            if report:
                private.decide_report(db, report["id"], "confirmed", current_user.id, pause_id)
                audit.record("partner_report_confirmed", "partner_report", report["id"], db=db)
        flash("Visits are paused. Reminders stop, and no-access while they are away is never "
              "counted. Check the visits below.", "success")
        return redirect(url_for("pauses.pause", pause_id=pause_id), code=303)
    if report:  # the partner's news is shown again: each showing is audited
        audit.record("partner_report_viewed", "partner_report", report["id"], db=db)
    return render_form("pauses/new.html", form, resident=resident, report=report,
                       event_labels=EVENT_LABELS)


@bp.get("/pauses/<int:pause_id>")
@roles(*OFFICE_ROLES)
def pause(pause_id: int):
    db = get_db()
    return _pause_page(db, _pause_or_404(db, pause_id))


@bp.post("/pauses/<int:pause_id>/end")
@roles(*OFFICE_ROLES)
def end_pause(pause_id: int):
    db = get_db()
    row = _pause_or_404(db, pause_id)
    if row["ends_at"] is not None and row["ends_at"] <= utc_now() or row["starts_at"] > utc_now():
        abort(409)  # already ended, or not started: nothing to welcome them home from
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with transaction(db):
        returns.end_on(db, row, today_local(), current_user.id)
        audit.record("pause_ended", "pause", pause_id, db=db)
    flash("The pause is ended. A \u201cwelcome home\u201d alert is in your inbox: check in with "
          "the resident and rebook their visits.", "success")
    return redirect(url_for("pauses.pause", pause_id=pause_id), code=303)


def _visit_or_404(db, pause, visit_id: int):
    return found_or_404(queries.visit_in_pause(db, pause, visit_id))


@bp.post("/pauses/<int:pause_id>/visits/<int:visit_id>/keep")
@roles(*OFFICE_ROLES)
def keep_visit(pause_id: int, visit_id: int):
    db = get_db()
    row = _pause_or_404(db, pause_id)
    _visit_or_404(db, row, visit_id)
    form = KeepForm()
    if not form.validate_on_submit():
        return _pause_page(db, row, keep_form=form, failed=visit_id)
    with transaction(db):
        queries.record_action(db, pause_id, visit_id, "kept", current_user.id,
                              form.note.data or "")
        audit.record("pause_visit_kept", "visit", visit_id, db=db)
    flash("The visit is kept. It goes ahead as booked.", "success")
    return redirect(url_for("pauses.pause", pause_id=pause_id, _anchor="visits"), code=303)


@bp.post("/pauses/<int:pause_id>/visits/<int:visit_id>/cancel")
@roles(*OFFICE_ROLES)
def cancel_visit(pause_id: int, visit_id: int):
    db = get_db()
    row = _pause_or_404(db, pause_id)
    _visit_or_404(db, row, visit_id)
    form = CancelInPauseForm()
    if not form.validate_on_submit():
        return _pause_page(db, row, cancel_form=form, failed=visit_id)
    with transaction(db):
        visits.cancel_visit(db, visit_id, "resident_asked",
                            "Cancelled while visits are paused, with the resident's agreement")
        queries.record_action(db, pause_id, visit_id, "cancelled", current_user.id)
        audit.record("visit_cancelled", "visit", visit_id, db=db)
        outbox.queue_for_visit(db, visit_id, "cancelled")
    flash("The visit is cancelled, as agreed with the resident.", "success")
    return redirect(url_for("pauses.pause", pause_id=pause_id, _anchor="visits"), code=303)


def _pause_page(db, row, failed: int | None = None, **forms):
    """The pause with its reason: every showing is audited, a form shown again with its
    problem too. `failed`: the visit whose keep or cancel was refused (answered 422)."""
    page = {"keep_form": KeepForm(formdata=None), "cancel_form": CancelInPauseForm(formdata=None),
            **forms}
    audit.record("pause_viewed", "pause", row["id"], db=db)
    return render_template(
        "pauses/pause.html", pause=row, reason=REASON_LABELS[private.reason_of(db, row["id"])],
        told_by=TOLD_BY_LABELS[row["told_by"]], now=utc_now(), failed=failed,
        visits=queries.visits_in_pause(db, row, utc_now()), end_form=ConfirmForm(),
        **page), 200 if failed is None else 422


@bp.route("/pauses/<int:pause_id>/visits/<int:visit_id>/move", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def move_visit(pause_id: int, visit_id: int):
    db = get_db()
    row = _pause_or_404(db, pause_id)
    visit = _visit_or_404(db, row, visit_id)
    back_on = date.fromisoformat(row["ends_on"]) if row["ends_on"] else None
    form = MoveForm(back_on=back_on)
    if form.validate_on_submit() and _move_confirmed(db, form, visit):
        starts_at, ends_at = (local_to_utc_iso(form.visit_date.data, parse_clock(form.starts.data)),
                              local_to_utc_iso(form.visit_date.data, parse_clock(form.ends.data)))
        with transaction(db):
            visits.move_visit(db, visit_id, starts_at, ends_at)
            queries.record_action(db, pause_id, visit_id, "moved", current_user.id)
            audit.record("visit_updated", "visit", visit_id, db=db)
            outbox.queue_for_visit(db, visit_id, "changed")
        flash("The visit is moved. The resident is told the new time.", "success")
        return redirect(url_for("pauses.pause", pause_id=pause_id, _anchor="visits"), code=303)
    status = 409 if form.booking_warnings else form_status(form)
    return render_template("pauses/move.html", form=form, pause=row, visit=visit,
                           back_on=back_on), status


def _move_confirmed(db, form: MoveForm, visit) -> bool:
    """The same checks as booking; the pause itself is one of them while it has no end."""
    starts_at = local_to_utc_iso(form.visit_date.data, parse_clock(form.starts.data))
    ends_at = local_to_utc_iso(form.visit_date.data, parse_clock(form.ends.data))
    operatives = [o["id"] for o in visits.attending(db, visit["id"])]
    found = checks.BookingChecks(db, current_user.landlord_id, [visit["resident_id"]],
                                 starts_at, ends_at).warnings(
        visit["resident_id"], starts_at, ends_at, operatives, visit["id"])
    seen = checks.fingerprint(found)
    if not found or (form.move_anyway.data and form.confirmed.data == seen):
        return True
    form.booking_warnings, form.confirmed.data, form.move_anyway.data = found, seen, False
    return False


@bp.route("/partners", methods=["GET", "POST"])
@roles(*OFFICE_ROLES)
def partner_links():
    db = get_db()
    form = PartnerLinkForm()
    if form.validate_on_submit():
        with transaction(db):
            link_id = queries.create_partner_link(db, current_user.landlord_id,
                                                  form.partner_name.data, current_user.id)
            audit.record("partner_link_created", "partner_link", link_id, db=db)
        flash(f"The link for {form.partner_name.data} is ready: copy it below and send it to "
              f"them.", "success")
        return redirect(url_for("pauses.partner_links", _anchor=f"link-{link_id}"), code=303)
    rows = queries.partner_links(db, current_user.landlord_id)
    base = current_app.config["FIELDAPP_BASE_URL"].rstrip("/")
    return render_form("pauses/partners.html", form, links=rows, confirm_form=ConfirmForm(),
                       urls={r["id"]: base + url_for("pauses.partner", token=links.make(r["id"]))
                             for r in rows})


@bp.post("/partners/<int:link_id>/revoke")
@roles(*OFFICE_ROLES)
def revoke_partner_link(link_id: int):
    db = get_db()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with transaction(db):
        if not queries.revoke_partner_link(db, link_id, current_user.landlord_id):
            abort(404)
        audit.record("partner_link_revoked", "partner_link", link_id, db=db)
    flash("The link is stopped. The partner sees a page asking them to phone us instead.",
          "success")
    return redirect(url_for("pauses.partner_links"), code=303)


@bp.get("/partners/news")
@roles(*OFFICE_ROLES)
def partner_news():
    db = get_db()
    audit.record("partner_reports_viewed", "landlord", current_user.landlord_id, db=db)
    rows = private.partner_reports(db, current_user.landlord_id)
    return render_template("pauses/news.html", reports=rows, event_labels=EVENT_LABELS,
                           open_pauses={r["id"]: queries.current_pause(db, r["resident_id"])
                                        for r in rows if r["resident_id"]},
                           form=ConfirmForm())


def _report_or_404(db, report_id: int):
    report = found_or_404(private.partner_report(db, report_id, current_user.landlord_id))
    if report["status"] != "new":
        abort(409)
    return report


@bp.post("/partners/news/<int:report_id>/discharge")
@roles(*OFFICE_ROLES)
def confirm_discharge(report_id: int):
    """The officer confirms a partner's discharge news: the pause ends on that day."""
    db = get_db()
    report = _report_or_404(db, report_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    current = queries.current_pause(db, report["resident_id"]) if report["resident_id"] \
        else None
    if report["event"] != "discharge" or current is None:
        abort(409)
    with transaction(db):
        returns.end_on(db, current, date.fromisoformat(report["event_on"]), current_user.id,
                       datetime.now(UTC))
        private.decide_report(db, report_id, "confirmed", current_user.id, current["id"])
        audit.record("partner_report_confirmed", "partner_report", report_id, db=db)
        audit.record("pause_ended", "pause", current["id"], db=db)
    flash("The pause ends on the day the partner gave. You will get a \u201cwelcome home\u201d "
          "alert to check in and rebook.", "success")
    return redirect(url_for("pauses.pause", pause_id=current["id"]), code=303)


@bp.post("/partners/news/<int:report_id>/dismiss")
@roles(*OFFICE_ROLES)
def dismiss_report(report_id: int):
    db = get_db()
    _report_or_404(db, report_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with transaction(db):
        private.decide_report(db, report_id, "dismissed", current_user.id)
        audit.record("partner_report_dismissed", "partner_report", report_id, db=db)
    flash("The message is set aside. Nothing about the resident has changed.", "success")
    return redirect(url_for("pauses.partner_news"), code=303)
