"""The resident form and the private note form."""

import re

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import PasswordInput

from fieldapp.core.catalogues import INTERPRETER_ARRANGEMENTS
from fieldapp.core.fields import EmailAddress, PhoneNumber, choices, strip_text
from fieldapp.residents.queries import EDITABLE_FIELDS

CONTACT_METHODS = [("phone", "Phone call"), ("text", "Text message"), ("email", "Email"),
                   ("letter", "Letter")]
CONTACT_MESSAGE = "Select how they prefer to be contacted"
INTERPRETER_CHOICES = [(code, label) for code, label, _words in INTERPRETER_ARRANGEMENTS]
INTERPRETER_MESSAGE = "Select whether they need an interpreter, and how it is arranged"
LANGUAGE_MESSAGE = "Select the language they prefer from the list"
UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def upper_postcode(value):
    """Capitals, with the one space before the inward code (the last three characters)."""
    if not isinstance(value, str):
        return value
    compact = "".join(value.upper().split())
    if 5 <= len(compact) <= 7:  # every UK postcode is 5 to 7 characters without its space
        return f"{compact[:-3]} {compact[-3:]}"
    return " ".join(value.upper().split())


def id_or_zero(value) -> int:
    """A chosen id; anything that is not a number is no choice at all (0)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _text(label: str, max_length: int, required: str | None = None, **kwargs):
    # DataRequired checks the text after trimming: spaces alone are not a name.
    validators = [DataRequired(required)] if required else []
    validators.append(Length(max=max_length,
                             message=f"{label} must be {max_length} characters or fewer"))
    return StringField(label, filters=[strip_text], validators=validators, **kwargs)


class ResidentForm(FlaskForm):
    name = _text("Full name", 100, "Enter the resident's full name")
    preferred_name = _text("Preferred name", 60)
    tenancy_ref = _text("Tenancy reference", 30)
    address_line1 = _text("Address line 1", 100, "Enter the first line of the address")
    address_line2 = _text("Address line 2", 100)
    town = _text("Town or city", 60)
    postcode = StringField("Postcode", filters=[strip_text, upper_postcode], validators=[
        DataRequired("Enter the postcode")])
    area = _text("Area or patch", 60)
    phone = StringField("Phone", filters=[strip_text], validators=[PhoneNumber()])
    phone_alt = StringField("Other phone", filters=[strip_text], validators=[PhoneNumber()])
    email = EmailField("Email address", filters=[strip_text], validators=[
        Optional(), Length(max=320, message="Email address must be 320 characters or fewer"),
        EmailAddress()])
    # validate_choice=False: AnyOf gives our message, not WTForms' "Not a valid choice".
    preferred_contact = RadioField(
        "How they prefer to be contacted", choices=choices(CONTACT_METHODS),
        validate_choice=False, validators=[
            InputRequired(CONTACT_MESSAGE),
            AnyOf([value for value, _label in CONTACT_METHODS], message=CONTACT_MESSAGE)])
    # The list is the catalogue's (stored as BCP 47 codes); validate_language says what to do.
    language = SelectField("Language they prefer", validate_choice=False)
    interpreter = RadioField("Interpreter", choices=choices(INTERPRETER_CHOICES),
                             validate_choice=False, validators=[
                                 InputRequired(INTERPRETER_MESSAGE),
                                 AnyOf([value for value, _label in INTERPRETER_CHOICES],
                                       message=INTERPRETER_MESSAGE)])
    # validate_officer_id says what to do; WTForms' own choice check would say "Not a valid
    # choice" first.
    officer_id = SelectField("Single point of contact", coerce=id_or_zero,
                             validate_choice=False)
    advocate_name = _text("Advocate's name", 100)
    advocate_phone = StringField("Advocate's phone", filters=[strip_text],
                                 validators=[PhoneNumber("phone number for the advocate")])
    advocate_relationship = _text("Relationship to the resident", 60)
    # Officers see the doorstep password they are editing; it is not a login secret. A widget
    # of its own: WTForms shares one PasswordInput between every PasswordField, so changing it
    # would make the sign-in and user forms echo passwords back.
    doorstep_password = PasswordField(
        "Doorstep password", filters=[strip_text], widget=PasswordInput(hide_value=False),
        validators=[Length(max=40, message="Doorstep password must be 40 characters or fewer")])

    def __init__(self, *args, officers=(), languages=None, advocate_named=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.advocate_named = advocate_named  # an "Advocate present" adjustment names them
        self.languages = languages or {}
        self.language.choices = choices([("", "Select a language")] + list(
            self.languages.items()))
        self.officer_ids = {officer["id"] for officer in officers}
        self.officer_id.choices = choices([(0, "Select an officer")] + [
            (officer["id"], officer["name"]) for officer in officers])

    def validate_postcode(self, field):
        if not UK_POSTCODE.match(field.data or ""):
            raise ValidationError("Enter a real postcode, like RS1 4AB")

    def validate_language(self, field):
        if field.data not in self.languages:
            raise ValidationError(LANGUAGE_MESSAGE)

    def validate_officer_id(self, field):
        if field.data not in self.officer_ids:
            raise ValidationError("Select the resident's single point of contact")

    def validate_advocate_name(self, field):
        if self.advocate_named and not field.data:
            raise ValidationError("Advocate present is recorded for this resident, and names "
                                  "this advocate. Keep a name here, or withdraw that "
                                  "adjustment first")

    def validate_advocate_phone(self, field):
        if self.advocate_name.data and not field.data:
            raise ValidationError("Enter the advocate's phone number, so operatives can call "
                                  "them")

    def values(self) -> dict:
        values = {name: getattr(self, name).data or "" for name in EDITABLE_FIELDS
                  if name != "language_to_check"}
        # A language chosen from the list replaces what was written before the list existed.
        return {**values, "language_to_check": ""}


class NoteForm(FlaskForm):
    body = TextAreaField("New private note", filters=[strip_text], validators=[
        DataRequired("Enter the note"),
        Length(max=2000, message="Note must be 2000 characters or fewer")])
