"""Pages for the public (residents have no account): they carry the landlord's name, not the
app's, and link nowhere that needs an account. A route marks its page public with
`public_page(landlord_name)`; base.html then draws the public header."""

import sqlite3

from flask import g
from flask_babel import lazy_gettext

from fieldapp.core.db import get_db, query_all

# What the header says when a page cannot know whose resident is reading it (a link that is
# not ours on an installation serving several landlords): in the page's language, once chosen.
UNKNOWN_LANDLORD = lazy_gettext("Home repairs")


def only_landlord(db) -> dict | None:
    """The landlord's name, phone and web address when this installation has one landlord:
    then a bad token can still be answered with its number. None with several."""
    rows = query_all(db, "SELECT name, main_phone AS phone, web_address FROM organisations "
                         "WHERE kind = 'landlord' LIMIT 2")
    return dict(rows[0]) if len(rows) == 1 else None


def public_page(landlord_name: str | None = None) -> None:
    """This request answers with a public page, headed with this landlord's name (or the only
    landlord's, or a neutral name when neither is known)."""
    if not landlord_name:
        try:
            landlord = only_landlord(get_db())
        except sqlite3.Error:  # an error page about the database itself still renders
            landlord = None
        landlord_name = landlord["name"] if landlord else UNKNOWN_LANDLORD
    g.public_landlord = landlord_name


def public_header() -> str | None:
    """The landlord's name for a public page's header; None on the app's own pages."""
    return g.get("public_landlord")
