"""The referral route form (admin) and the refer form (alert page)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from fieldapp.core.catalogues import REFERRAL_HELPS
from fieldapp.core.fields import MultiCheckboxField, PhoneNumber, WebAddress, choices, strip_text

HELPS = dict(REFERRAL_HELPS)
NOTE_LIMIT = 300


def _text(label: str, limit: int, required: str | None = None) -> StringField:
    validators = [DataRequired(required)] if required else []
    validators.append(Length(max=limit, message=f"{label} must be {limit} characters or fewer"))
    return StringField(label, filters=[strip_text], validators=validators)


class RouteForm(FlaskForm):
    name = _text("Name", 100, "Enter the name of the service")
    helps_with = MultiCheckboxField("What they help with", choices=choices(REFERRAL_HELPS),
                                    validate_choice=False)
    hours = _text("When they are open", 100,
                  "Enter when the service is open, like Any time, day or night")
    phone = StringField("Phone", filters=[strip_text], validators=[
        Length(max=30, message="Phone must be 30 characters or fewer"),
        PhoneNumber("phone number")])
    text_number = StringField("Text number", filters=[strip_text], validators=[
        Length(max=30, message="Text number must be 30 characters or fewer"),
        PhoneNumber("text number")])
    web_address = URLField("Web address", filters=[strip_text], validators=[
        Length(max=200, message="Web address must be 200 characters or fewer"), WebAddress()])
    takes_staff_referrals = BooleanField("They take referrals from our staff")

    def validate_helps_with(self, field):
        chosen = field.data or []
        if not chosen or any(code not in HELPS for code in chosen):
            raise ValidationError("Select what the service helps with")

    def validate_phone(self, field):
        if not (field.data or self.text_number.data or self.web_address.data):
            raise ValidationError("Enter a phone number, a text number or a web address")

    def values(self) -> dict:
        return {"name": self.name.data, "helps_with": list(self.helps_with.data),
                "hours": self.hours.data, "phone": self.phone.data or "",
                "text_number": self.text_number.data or "",
                "web_address": self.web_address.data or "",
                "takes_staff_referrals": int(self.takes_staff_referrals.data)}


def _id_or_zero(value) -> int:
    """A chosen route's id; anything that is not a number is no choice (0)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class ReferForm(FlaskForm):
    route_id = RadioField("Who are you referring to?", coerce=_id_or_zero, validate_choice=False,
                          validators=[InputRequired("Select who you referred the resident to")])
    note = TextAreaField("What you agreed (optional)", filters=[strip_text], validators=[
        Length(max=NOTE_LIMIT, message=f"Note must be {NOTE_LIMIT} characters or fewer")])

    def __init__(self, *args, routes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.routes = {route["id"]: route for route in routes}
        self.route_id.choices = choices((route["id"], route["name"]) for route in routes)

    def validate_route_id(self, field):
        if field.data not in self.routes:
            raise ValidationError("Select who you referred the resident to")
