"""The measures filter: a period (a preset or chosen dates) and, optionally, one firm.

Sent with GET, so a view of the figures can be bookmarked and shared; it changes nothing.
"""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import ValidationError

from fieldapp.core.fields import choices
from fieldapp.measures.periods import LONGEST_DAYS, PRESETS, Period, preset

DEFAULT_PERIOD = "4weeks"
REAL_DATE = "Enter a real date, like 2026-11-23"


def _day(text: str | None, empty_message: str) -> date:
    text = (text or "").strip()
    if not text:
        raise ValidationError(empty_message)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(REAL_DATE) from None


class MeasuresForm(FlaskForm):
    class Meta:
        csrf = False

    period = RadioField("Period", choices=choices(PRESETS), validate_choice=False)
    first = StringField("From (for chosen dates)")
    last = StringField("To")
    firm = SelectField("Contractor firm", validate_choice=False)

    def __init__(self, firms, **kwargs):
        super().__init__(**kwargs)
        self.firm.choices = choices([("", "All firms")]
                                    + [(str(f["id"]), f["name"]) for f in firms])
        if self.period.data not in {code for code, _label in PRESETS}:
            self.period.data = DEFAULT_PERIOD

    @property
    def custom(self) -> bool:
        return self.period.data == "custom"

    def validate_first(self, field):
        if self.custom:
            _day(field.data, "Enter the start date")

    def validate_last(self, field):
        if not self.custom:
            return
        last = _day(field.data, "Enter the end date")
        try:
            first = _day(self.first.data, "")
        except ValidationError:
            return
        if last < first:
            raise ValidationError("The end date must be on or after the start date")
        if (last - first).days > LONGEST_DAYS:
            raise ValidationError(f"Choose a period of {LONGEST_DAYS} days or fewer")

    def firm_id(self) -> int | None:
        """The firm asked for, if it is one of this landlord's contractors."""
        ids = {choice.value for choice in self.firm.choices if choice.value}
        return int(self.firm.data) if self.firm.data in ids else None

    def chosen_period(self) -> Period:
        """The dates asked for, once they were checked; else the preset (or four weeks)."""
        if self.custom and not self.errors:
            first, last = (date.fromisoformat(f.data.strip()) for f in (self.first, self.last))
            return Period(first, last, f"{first:%-d %b %Y} to {last:%-d %b %Y}")
        return preset(self.period.data if self.period.data in ("week", "quarter")
                      else DEFAULT_PERIOD)
