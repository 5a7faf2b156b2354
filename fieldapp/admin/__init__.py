"""Administration: users and organisations of the admin's own landlord."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
