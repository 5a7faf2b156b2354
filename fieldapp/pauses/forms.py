"""The pause form (dates, reason, who told us, consent as for adjustments), the forms that
rearrange a visit in a pause, and the partner's form."""

from datetime import timedelta

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from fieldapp.adjustments.forms import CONSENT_GIVERS, CONSENT_WAYS, no_health_detail
from fieldapp.core.clock import today_local
from fieldapp.core.fields import DayField, PhoneNumber, choices, strip_text
from fieldapp.pauses.private import EVENTS, REASONS, TOLD_BY
from fieldapp.schedule.forms import ClockTime, parse_clock

# A partner may tell us about an admission a little after it happened, or a planned discharge.
PARTNER_DAYS = 60


def _one_of(label: str, pairs, message: str) -> RadioField:
    """Radios whose only error is ours (WTForms' own check would say "Not a valid choice")."""
    return RadioField(label, choices=choices(pairs), validate_choice=False, validators=[
        InputRequired(message), AnyOf([value for value, _label in pairs], message=message)])


class PauseForm(FlaskForm):
    reason = _one_of("Why are they away?", REASONS, "Select why the resident is away")
    starts_on = DayField("Away from", validators=[
        InputRequired("Enter the date they are away from, like 2026-11-23")])
    ends_on = DayField("Back on (leave empty if not known yet)", example="2026-12-14",
                       validators=[Optional()])
    told_by = _one_of("How do we know?", TOLD_BY, "Select who told us")
    consent_given_by = _one_of("Who agreed to this being recorded", CONSENT_GIVERS,
                               "Select who gave consent")
    consent_how = _one_of("How they agreed", CONSENT_WAYS, "Select how consent was given")
    consent_on = DayField("When they agreed", validators=[
        InputRequired("Enter the date consent was given, like 2026-11-23")])
    report = HiddenField()

    def validate_ends_on(self, field):
        if field.data is None or self.starts_on.data is None:
            return
        if field.data <= self.starts_on.data:
            raise ValidationError("The date they are back must be after the date they are "
                                  "away from")
        if field.data < today_local():
            raise ValidationError("The date they are back must be today or in the future")

    def validate_consent_on(self, field):
        if field.data is not None and field.data > today_local():
            raise ValidationError("The date consent was given must be today or in the past")

    def validate_starts_on(self, field):
        if field.data is not None and field.data > today_local() + timedelta(days=365):
            raise ValidationError("The date they are away from must be within the next year")


class ConfirmForm(FlaskForm):
    """A deliberate tap (end a pause, stop a link, set news aside): the CSRF token only."""


class KeepForm(FlaskForm):
    note = TextAreaField("Why it goes ahead (optional)", filters=[strip_text], validators=[
        Length(max=300, message="What you add must be 300 characters or fewer"),
        no_health_detail])


class CancelInPauseForm(FlaskForm):
    agreed = BooleanField("The resident (or their advocate) agreed to cancel this visit",
                          validators=[DataRequired("Confirm the resident agreed to cancel, or "
                                                   "keep or move the visit instead")])


class MoveForm(FlaskForm):
    visit_date = DayField("New date", validators=[InputRequired("Enter the new date")])
    starts = StringField("From", filters=[strip_text], validators=[
        DataRequired("Enter the time the window starts, like 10:00"),
        ClockTime("Enter the start time as hours and minutes, like 10:00")])
    ends = StringField("To", filters=[strip_text], validators=[
        DataRequired("Enter the time the window ends, like 12:00"),
        ClockTime("Enter the end time as hours and minutes, like 12:00")])
    move_anyway = BooleanField("Move anyway: I have checked these with the resident")
    confirmed = HiddenField()

    def __init__(self, *args, back_on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.back_on = back_on
        self.booking_warnings: list[str] = []

    def validate_visit_date(self, field):
        if field.data is None:
            return
        if field.data < today_local():
            raise ValidationError("The new date must be today or in the future")
        if self.back_on and field.data < self.back_on:
            raise ValidationError(f"The new date must be on or after the day the resident is "
                                  f"back ({self.back_on:%-d %B %Y})")

    def validate_ends(self, field):
        starts, ends = parse_clock(self.starts.data), parse_clock(field.data)
        if starts and ends and ends <= starts:
            raise ValidationError("The window must end after it starts")


class PartnerLinkForm(FlaskForm):
    partner_name = StringField("Partner's name", filters=[strip_text], validators=[
        DataRequired("Enter the partner's name, like Riverside Hospital discharge team"),
        Length(max=100, message="Partner's name must be 100 characters or fewer")])


class PartnerReportForm(FlaskForm):
    event = _one_of("What has happened?", EVENTS, "Select what has happened")
    event_on = DayField("On what date?", validators=[
        InputRequired("Enter the date, like 2026-11-23")])
    resident_name = StringField("The resident's full name", filters=[strip_text], validators=[
        DataRequired("Enter the full name of the resident"),
        Length(max=100, message="Name must be 100 characters or fewer")])
    postcode = StringField("Their home postcode", filters=[strip_text], validators=[
        DataRequired("Enter their home postcode, like RS1 1AA"),
        Length(max=10, message="Postcode must be 10 characters or fewer")])
    contact_name = StringField("Your name", filters=[strip_text], validators=[
        DataRequired("Enter your name"),
        Length(max=100, message="Your name must be 100 characters or fewer")])
    contact_phone = StringField("A phone number we can call you on", filters=[strip_text],
                                validators=[DataRequired("Enter a phone number we can call you "
                                                         "on, like 020 7946 0000"),
                                            PhoneNumber()])

    def validate_event_on(self, field):
        if field.data is not None and abs((field.data - today_local()).days) > PARTNER_DAYS:
            raise ValidationError("Enter a date within two months of today")
