"""Visit pathways (officer side): a resident's standard or supported pathway, agreed with
them, and the team inbox that receives the alerts of residents with no single point of
contact (admin)."""

from flask import Blueprint

bp = Blueprint("pathways", __name__)
