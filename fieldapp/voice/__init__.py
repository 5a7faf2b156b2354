"""The resident's voice, with no account: how a visit felt, and "I can't do this time".

Both come from signed links (fieldapp.voice.tokens); no page here shows personal data.
"""

from flask import Blueprint

bp = Blueprint("voice", __name__)
