"""Translations (Flask-Babel): pages a resident sees speak the resident's language; staff pages
stay English. A resident page chooses its language with resident_language() (the resident's
language from the signed link's visit, or the one they picked on the page); everything else
renders in English. Catalogues live in fieldapp/translations (docs/translations.md)."""

from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from babel.core import negotiate_locale
from flask import g, has_app_context, request
from flask_babel import Babel, force_locale

babel = Babel()
DEFAULT_LANGUAGE = "en"
# The query parameter a resident's page reads when the resident picks another language.
LANGUAGE_PARAMETER = "lang"


@dataclass(frozen=True)
class PageLanguage:
    code: str  # BCP 47
    autonym: str  # the language's name in itself: how a reader finds their own language
    direction: str  # "ltr" or "rtl"


ENGLISH = PageLanguage(DEFAULT_LANGUAGE, "English", "ltr")


def use_language(code: str | None) -> None:
    """Render the rest of this request in `code` (a BCP 47 code), or English without one."""
    g.language = code or DEFAULT_LANGUAGE


def current_language() -> str:
    """The language being written in: English outside an app context (a plain function call)."""
    return g.get("language", DEFAULT_LANGUAGE) if has_app_context() else DEFAULT_LANGUAGE


def babel_locale(code: str) -> str:
    """Babel's name for a BCP 47 code: fa-AF is fa_AF."""
    return code.replace("-", "_")


def page_languages(db) -> dict[str, PageLanguage]:
    """The languages resident pages are offered in, English first, as the languages table
    says (an admin enables a language there once its catalogue is translated)."""
    rows = db.execute("SELECT code, autonym, direction FROM languages WHERE pages_enabled = 1"
                      " ORDER BY code != 'en', sort_order").fetchall()
    return {row["code"]: PageLanguage(row["code"], row["autonym"] or row["code"],
                                      row["direction"]) for row in rows} or {"en": ENGLISH}


def resident_language(db, stored_code: str | None) -> PageLanguage:
    """Renders this resident's page in the language they picked on the page (`?lang=`), else
    the one on their record, else English; and lists every other language for the page to
    offer, each linking to this same page in it."""
    offered = page_languages(db)
    picked = request.args.get(LANGUAGE_PARAMETER, "")
    language = offered.get(picked) or offered.get(stored_code or "") or offered.get(
        DEFAULT_LANGUAGE, ENGLISH)
    use_language(language.code)
    g.page_language = language
    others = {key: value for key, value in request.args.items() if key != LANGUAGE_PARAMETER}
    g.other_languages = [(other, request.path + "?" + urlencode(
        {**others, LANGUAGE_PARAMETER: other.code})) for other in offered.values()
        if other.code != language.code]
    return language


def visitor_language(db) -> PageLanguage:
    """For a public page that cannot know whose resident is reading (an error page): the
    language picked on the page, else the first offered one the browser asks for (its
    Accept-Language; "ar-SA" finds Arabic), else English."""
    asked = [value for value, _quality in request.accept_languages]
    return resident_language(db, negotiate_locale(asked, list(page_languages(db)), sep="-"))


def offered_language(db, stored_code: str | None) -> str:
    """The language a message to this resident is written in: theirs when it is offered,
    else English."""
    return stored_code if stored_code in page_languages(db) else DEFAULT_LANGUAGE


@contextmanager
def in_language(code: str):
    """Words written inside (gettext, dates, lists) are in `code`; then back as before. For
    what is not a page: a message the worker writes for a resident."""
    before = g.get("language")
    g.language = code
    try:
        with force_locale(babel_locale(code)):
            yield
    finally:
        g.language = before if before is not None else DEFAULT_LANGUAGE


@lru_cache(maxsize=64)
def right_to_left(code: str) -> bool:
    """Whether the language is written right to left, as CLDR (through Babel) says."""
    try:
        return Locale.parse(babel_locale(code)).character_order == "right-to-left"
    except (ValueError, UnknownLocaleError):
        return False


def number_in_text(number: str | None) -> str:
    """A phone number written into running words, kept in its own order. The groups of
    "020 7946 0000" are separate runs of digits, so in a right-to-left paragraph the Unicode
    bidirectional algorithm lays them out right to left ("0000 7946 020"); a left-to-right
    isolate (U+2066 ... U+2069) keeps them as one. Only in right-to-left languages: elsewhere
    it changes nothing, and would move a text message out of the cheaper GSM alphabet."""
    if not number or not right_to_left(current_language()):
        return number or ""
    return f"\u2066{number}\u2069"


def marked(text: str) -> str:
    """Marks English held as data (message templates, adjustment words) for the catalogue
    (`scripts/translations` extracts `marked(...)`); translated where it is read."""
    return text


def page_language() -> PageLanguage | None:
    """The language a resident's page chose, for base.html's lang and dir; None elsewhere."""
    return g.get("page_language")


def other_languages() -> list[tuple[PageLanguage, str]]:
    return g.get("other_languages", [])


def init_app(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=lambda: babel_locale(current_language()))
    app.jinja_env.globals.update(page_language=page_language, other_languages=other_languages)
    app.jinja_env.filters["number_in_text"] = number_in_text
