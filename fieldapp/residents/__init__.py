"""Residents (officer side): find, see, add and edit residents, and their private notes."""

from flask import Blueprint

bp = Blueprint("residents", __name__)
