"""Form rules shared by every area: phone numbers, web addresses, trimmed text.

Messages follow one voice: say what to do ("Enter a phone number, like ..."), never "invalid".
"""

import re
from datetime import date
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from wtforms import DateField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()-]+$")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_text(value):
    """Filter: trim surrounding spaces and drop control characters from typed text."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value).strip()
    return value


class PhoneNumber:
    """A UK or international number people can tap to call; empty is allowed unless required."""

    def __init__(self, label: str = "phone number"):
        self.message = f"Enter a {label}, like 020 7946 0000 or 07700 900 000"

    def __call__(self, _form, field):
        if not field.data:
            return
        digits = re.sub(r"\D", "", field.data)
        if not PHONE_CHARACTERS.match(field.data) or not 3 <= len(digits) <= 15:
            raise ValidationError(self.message)


class WebAddress:
    """A full https address of a site residents can check, like https://www.example.org."""

    message = "Enter a web address starting with https://, like https://www.riverside.example"

    def __call__(self, _form, field):
        if not field.data:
            return
        parts = urlsplit(field.data)
        if parts.scheme != "https" or not parts.hostname or "." not in parts.hostname:
            raise ValidationError(self.message)


def tel_href(number: str) -> str:
    """`tel:` link target: digits and a leading plus only, so every phone can dial it."""
    return "tel:" + re.sub(r"[^\d+]", "", number or "")


def sms_href(number: str) -> str:
    """`sms:` link target, for services reached by text (like Shout on 85258)."""
    return "sms:" + re.sub(r"[^\d+]", "", number or "")


class DayField(DateField):
    """A date typed or picked as YYYY-MM-DD, with a message that says how to write it."""

    def __init__(self, label=None, validators=None, example="2026-11-23", **kwargs):
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)
        self.example = example

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(f"{self.label.text} must be a real date, like {self.example}") \
                from error


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes, each option `<id>-<n>`, for the page to lay out in a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EmailAddress:
    """An email address in the right shape; the domain is not looked up (no network here).

    `.test` addresses are allowed so the demo accounts can be edited like any other.
    """

    message = "Enter an email address in the correct format, like name@example.org"

    def __call__(self, _form, field):
        if not field.data:
            return
        try:
            validate_email(field.data, check_deliverability=False, test_environment=True)
        except EmailNotValidError as error:
            raise ValidationError(self.message) from error


def is_real_date(text) -> bool:
    """A day written as an <input type=date> holds it (YYYY-MM-DD), and one the calendar has."""
    try:
        return date.fromisoformat(text).isoformat() == text
    except (TypeError, ValueError):
        return False


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (plain tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]
