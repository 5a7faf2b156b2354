"""The partner's page (no account): a health or support partner tells the landlord about an
admission or a discharge on the signed link the landlord gave them. It reveals nothing back:
the same thank-you whether or not the name matched a resident. Nothing changes for the resident
until their officer confirms it."""

from flask import make_response, render_template

from fieldapp.alerts.rules import raise_resident_alert
from fieldapp.core import audit
from fieldapp.core.access import public
from fieldapp.core.db import get_db, transaction
from fieldapp.core.forms import render_form
from fieldapp.core.limits import limiter
from fieldapp.core.public import public_page
from fieldapp.pauses import bp, links, private
from fieldapp.pauses.forms import PartnerReportForm

# The officer's alert: what to do, not what happened (the detail is behind sign-in).
ALERT_REASON = ("A health or support partner sent news about this resident: check it with them "
                "and confirm it on News from partners")


def _private(response):
    """Nobody caches or indexes the page, and the link never leaks to another site."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/p/<token>", methods=["GET", "POST"])
@public
@limiter.limit("60 per 10 minutes")
@limiter.limit("10 per hour", methods=["POST"])
def partner(token: str):
    db = get_db()
    link = links.link_for(db, token)
    public_page(link["landlord_name"] if link else None)
    if link is None or link["revoked_at"]:
        return _private(make_response(render_template("pauses/partner_closed.html", link=link)))
    form = PartnerReportForm()
    if form.validate_on_submit():
        with transaction(db):
            report_id = private.create_partner_report(db, link, {
                "event": form.event.data, "event_on": form.event_on.data.isoformat(),
                "resident_name": form.resident_name.data, "postcode": form.postcode.data,
                "contact_name": form.contact_name.data,
                "contact_phone": form.contact_phone.data})
            resident_id = private.report_resident(db, report_id)
            if resident_id is not None:
                raise_resident_alert(db, resident_id, "reach_out", ALERT_REASON)
            audit.record("partner_report_received", "partner_report", report_id, db=db)
        return _private(make_response(render_template("pauses/partner_thanks.html", link=link)))
    return _private(make_response(*render_form("pauses/partner.html", form, link=link)))
