"""Translations (Flask-Babel): pages a resident sees speak the resident's language; staff pages
stay English. A resident page sets the language with use_language(); everything else renders in
English. Catalogues live in fieldapp/translations (see docs/translations.md)."""

from flask import g
from flask_babel import Babel

babel = Babel()
DEFAULT_LANGUAGE = "en"


def use_language(code: str | None) -> None:
    """Render the rest of this request in `code` (a BCP 47 code), or English without one."""
    g.language = code or DEFAULT_LANGUAGE


def current_language() -> str:
    return g.get("language", DEFAULT_LANGUAGE)


def init_app(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=current_language)
