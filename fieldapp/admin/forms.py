"""The admin forms: what each field accepts and the message shown when it does not."""

import re

from babel import Locale, UnknownLocaleError
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    URLField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from fieldapp.core.access import OFFICE_ROLES, OPERATIVE_ROLES, ROLE_LABELS, SUPERVISOR_ROLES
from fieldapp.core.fields import EmailAddress, PhoneNumber, WebAddress, choices, strip_text

MIN_PASSWORD_LENGTH = 12
# 15 digits (the international maximum) with room for spaces, brackets and dashes.
MAX_PHONE_LENGTH = 30


def phone_rules(label: str, message_label: str) -> list:
    return [Length(max=MAX_PHONE_LENGTH,
                   message=f"{label} must be {MAX_PHONE_LENGTH} characters or fewer"),
            PhoneNumber(message_label)]


def _id_or_zero(value) -> int:
    """A chosen organisation's id; the empty placeholder or anything not a number is 0."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# Required text uses DataRequired, not InputRequired: it looks at the answer after trimming,
# so a name or phone typed as only spaces is no answer, not an empty record.
class UserForm(FlaskForm):
    name = StringField("Full name", filters=[strip_text], validators=[
        DataRequired("Enter the person's full name"),
        Length(max=100, message="Full name must be 100 characters or fewer")])
    email = EmailField("Email address", filters=[strip_text], validators=[
        DataRequired("Enter an email address"),
        Length(max=320, message="Email address must be 320 characters or fewer"),
        EmailAddress()])
    role = RadioField("Role", choices=choices(ROLE_LABELS.items()),
                      invalid_choice_message="Select a role",
                      validators=[InputRequired("Select a role")])
    # Another landlord's organisation, or a tampered value, gets the same answer as none.
    organisation_id = SelectField("Organisation", coerce=_id_or_zero,
                                  invalid_choice_message="Select an organisation",
                                  invalid_value_message="Select an organisation",
                                  validators=[InputRequired("Select an organisation")])
    badge_number = StringField("Badge number", filters=[strip_text], validators=[
        Length(max=40, message="Badge number must be 40 characters or fewer")])
    phone = StringField("Work phone", filters=[strip_text],
                        validators=phone_rules("Work phone", "phone number"))
    supervisor_phone = StringField("Supervisor's phone", filters=[strip_text],
                                   validators=phone_rules("Supervisor's phone",
                                                          "phone number for the supervisor"))
    # What a resident's "female operative requested" is met by: set by an admin with the
    # operative's agreement; no gender is recorded (docs/decisions.md).
    attends_female_requests = BooleanField(
        "Can attend where a female operative is asked for (agreed with the operative)")
    on_duty = BooleanField("On the duty rota: receives urgent alerts nobody acknowledged in time")
    password = PasswordField("Password", validators=[
        Length(max=200, message="Password must be 200 characters or fewer")])
    photo = FileField("ID photo")

    def __init__(self, *args, organisations=(), new_user: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_user = new_user
        self.organisation_kinds = {org["id"]: org["kind"] for org in organisations}
        # The placeholder's value is empty, as HTML asks of a required select's first option.
        self.organisation_id.choices = choices([("", "Select an organisation")] + [
            (org["id"], org["name"]) for org in organisations])

    def validate_organisation_id(self, field):
        kind = self.organisation_kinds.get(field.data)
        if kind is None:
            raise ValidationError("Select an organisation")
        if self.role.data == "operative" and kind != "contractor":
            raise ValidationError("Select a contractor firm: operatives belong to a firm")
        if self.role.data in SUPERVISOR_ROLES and kind != "contractor":
            raise ValidationError("Select a contractor firm: supervisors belong to a firm")
        if self.role.data in OFFICE_ROLES and kind != "landlord":
            raise ValidationError("Select the landlord: officers and admins belong to it")

    def validate_on_duty(self, field):
        if field.data and self.role.data in (*OPERATIVE_ROLES, *SUPERVISOR_ROLES):
            raise ValidationError("Only officers and administrators can be on the duty rota")

    def validate_attends_female_requests(self, field):
        if field.data and self.role.data != "operative":
            raise ValidationError("Only operatives are booked for visits: leave this unticked")

    def validate_badge_number(self, field):
        if self.role.data == "operative" and not field.data:
            raise ValidationError("Enter a badge number: it is shown on the operative's ID card")

    def validate_password(self, field):
        if self.new_user and not field.data:
            raise ValidationError("Enter a password")
        if field.data and not field.data.strip():
            raise ValidationError("Enter a password that is not only spaces")
        if field.data and len(field.data) < MIN_PASSWORD_LENGTH:
            raise ValidationError(f"Password must be {MIN_PASSWORD_LENGTH} characters or more")


DIRECTIONS = [("ltr", "Left to right"), ("rtl", "Right to left")]
LATE_FROM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


class OrganisationForm(FlaskForm):
    name = StringField("Name", filters=[strip_text], validators=[
        DataRequired("Enter the organisation's name"),
        Length(max=100, message="Name must be 100 characters or fewer")])
    main_phone = StringField("Main phone", filters=[strip_text], validators=[
        DataRequired("Enter the main phone number"),
        *phone_rules("Main phone", "main phone number")])
    duty_phone = StringField("Duty or out-of-hours phone", filters=[strip_text],
                             validators=phone_rules("Duty phone", "duty phone number"))
    safeguarding_phone = StringField("Safeguarding team phone", filters=[strip_text],
                                     validators=phone_rules("Safeguarding phone",
                                                            "safeguarding phone number"))
    interpreting_phone = StringField("Interpreting line", filters=[strip_text],
                                     validators=phone_rules("Interpreting line",
                                                            "phone number for the interpreting "
                                                            "line"))
    web_address = URLField("Web address", filters=[strip_text], validators=[
        Optional(), Length(max=200, message="Web address must be 200 characters or fewer"),
        WebAddress()])
    # The landlord's: a visit starting at or after this time asks the operative to check in.
    late_from = StringField("Late in the day from", filters=[strip_text])

    def validate_late_from(self, field):
        if field.data and not LATE_FROM.match(field.data):
            raise ValidationError("Enter the time as 24-hour hours and minutes, like 17:00")

    # The landlord's only: how long photos of the work are kept (fieldapp.logs.retention).
    # Checked here rather than with NumberRange, whose min and max would be drawn on what is a
    # text box (inputmode numeric), where HTML does not allow them.
    photo_retention_months = IntegerField(
        "Keep photos of the work for (months)", validators=[Optional()])

    def validate_photo_retention_months(self, field):
        if field.data is not None and not 1 <= field.data <= 120:
            raise ValidationError("Enter a number of months from 1 to 120")


def language_code(text: str | None) -> str | None:
    """A BCP 47 code Babel knows, written the usual way (`fa-AF`, `ur`), or None."""
    if not text or not re.fullmatch(r"[A-Za-z0-9_-]{2,20}", text):
        return None
    parts = text.replace("_", "-").split("-")
    try:
        Locale.parse("-".join(parts), sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    # As typed, in BCP 47's usual case (Babel would add the likely script: pa-Guru-IN).
    return "-".join([parts[0].lower()] + [part.title() if len(part) == 4 else part.upper()
                                          for part in parts[1:]])


class LanguageForm(FlaskForm):
    code = StringField("Language code (BCP 47)", filters=[strip_text], validators=[
        DataRequired("Enter the language's code, like ur for Urdu or fa-AF for Dari")])
    name = StringField("Name in English", filters=[strip_text], validators=[
        DataRequired("Enter the language's name in English"),
        Length(max=60, message="Name in English must be 60 characters or fewer")])
    autonym = StringField("Its own name", filters=[strip_text], validators=[
        DataRequired("Enter the language's name as its readers write it"),
        Length(max=60, message="Its own name must be 60 characters or fewer")])
    direction = RadioField("Writing direction", choices=choices(DIRECTIONS),
                           invalid_choice_message="Select the direction it is written in",
                           validators=[InputRequired("Select the direction it is written in")])

    def validate_code(self, field):
        normalised = language_code(field.data)
        if normalised is None:
            raise ValidationError("Enter a BCP 47 language code, like ur, pa or fa-AF")
        field.data = normalised
