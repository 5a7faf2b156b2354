"""The adjustment form, built for each catalogue type from its parameters (data, not code)."""

import calendar
import json
import re
from datetime import date

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError

from fieldapp.core.catalogues import CONSENT_GIVERS, CONSENT_WAYS, WEEKDAYS, clock_text
from fieldapp.core.clock import today_local
from fieldapp.core.fields import DayField, MultiCheckboxField, PhoneNumber, choices, strip_text

REVIEW_AFTER_MONTHS = 12
# How an officer checked that an adjustment is still needed (kept with each review).
REVIEW_WAYS = [("in_person", "With the resident, in person"),
               ("phone", "With the resident, by phone"), ("advocate", "With their advocate"),
               ("other", "Another way")]
# Words that say what someone has, not what staff should do. An adjustment names the action;
# a diagnosis stays off the record that reaches operatives.
HEALTH_TERMS = re.compile(
    r"\b(diagnos\w*|disorder|schizo\w*|bipolar|psychos[ie]s|psychotic|depress\w*|ptsd|"
    r"autis\w*|dementia|suicid\w*|self[- ]harm\w*|medication|sectioned|overdose)\b",
    re.IGNORECASE)
HEALTH_MESSAGE = ("Write what staff should do, not a diagnosis or health condition. "
                  "For example: \"Call Grace, not Michael\"")


def no_health_detail(_form, field):
    if field.data and HEALTH_TERMS.search(field.data):
        raise ValidationError(HEALTH_MESSAGE)


def _one_of(label: str, pairs, message: str) -> RadioField:
    """Radios whose only error is ours: WTForms' own choice check would say "Not a valid
    choice" first."""
    return RadioField(label, choices=choices(pairs), validate_choice=False, validators=[
        InputRequired(message), AnyOf([value for value, _label in pairs], message=message)])


class AdjustmentBase(FlaskForm):
    detail = TextAreaField("Anything else staff should do (optional)", filters=[strip_text],
                           validators=[Length(max=500, message="Detail must be 500 characters "
                                                               "or fewer"), no_health_detail])
    consent_given_by = _one_of("Who agreed to this being recorded", CONSENT_GIVERS,
                               "Select who gave consent")
    consent_how = _one_of("How they agreed", CONSENT_WAYS, "Select how consent was given")
    consent_on = DayField("When they agreed", validators=[
        InputRequired("Enter the date consent was given, like 2026-11-23")])
    review_due = DayField("Review by", example="2027-11-23", validators=[
        InputRequired("Enter a review date, like 2027-11-23")])

    # A date that could not be read is None here; its own message is already on the field.
    def validate_consent_on(self, field):
        if field.data is not None and field.data > today_local():
            raise ValidationError("The date consent was given must be today or in the past")

    def validate_review_due(self, field):
        if field.data is not None and field.data <= today_local():
            raise ValidationError("The review date must be in the future")

    def parameter_fields(self):
        return [field for field in self if field.name.startswith("param_")]

    def parameters(self) -> dict:
        return {field.name.removeprefix("param_"): field.data for field in
                self.parameter_fields() if field.data not in (None, "", [])}

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        timing = [f for f in self.parameter_fields() if f.type in ("TimeText", "WeekdaysField")]
        if timing and not any(f.data for f in timing):
            # Nothing to check a booking against, and nothing to tell the operative.
            timing[0].errors = [*timing[0].errors, "Enter a time or select a day to avoid"]
            return False
        return valid


class TimeText(StringField):
    """A time of day typed as hours and minutes, stored as "HH:MM" (empty is allowed)."""

    def post_validate(self, form, validation_stopped):
        if self.data and not self.errors:
            self.data = clock_text(self.data)


class WeekdaysField(MultiCheckboxField):
    """Days of the week as checkboxes, stored as their codes ("friday")."""


def _parameter_field(parameter: dict):
    label, kind = parameter["label"], parameter["kind"]
    if kind == "number":
        return StringField(label, filters=[strip_text], validators=[
            DataRequired(f"Enter {label.lower()}"), _whole_number(label)])
    if kind == "phone":
        return StringField(label, filters=[strip_text], validators=[PhoneNumber()])
    if kind == "time":
        return TimeText(label, filters=[strip_text], validators=[_clock_time(label)])
    if kind == "weekdays":
        return WeekdaysField(label, choices=choices(WEEKDAYS), validate_choice=False,
                             validators=[_weekdays])
    if kind == "yesno":
        return _one_of(label, [("yes", "Yes"), ("no", "No")], f"Select whether: {label.lower()}")
    return StringField(label, filters=[strip_text], validators=[
        DataRequired(f"Enter {label[0].lower() + label[1:]}"),
        Length(max=100, message=f"{label} must be 100 characters or fewer"), no_health_detail])


def _clock_time(label: str):
    def check(_form, field):
        if field.data and clock_text(field.data) is None:
            raise ValidationError(f"{label.split(' (')[0]} must be a time in hours and "
                                  "minutes, like 10:00")
    return check


def _weekdays(_form, field):
    known = {code for code, _label in WEEKDAYS}
    if any(day not in known for day in field.data or []):
        raise ValidationError("Select days from the list")


def _whole_number(label: str):
    def check(_form, field):
        if not re.fullmatch(r"\d{1,3}", field.data or "") or not 1 <= int(field.data) <= 240:
            raise ValidationError(f"{label} must be a whole number from 1 to 240")
    return check


def form_for_type(adjustment_type, **kwargs) -> AdjustmentBase:
    """A form class with one field per parameter of this type (secrets live elsewhere)."""
    fields = {f"param_{p['name']}": _parameter_field(p)
              for p in json.loads(adjustment_type["parameters"]) if p["kind"] != "secret"}
    form_class = type(f"{adjustment_type['code']}_form", (AdjustmentBase,), fields)
    return form_class(**kwargs)


def default_dates() -> dict:
    today = today_local()
    return {"consent_on": today, "review_due": next_review(today)}


def next_review(today: date | None = None) -> date:
    """The same day 12 months on (29 February becomes 28 February), not 365 days."""
    today = today or today_local()
    months = today.month - 1 + REVIEW_AFTER_MONTHS
    year, month = today.year + months // 12, months % 12 + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


class WithdrawForm(FlaskForm):
    reason = StringField("Why is it withdrawn? (optional)", filters=[strip_text], validators=[
        Length(max=200, message="Reason must be 200 characters or fewer"), no_health_detail])


class ReviewForm(FlaskForm):
    """Still needed: when to review it next (12 months on unless the officer says otherwise)
    and how this review was done."""

    next_review = DayField("Next review by", example="2027-11-23", validators=[
        InputRequired("Enter the next review date, like 2027-11-23")])
    how = _one_of("How was it reviewed?", REVIEW_WAYS, "Select how the review was done")
    how_other = StringField("If another way, how (optional otherwise)", filters=[strip_text],
                            validators=[Length(max=200, message="How the review was done must "
                                                                "be 200 characters or fewer"),
                                        no_health_detail])

    def validate_next_review(self, field):
        if field.data is not None and field.data <= today_local():
            raise ValidationError("The next review date must be in the future")

    def validate_how_other(self, field):
        if self.how.data == "other" and not field.data:
            raise ValidationError("Say how the review was done")

    def how_described(self) -> str:
        return dict(REVIEW_WAYS).get(self.how.data, "")
