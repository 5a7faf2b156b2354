"""The resident's own choice of time: the officer offers two to four windows on different days,
the resident picks one with a signed link (or says none suit, and when would), changes their
mind up to the day before, takes back "I can't do this time", and says what matters to them for
the visit, which the officer can turn into an adjustment in one step.
"""

from flask import Blueprint

bp = Blueprint("choice", __name__)
