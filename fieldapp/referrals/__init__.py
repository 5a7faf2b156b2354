"""Who can help: the directory of referral routes an admin keeps (national lines and the
landlord's own), the routes the distress card shows, and referrals made from an alert."""

from flask import Blueprint

bp = Blueprint("referrals", __name__)
