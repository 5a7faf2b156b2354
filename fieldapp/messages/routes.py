"""Officer pages of messages: one message exactly as the resident received it (audited),
"send again", and the templates an admin reviews. Operatives never see messages."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from fieldapp.core import audit
from fieldapp.core.access import ADMIN_ROLES, OFFICE_ROLES, found_or_404, roles
from fieldapp.core.db import get_db, transaction
from fieldapp.messages import bp, letters, outbox, queries

STATUS_LABELS = {
    "queued": "Waiting to send", "sent": "Sent", "delivered": "Delivered",
    "could_not_send": "Could not send", "demo_not_sent": "Demo: not sent",
    "to_print": "To print and post", "to_call": "To phone the resident",
}
CHANNEL_LABELS = {"sms": "Text message", "email": "Email", "letter": "Letter",
                  "phone": "Phone call"}


@bp.app_context_processor
def message_labels():
    return {"message_status_labels": STATUS_LABELS, "message_channel_labels": CHANNEL_LABELS}


@bp.get("/messages/<int:message_id>")
@roles(*OFFICE_ROLES)
def message(message_id: int):
    db = get_db()
    row = found_or_404(queries.message_for_landlord(db, message_id, current_user.landlord_id))
    audit.record("message_viewed", "message", message_id, db=db)
    return render_template("messages/message.html", message=row)


@bp.post("/messages/<int:message_id>/again")
@roles(*OFFICE_ROLES)
def send_again(message_id: int):
    db = get_db()
    row = found_or_404(queries.message_for_landlord(db, message_id, current_user.landlord_id))
    if not row["body"]:
        abort(409)  # not written yet: it is still on its way
    with transaction(db):
        again = outbox.send_again(db, message_id, current_user.id)
        audit.record("message_sent_again", "message", again, db=db)
    flash("The message will be sent again in the next minute, with the same words.", "success")
    return redirect(url_for("messages.message", message_id=again), code=303)


@bp.get("/messages/<int:message_id>/letter.pdf")
@roles(*OFFICE_ROLES)
def letter(message_id: int):
    """The message as a letter to print: the resident's print size, or ?size=large|standard."""
    db = get_db()
    row = found_or_404(queries.message_for_landlord(db, message_id, current_user.landlord_id))
    if not row["body"]:
        abort(404)
    audit.record("message_letter_opened", "message", message_id, db=db)
    response = make_response(letters.letter_pdf(db, row, request.args.get("size")))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="letter-{message_id}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/messages/calls")
@roles(*OFFICE_ROLES)
def calls():
    """The call list: residents who prefer a phone call, with the words to read as a script."""
    rows = queries.calls_to_make(get_db(), current_user.landlord_id, current_user.id)
    return render_template("messages/calls.html", calls=rows)


@bp.post("/messages/<int:message_id>/called")
@roles(*OFFICE_ROLES)
def called(message_id: int):
    db = get_db()
    found_or_404(queries.message_for_landlord(db, message_id, current_user.landlord_id))
    with transaction(db):
        if not queries.mark_called(db, message_id):
            abort(409)  # already marked, or not a call
        audit.record("message_phoned", "message", message_id, db=db)
    flash("Marked as phoned.", "success")
    return redirect(url_for("messages.calls"), code=303)


@bp.get("/messages/templates")
@roles(*ADMIN_ROLES)
def templates():
    return render_template("messages/templates.html", templates=queries.all_templates(get_db()))
