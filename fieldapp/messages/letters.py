"""Letters: the message as a print-ready A4 PDF (WeasyPrint), with the landlord's name and
contact details and the resident's address where a window envelope (and GOV.UK Notify's
precompiled letter check) expects it; a large-print variant at 16 pt for residents whose
adjustments ask for it (sight loss). Fonts: Debian's Noto fonts, so names in Bengali, Arabic
or Hebrew script print as written."""

from babel.dates import format_date
from flask import current_app
from PIL import ImageFile
from weasyprint import CSS, HTML

from fieldapp.core.clock import to_local
from fieldapp.core.i18n import ENGLISH, in_language, page_languages
from fieldapp.messages import queries

# Importing WeasyPrint switches Pillow, process-wide, to accepting truncated images; our
# letters carry no images, and core.photos must keep refusing a photo that was cut short.
ImageFile.LOAD_TRUNCATED_IMAGES = False

SIZES = {"standard": 12, "large": 16}


def size_for(db, resident_id: int) -> str:
    return "large" if queries.wants_large_print(db, resident_id) else "standard"


def letter_pdf(db, message, size: str | None = None) -> bytes:
    """The letter of a written message: its subject, its words, as the resident will read
    them, at the resident's print size unless one is asked for."""
    size = size if size in SIZES else size_for(db, message["resident_id"])
    css = current_app.jinja_env.get_template("messages/letter.css").render(points=SIZES[size])
    return HTML(string=letter_html(db, message)).write_pdf(stylesheets=[CSS(string=css)])


def letter_html(db, message) -> str:
    """The letter's page, in the language its words were written in."""
    landlord = queries.landlord_of_resident(db, message["resident_id"])
    # Straight from the templates, without the pages' context (the worker has no request).
    templates = current_app.jinja_env
    # The letter speaks the language its words were written in (lang and dir for the fonts).
    language = page_languages(db).get(message["language"], ENGLISH)
    created = to_local(message["created_at"])
    with in_language(language.code):
        return templates.get_template("messages/letter.html").render(
            message=message, landlord=landlord, language=language,
            dated=created.strftime("%-d %B %Y") if language.code == "en"
            else format_date(created.date(), "d MMMM y", locale=language.code))
