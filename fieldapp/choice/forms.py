"""The officer's offer of times, the resident's pick, and what matters to them.

The resident's words are wrapped for translation (lazy, so each request's language is used);
the officer's stay English, as every staff page does.
"""

from datetime import UTC, datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, ValidationError

from fieldapp.adjustments.forms import CONSENT_WAYS, no_health_detail
from fieldapp.core.catalogues import WEEKDAYS, timing_broken
from fieldapp.core.clock import LOCAL_ZONE, to_local, today_local
from fieldapp.core.fields import DayField, MultiCheckboxField, choices, strip_text
from fieldapp.residents.forms import id_or_zero
from fieldapp.schedule.forms import parse_clock

MOST_WINDOWS = 4
FEWEST_WINDOWS = 2
# The hours a resident may be offered: the times of day a resident can ask for on the "I can't
# do this time" page (8am to 7pm, catalogues.REBOOK_TIMES), Monday to Saturday.
DAY_STARTS, DAY_ENDS = time(8), time(19)
NO_VISITS_ON = ("sunday",)
WHEN_LIMIT = 200
WISH_LIMIT = 500


def _utc(day, at: time) -> str:
    return datetime.combine(day, at, LOCAL_ZONE).astimezone(UTC).isoformat(timespec="seconds")


class OfferForm(FlaskForm):
    """Up to four windows, one a row; at least two, each on its own day."""

    day1 = DayField("Date")
    starts1 = StringField("From", filters=[strip_text])
    ends1 = StringField("To", filters=[strip_text])
    day2 = DayField("Date")
    starts2 = StringField("From", filters=[strip_text])
    ends2 = StringField("To", filters=[strip_text])
    day3 = DayField("Date")
    starts3 = StringField("From", filters=[strip_text])
    ends3 = StringField("To", filters=[strip_text])
    day4 = DayField("Date")
    starts4 = StringField("From", filters=[strip_text])
    ends4 = StringField("To", filters=[strip_text])

    # The landlord's free slots for the visit's trade, when there are any (choices set below).
    slots = MultiCheckboxField("Pick from the available slots", coerce=id_or_zero,
                               validate_choice=False)

    def __init__(self, *args, booked_day=None, timing=None, taken=None, now=None, slots=(),
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.free_slots = {slot["id"]: slot for slot in slots}
        self.slots.choices = choices((slot["id"], slot["label"]) for slot in slots)
        self.booked_day = booked_day  # the day already booked: not offered again
        self.timing = timing or {}  # the resident's own timing adjustment
        self.taken = taken or (lambda starts_at, ends_at: [])  # the operatives' clashes
        self.now = now or datetime.now(UTC)
        self.chosen: list[tuple[str, str]] = []

    def rows(self):
        return [(n, self[f"day{n}"], self[f"starts{n}"], self[f"ends{n}"])
                for n in range(1, MOST_WINDOWS + 1)]

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        valid = True  # decided row by row below: an empty row's date "error" does not count
        days_seen = {}
        for n, day, starts, ends in self.rows():
            if not (day.data or starts.data or ends.data or day.raw_data and day.raw_data[0]):
                day.errors = []  # an empty row is not offered; its empty date is no problem
                continue
            if not (day.raw_data and day.raw_data[0].strip()):
                day.errors = [f"Enter the date of time {n}"]
                valid = False
                continue
            if day.errors:
                valid = False
                continue
            window = self._window(n, day, starts, ends)
            if window is None:
                valid = False
                continue
            if day.data in days_seen:
                day.errors.append(f"Time {n} is on the same day as time {days_seen[day.data]}:"
                                  " offer each time on a different day")
                valid = False
                continue
            days_seen[day.data] = n
            self.chosen.append(window)
        valid = self._picked_slots(days_seen) and valid
        if valid and len(self.chosen) < FEWEST_WINDOWS:
            first = self.slots if self.free_slots else self.day1
            first.errors.append(f"Enter at least {FEWEST_WINDOWS} times to offer, each on "
                                "a different day" if not self.free_slots else
                                f"Pick or enter at least {FEWEST_WINDOWS} times to offer, each"
                                " on a different day")
            valid = False
        if valid and len(self.chosen) > MOST_WINDOWS:
            self.slots.errors.append(f"Offer at most {MOST_WINDOWS} times: pick fewer slots or"
                                     " empty a typed time")
            valid = False
        return valid

    def _picked_slots(self, days_seen: dict) -> bool:
        """The slots ticked, each a window like a typed one, with its slot's id."""
        for slot_id in self.slots.data or []:
            slot = self.free_slots.get(slot_id)
            if slot is None:
                self.slots.errors.append("Select slots from the list: one you ticked has been"
                                         " taken or removed meanwhile")
                return False
            starts, ends = to_local(slot["starts_at"]), to_local(slot["ends_at"])
            name = f"The slot on {starts:%A} {starts.day} {starts:%B}"
            if starts.date() in days_seen:
                other = days_seen[starts.date()]
                other = other if isinstance(other, str) else f"time {other}"
                self.slots.errors.append(f"{name} is on the same day as {other}: offer each"
                                         " time on a different day")
                return False
            problem = self._problem(name, starts.date(), starts.time(), ends.time(),
                                    (slot["starts_at"], slot["ends_at"]))
            if problem:
                self.slots.errors.append(problem[1])
                return False
            days_seen[starts.date()] = name.replace("The slot", "the slot")
            self.chosen.append((slot["starts_at"], slot["ends_at"], slot_id))
        return True

    def _window(self, n, day, starts, ends) -> tuple[str, str] | None:
        """The row's window in UTC, or None with the row's problem beside its field."""
        if day.data is None:
            day.errors.append(f"Enter the date of time {n}")
            return None
        start, end = parse_clock(starts.data), parse_clock(ends.data)
        if start is None:
            starts.errors.append(f"Enter the start of time {n} as hours and minutes, like 10:00")
        if end is None:
            ends.errors.append(f"Enter the end of time {n} as hours and minutes, like 12:00")
        if start is None or end is None:
            return None
        if end <= start:
            ends.errors.append(f"Time {n} must end after it starts")
            return None
        window = _utc(day.data, start), _utc(day.data, end)
        problem = self._problem(f"Time {n}", day.data, start, end, window)
        if problem:
            (day if problem[0] == "day" else starts).errors.append(problem[1])
            return None
        return window

    def _problem(self, what: str, day, start, end, window) -> tuple[str, str] | None:
        """What keeps a well-formed window from being offered: (field, message), or None."""
        local_start, local_end = (datetime.fromisoformat(at).astimezone(LOCAL_ZONE)
                                  for at in window)
        if local_start <= self.now:
            return "day", f"{what} must be in the future"
        if day == self.booked_day:
            return "day", f"{what} is on the day already booked: offer other days"
        if WEEKDAYS[day.weekday()][0] in NO_VISITS_ON:
            return "day", f"{what} is on a Sunday: offer Monday to Saturday"
        if start < DAY_STARTS or end > DAY_ENDS:
            return "starts", f"{what} must be between 8am and 7pm, the hours we visit"
        if problems := timing_broken(self.timing, local_start, local_end):
            return "starts", f"{what}: {problems[0]}"
        if clashes := self.taken(*window):
            return "starts", f"{what}: {clashes[0]}"
        return None

NONE_SUIT = "none"


class PickForm(FlaskForm):
    """The resident's pick: one of the windows on offer, or none of them."""

    window = RadioField(_l("Which time suits you?"), validate_choice=False,
                        validators=[DataRequired(_l("Choose a time, or choose none of these"))])
    when_suits = StringField(_l("If none suit, when would suit you? (optional)"),
                             filters=[strip_text], validators=[Length(
                                 max=WHEN_LIMIT, message=_l(
                                     "What you wrote about when would suit you is too long. "
                                     "Shorten it to %(limit)s characters or fewer.",
                                     limit=WHEN_LIMIT))])
    version = HiddenField()
    offer = HiddenField()  # the offer the page showed: the officer may have sent new times since

    def __init__(self, *args, windows=(), offered_ids=(), **kwargs):
        """`windows`: those still free, shown; `offered_ids`: every window of the offer, so a
        pick of one taken meanwhile is answered calmly as taken, not as a form error."""
        super().__init__(*args, **kwargs)
        self.window.choices = choices([(str(w["id"]), w["label"]) for w in windows]
                                      + [(NONE_SUIT, _l("None of these times suit me"))])
        self.known = {str(w["id"]) for w in windows} | {str(i) for i in offered_ids} \
            | {NONE_SUIT}

    def validate_window(self, field):
        if field.data not in self.known:
            raise ValidationError(_l("Choose a time from the list"))

    def seen_version(self) -> int:
        try:
            return int(self.version.data or 0)
        except ValueError:
            return -1


class WishForm(FlaskForm):
    words = TextAreaField(_l("Is there anything that matters to you for this visit?"),
                          filters=[strip_text], validators=[
                              DataRequired(_l("Write what matters to you, or leave this part")),
                              Length(max=WISH_LIMIT, message=_l(
                                  "What you wrote about what matters to you is too long. "
                                  "Shorten it to %(limit)s characters or fewer.",
                                  limit=WISH_LIMIT))])


class WishToAdjustmentForm(FlaskForm):
    """One step: the resident's words as an instruction for everyone who visits, with how they
    agreed to it being recorded."""

    instruction = TextAreaField("Instruction for everyone who visits", filters=[strip_text],
                                validators=[DataRequired("Enter the instruction"),
                                            Length(max=300, message="Instruction must be 300 "
                                                   "characters or fewer"), no_health_detail])
    consent_how = RadioField("How the resident agreed to this being recorded",
                             choices=choices(CONSENT_WAYS), validate_choice=False, validators=[
                                 DataRequired("Select how the resident agreed"),
                                 AnyOf([code for code, _label in CONSENT_WAYS],
                                       message="Select how the resident agreed")])


class SlotForm(FlaskForm):
    """A slot the landlord has for a trade: a contractor firm free on a day, from and to."""

    trade = StringField("Trade", filters=[strip_text], validators=[
        DataRequired("Enter the trade, like Plumbing"),
        Length(max=60, message="Trade must be 60 characters or fewer")])
    firm_id = SelectField("Contractor firm", coerce=id_or_zero, validate_choice=False)
    day = DayField("Date")
    starts = StringField("From", filters=[strip_text])
    ends = StringField("To", filters=[strip_text])

    def __init__(self, *args, firms=(), overlapping=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.firm_names = {firm["id"]: firm["name"] for firm in firms}
        self.firm_id.choices = choices([(0, "Select a firm")] + list(self.firm_names.items()))
        # (firm_id, trade, starts_at, ends_at) -> a free slot of the firm and trade it overlaps
        self.overlapping = overlapping or (lambda *window: None)

    def validate_firm_id(self, field):
        if field.data not in self.firm_names:
            raise ValidationError("Select the contractor firm that is free")

    def validate_day(self, field):
        if not (field.raw_data and field.raw_data[0].strip()):
            raise ValidationError("Enter the date of the slot")
        if field.data is not None and field.data < today_local():
            raise ValidationError("The date must be today or in the future")

    def validate_starts(self, field):
        if parse_clock(field.data) is None:
            raise ValidationError("Enter the start as hours and minutes, like 10:00")

    def validate_ends(self, field):
        starts, ends = parse_clock(self.starts.data), parse_clock(field.data)
        if ends is None:
            raise ValidationError("Enter the end as hours and minutes, like 12:00")
        if starts and ends <= starts:
            raise ValidationError("The slot must end after it starts")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        starts_at, ends_at = self.window_utc()
        if datetime.fromisoformat(starts_at) <= datetime.now(UTC):
            self.starts.errors.append("The slot must start in the future")
            return False
        if clash := self.overlapping(self.firm_id.data, self.trade.data, starts_at, ends_at):
            starts, ends = to_local(clash["starts_at"]), to_local(clash["ends_at"])
            self.starts.errors.append(
                f"{self.firm_names[self.firm_id.data]} already has a free {clash['trade']} slot"
                f" from {starts:%H:%M} to {ends:%H:%M} that day: choose a time that does not"
                " overlap it")
            return False
        return True

    def window_utc(self) -> tuple[str, str]:
        return (_utc(self.day.data, parse_clock(self.starts.data)),
                _utc(self.day.data, parse_clock(self.ends.data)))


class RemoveSlotForm(FlaskForm):
    """Removing a free slot: the button and its token, nothing more."""
