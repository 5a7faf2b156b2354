"""The officer's inbox: alerts about their residents' visits; acknowledge, then close."""

from flask import flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.alerts import bp, queries
from fieldapp.alerts.forms import CloseAlertForm
from fieldapp.alerts.rules import reasons_of
from fieldapp.core import audit, jobs
from fieldapp.core.access import OFFICE_ROLES, found_or_404, roles
from fieldapp.core.catalogues import catalogue, rebook_request_described
from fieldapp.core.db import get_db, transaction, utc_now
from fieldapp.core.extensions import htmx
from fieldapp.core.forms import form_status

RECENTLY_CLOSED = 20
INBOX_VIEW_LABELS = {"mine": "Mine", "urgent": "Urgent", "all": "All"}
# What closing does, said exactly: only a change is sent to the resident.
CLOSED_FLASH = {"changed": "The alert is closed. The resident will be told what changed.",
                "no_change": "The alert is closed. Nothing is sent to the resident.",
                "": "The alert is closed. Thank you for following it up."}


@bp.app_context_processor
def inbox_counts() -> dict:
    """New alerts for the signed-in officer, shown in the navigation on every page."""
    if not current_user.is_authenticated or current_user.role not in OFFICE_ROLES:
        return {}
    return {"inbox_counts": _open_counts()}


def _open_counts() -> dict:
    """The signed-in officer's counts, asked once a request: the inbox shows them and every
    page's navigation does too (this processor runs on each render, the inbox's own included)."""
    if "inbox_counts" not in g:
        g.inbox_counts = queries.open_counts(get_db(), current_user.id)
    return g.inbox_counts


def _my_alert_or_404(db, alert_id: int):
    """Only the officer the alert was sent to opens it: another officer's alert is a 404."""
    return found_or_404(queries.alert_for_officer(db, alert_id, current_user.id))


@bp.get("/inbox")
@roles(*OFFICE_ROLES)
def inbox():
    db = get_db()
    counts = _open_counts()
    if htmx:  # the home page refreshing its counts needs nothing else
        response = make_response(render_template("alerts/_counts.html", counts=counts))
    else:
        # Everything by default, so a copy sent to someone on duty is never hidden.
        view = request.args.get("show")
        view = view if view in queries.INBOX_VIEWS else "all"
        response = make_response(render_template(
            "alerts/inbox.html", counts=counts, recently_closed=RECENTLY_CLOSED, view=view,
            views=INBOX_VIEW_LABELS,
            alerts=queries.inbox_alerts(db, current_user.id, RECENTLY_CLOSED, view)))
    response.vary.add("HX-Request")
    return response


@bp.get("/alerts/<int:alert_id>")
@roles(*OFFICE_ROLES)
def alert(alert_id: int):
    db = get_db()
    row = _my_alert_or_404(db, alert_id)
    audit.record("alert_viewed", "alert", alert_id, db=db)
    # What was done so far (a referral) starts the closing words, for the officer to finish.
    return _alert_page(db, row, CloseAlertForm(from_feedback=bool(row["feedback_theme"]),
                                               data={"action_taken": row["action_taken"]}))


def _alert_page(db, row, form: CloseAlertForm):
    names = catalogue(db)
    codes = queries.concern_codes_for_log(db, row["log_id"])
    rebook = queries.rebook_request_for_visit(db, row["visit_id"])
    why, reasons = reasons_of(row)
    page = render_template(
        "alerts/alert.html", alert=row, form=form, catalogue=names, why=why, reasons=reasons,
        concerns=[concern for code, concern in names.concerns.items() if code in codes],
        rebook=rebook_request_described(rebook) if rebook else None)
    return page, form_status(form)


@bp.post("/alerts/<int:alert_id>/acknowledge")
@roles(*OFFICE_ROLES)
def acknowledge(alert_id: int):
    db = get_db()
    _my_alert_or_404(db, alert_id)
    with transaction(db):
        queries.acknowledge_alert(db, alert_id, current_user.id, utc_now())
        audit.record("alert_acknowledged", "alert", alert_id, db=db)
    if htmx:
        return render_template("alerts/_status.html", alert=_my_alert_or_404(db, alert_id))
    return redirect(url_for("alerts.alert", alert_id=alert_id), code=303)


@bp.post("/alerts/<int:alert_id>/close")
@roles(*OFFICE_ROLES)
def close(alert_id: int):
    db = get_db()
    row = _my_alert_or_404(db, alert_id)
    from_feedback = bool(row["feedback_theme"])
    form = CloseAlertForm(already_closed=row["status"] == "closed", from_feedback=from_feedback)
    if not form.validate():
        return _alert_page(db, row, form)
    outcome = form.feedback_outcome
    with transaction(db):
        if from_feedback:
            # One answer to the resident's feedback: the original (the record the measures
            # count) and every duty copy close with it, so it is told once, in these words.
            closed = queries.close_with_copies(db, alert_id, current_user.id,
                                               form.action_taken.data, utc_now())
        else:
            queries.close_alert(db, alert_id, current_user.id, form.action_taken.data,
                                utc_now())
            closed = [alert_id]
        for closing in closed:
            audit.record("alert_closed", "alert", closing, db=db)
            if from_feedback:
                queries.record_feedback_outcome(db, closing, outcome, form.what_changed.data,
                                                form.outcome_note.data or "")
        if outcome == "changed":
            # "You said, we did": the messages area writes and sends it (the worker), once
            # for the original and its copies (keyed by the original, when it closed now).
            original = queries.original_of(db, alert_id)
            jobs.enqueue(db, "tell_what_changed",
                         {"alert_id": original if original in closed else alert_id})
    flash(CLOSED_FLASH[outcome], "success")
    return redirect(url_for("alerts.inbox"), code=303)
