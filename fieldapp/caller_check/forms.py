"""The caller check's forms: the spoken code an officer types while a resident reads it out."""

import re

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

CODE_MESSAGE = "Enter the 6-digit code, like 482 913"


def normalise_code(typed: str | None) -> str | None:
    """Six digits, however they were typed ("482 913", "482-913"); None if not six digits."""
    digits = re.sub(r"[\s-]", "", typed or "")
    return digits if re.fullmatch(r"\d{6}", digits) else None


def six_digits(_form, field):
    if normalise_code(field.data) is None:
        raise ValidationError(CODE_MESSAGE)


class SpokenCodeForm(FlaskForm):
    """A look-up POSTed with its CSRF token: it changes nothing, but a code kept in an
    address (history, bookmarks, logs) could be replayed by anyone who finds it."""

    code = StringField("Spoken code", validators=[six_digits])

    @property
    def spoken_code(self) -> str | None:
        return normalise_code(self.code.data)
