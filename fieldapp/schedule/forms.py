"""The visit form and the schedule-of-works step form."""

import re
from datetime import UTC, datetime, time

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, ValidationError

from fieldapp.adjustments.forms import no_health_detail
from fieldapp.core import catalogues
from fieldapp.core.clock import LOCAL_ZONE, today_local
from fieldapp.core.fields import DayField, MultiCheckboxField, choices, strip_text
from fieldapp.residents.forms import id_or_zero

CLOCK_TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")
WHOLE_MINUTES = re.compile(r"^[0-9]{1,3}$")  # ASCII digits only: "²" is a digit to isdigit()
# The hint checkboxes: (column, label), from the one list the briefing also reads.
STEP_HINTS = [(column, tag) for column, tag, _advice in catalogues.STEP_HINTS]


def parse_clock(text: str | None) -> time | None:
    match = CLOCK_TIME.match((text or "").strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


class ClockTime:
    def __init__(self, message: str):
        self.message = message

    def __call__(self, _form, field):
        if parse_clock(field.data) is None:
            raise ValidationError(self.message)


class VisitForm(FlaskForm):
    visit_date = DayField("Date", validators=[InputRequired("Enter the date of the visit")])
    starts = StringField("From", filters=[strip_text], validators=[
        DataRequired("Enter the time the window starts, like 10:00"),
        ClockTime("Enter the start time as hours and minutes, like 10:00")])
    ends = StringField("To", filters=[strip_text], validators=[
        DataRequired("Enter the time the window ends, like 12:00"),
        ClockTime("Enter the end time as hours and minutes, like 12:00")])
    job_ref = StringField("Job reference", filters=[strip_text], validators=[
        DataRequired("Enter the job reference"),
        Length(max=40, message="Job reference must be 40 characters or fewer")])
    trade = StringField("Trade or type of work", filters=[strip_text], validators=[
        DataRequired("Enter the trade, like Plumbing"),
        Length(max=60, message="Trade must be 60 characters or fewer")])
    # Our validators say what to do; WTForms' own choice checks would say "Not a valid choice".
    firm_id = SelectField("Contractor firm", coerce=id_or_zero, validate_choice=False)
    operative_ids = MultiCheckboxField("Operatives attending", coerce=id_or_zero,
                                       validate_choice=False)
    # The notes reach the operative's briefing: practical notes only, never health details.
    notes_for_operative = TextAreaField("Notes for the operative", filters=[strip_text],
                                        validators=[Length(max=1000, message="Notes must be "
                                                           "1000 characters or fewer"),
                                                    no_health_detail])
    pre_visit = BooleanField("This is a pre-visit: an introduction, no work")
    # The operative checks in and out on their phone, with escalation if they do not.
    lone_working = BooleanField("Do not visit alone: the operative checks in and out")
    rebook_requested = BooleanField("The resident asked for another time")
    # The second, deliberate submit after the booking's warnings were shown: `confirmed` names
    # the warnings seen, so a tick confirms those and not new ones (schedule/checks.py).
    book_anyway = BooleanField("Book anyway: I have checked these with the resident")
    confirmed = HiddenField()
    # Asked only when the window falls in the resident's pause (schedule/checks.py).
    paused_reason = TextAreaField("Why this visit cannot wait until the pause ends",
                                  filters=[strip_text], validators=[
                                      Length(max=300, message="Reason must be 300 characters "
                                                              "or fewer"), no_health_detail])

    def __init__(self, *args, firms=(), operatives=(), booked_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.firm_names = {firm["id"]: firm["name"] for firm in firms}
        self.firm_id.choices = choices([(0, "Select a firm")] + list(self.firm_names.items()))
        self.operatives = {o["id"]: o for o in operatives}
        self.operative_ids.choices = choices((o["id"], f"{o['name']} ({o['firm_name']})")
                                             for o in operatives)
        self.booked_date = booked_date
        self.booking_warnings: list[str] = []
        self.in_pause = False

    def validate_visit_date(self, field):
        # An existing visit may keep its date; a new or moved one cannot go into the past.
        if field.data is None:
            return  # not a date: its own message is already on the field
        if field.data < today_local() and field.data != self.booked_date:
            raise ValidationError("The date must be today or in the future")

    def validate_ends(self, field):
        starts, ends = parse_clock(self.starts.data), parse_clock(field.data)
        if starts and ends and ends <= starts:
            raise ValidationError("The window must end after it starts")

    def validate_firm_id(self, field):
        if field.data not in self.firm_names:
            raise ValidationError("Select the contractor firm doing the work")

    def validate_operative_ids(self, field):
        for operative_id in field.data or []:
            operative = self.operatives.get(operative_id)
            if operative is None:
                raise ValidationError("Select operatives from the list")
            if operative["firm_id"] != self.firm_id.data \
                    and self.firm_id.data in self.firm_names:
                raise ValidationError(
                    f"{operative['name']} works for {operative['firm_name']}, not "
                    f"{self.firm_names[self.firm_id.data]}: choose operatives from that firm")

    def window_utc(self) -> tuple[str, str]:
        return (_utc(self.visit_date.data, parse_clock(self.starts.data)),
                _utc(self.visit_date.data, parse_clock(self.ends.data)))

    def values(self) -> dict:
        starts_at, ends_at = self.window_utc()
        return {"job_ref": self.job_ref.data, "trade": self.trade.data,
                "firm_id": self.firm_id.data, "starts_at": starts_at, "ends_at": ends_at,
                "notes_for_operative": self.notes_for_operative.data or "",
                "pre_visit": int(self.pre_visit.data),
                "rebook_requested": int(self.rebook_requested.data),
                "lone_working": int(self.lone_working.data)}


def _utc(day, at: time) -> str:
    return datetime.combine(day, at, LOCAL_ZONE).astimezone(UTC).isoformat(timespec="seconds")


class StepForm(FlaskForm):
    description = StringField("What will be done", filters=[strip_text], validators=[
        DataRequired("Enter what will be done in this step"),
        Length(max=200, message="Step must be 200 characters or fewer")])
    expected_minutes = StringField("About how many minutes", filters=[strip_text])
    hints = MultiCheckboxField("Tell the resident", choices=choices(STEP_HINTS))

    def validate_expected_minutes(self, field):
        if field.data and (not WHOLE_MINUTES.match(field.data) or not 1 <= int(field.data) <= 600):
            raise ValidationError("Minutes must be a whole number from 1 to 600")

    def values(self) -> dict:
        hints = set(self.hints.data or [])
        return {"description": self.description.data,
                "expected_minutes": int(self.expected_minutes.data)
                if self.expected_minutes.data else None,
                **{flag: int(flag in hints) for flag, _label in STEP_HINTS}}


# Why a visit is cancelled: (code, what the officer picks and later reads).
CANCEL_REASONS = [
    ("resident_asked", "The resident asked to cancel"),
    ("moved", "Moved to another time"),
    ("not_needed", "The work is no longer needed"),
    ("no_operative", "No operative is available"),
    ("access_or_safety", "An access or safety problem"),
    ("booked_by_mistake", "Booked by mistake"),
    ("other", "Another reason"),
]
# For these the work is not wanted at another time: nobody needs to agree a new one.
NO_NEW_TIME_REASONS = ("resident_asked", "not_needed", "booked_by_mistake")
CANCEL_MESSAGE = "Select why the visit is cancelled"


class CancelForm(FlaskForm):
    reason = RadioField("Why is it cancelled?", choices=choices(CANCEL_REASONS),
                        validate_choice=False, validators=[
                            InputRequired(CANCEL_MESSAGE),
                            AnyOf([code for code, _label in CANCEL_REASONS],
                                  message=CANCEL_MESSAGE)])
    note = TextAreaField("Anything to add (optional)", filters=[strip_text], validators=[
        Length(max=300, message="What you add must be 300 characters or fewer"),
        no_health_detail])
