"""The post-visit log form: one set of rules for a log, whether it comes from the form on the
doorstep or from the phone's outbox (a JSON body, read into the same form)."""

import hashlib
import itertools
import json
import re
from dataclasses import asdict, dataclass

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from fieldapp.core.catalogues import Catalogue, Concern
from fieldapp.core.fields import choices, strip_text

NOTE_LIMIT = 500
FOLLOW_UP_LIMIT = 200
# The messages the form shows: also given to the phone, which checks a log before keeping it
# in the outbox with no signal.
MESSAGES = {
    "outcome": "Select how the visit went",
    "no_access_reason": "Select why there was no access",
    "access_given": "A no-access reason goes only with No access: choose “Not needed: we "
                    "got in”, or change the outcome to No access",
    "distress": "Select how much distress you saw",
    "note": f"Note must be {NOTE_LIMIT} characters or fewer",
    "follow_up": f"Follow-up must be {FOLLOW_UP_LIMIT} characters or fewer",
}
LIMITS = {"note": NOTE_LIMIT, "follow_up": FOLLOW_UP_LIMIT}
CLIENT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CLIENT_ID_MESSAGE = "The log has no valid id: reload the page and send it again"
CONCERNS_MESSAGE = "Select concerns from the list"
# A radio cannot be unticked: this choice is how a reason ticked by mistake is taken back.
NO_REASON_LABEL = "Not needed: we got in"


@dataclass(frozen=True)
class LogInput:
    client_id: str
    outcome: str
    no_access_reason: str | None
    distress: str
    concerns: tuple[str, ...]
    note: str
    follow_up: str
    # The photos sent with it (each one's SHA-256 as sent), in order.
    photos: tuple[str, ...] = ()

    def payload_hash(self) -> str:
        """What makes two sends the same log: everything but the client id (and the photos,
        for a log without any, so logs stored before photos came keep their hash)."""
        content = {k: v for k, v in asdict(self).items()
                   if k != "client_id" and not (k == "photos" and not v)}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _text(value) -> str:
    """Typed text as every form keeps it: control characters dropped, spaces trimmed. A JSON
    number, list or null where text belongs reads as nothing typed."""
    return strip_text(value) if isinstance(value, str) else ""


def _as_sent(value):
    """Keep a value as it came: the validators, not a conversion, decide what it means."""
    return value


def _free_text(name: str, label: str):
    """A note or follow-up: text within its limit. Anything else is refused, never dropped:
    a note sent as a number or a list would otherwise vanish without a word."""

    def check(_form, field):
        if field.data is not None and not isinstance(field.data, str):
            raise ValidationError(f"{label} must be text")
        if len(_text(field.data)) > LIMITS[name]:
            raise ValidationError(MESSAGES[name])

    return check


class LogForm(FlaskForm):
    class Meta:
        # CSRFProtect has checked every POST (the form's field or the outbox's header) before
        # this form reads it.
        csrf = False

    client_id = HiddenField()
    amends = HiddenField()
    outcome = RadioField("How did the visit go?", coerce=_as_sent, validate_choice=False)
    no_access_reason = RadioField("If there was no access, why?", coerce=_as_sent,
                                  validate_choice=False)
    distress = RadioField("Did you see distress?", coerce=_as_sent, validate_choice=False)
    concerns = SelectMultipleField("Any concerns? Tick all that apply", coerce=_as_sent,
                                   validate_choice=False)
    note = TextAreaField("Short note (optional)", validators=[_free_text("note", "Note")])
    follow_up = StringField("Follow-up needed (optional)",
                            validators=[_free_text("follow_up", "Follow-up")])
    # Checked by the route (logs.photos): a photo is read from its stream, not from form data.
    photos = MultipleFileField("Photos of the work (optional)")

    def __init__(self, catalogue: Catalogue, **kwargs):
        super().__init__(**kwargs)
        self.catalogue = catalogue
        self.outcome.choices = choices(
            (code, outcome.label) for code, outcome in catalogue.outcomes.items())
        self.no_access_reason.choices = choices(
            [("", NO_REASON_LABEL), *catalogue.no_access_reasons.items()])
        self.distress.choices = choices(catalogue.distress_levels.items())
        self.concerns.choices = choices(
            (code, concern.label) for code, concern in catalogue.concerns.items())

    def numbered_concern_groups(self) -> list[tuple[str, list[tuple[int, Concern]]]]:
        """The catalogue's concern groups, each concern with its number on the page (its
        checkbox's id, concerns-0, concerns-1, ... counted across the groups). Numbered here:
        a counter kept in the template (a Jinja namespace) cost about 5 % of the page."""
        numbers = itertools.count()
        return [(group, [(next(numbers), item) for item in items])
                for group, items in self.catalogue.concern_groups()]

    @property
    def no_access(self) -> bool:
        return _text(self.outcome.data) in self.catalogue.codes_where("is_no_access")

    def validate_client_id(self, field):
        if not CLIENT_ID.match(_text(field.data).lower()):
            raise ValidationError(CLIENT_ID_MESSAGE)

    def validate_outcome(self, field):
        if _text(field.data) not in self.catalogue.outcomes:
            raise ValidationError(MESSAGES["outcome"])

    def validate_no_access_reason(self, field):
        reason = _text(field.data)
        if self.no_access and reason not in self.catalogue.no_access_reasons:
            raise ValidationError(MESSAGES["no_access_reason"])
        # Refused, not dropped: "completed" with "no answer" cannot both be true, and only the
        # operative knows which one is.
        if not self.no_access and reason and _text(self.outcome.data) in self.catalogue.outcomes:
            raise ValidationError(MESSAGES["access_given"])

    def validate_distress(self, field):
        if _text(field.data) not in self.catalogue.distress_levels:
            raise ValidationError(MESSAGES["distress"])

    def validate_concerns(self, field):
        if not all(isinstance(code, str) and code in self.catalogue.concerns
                   for code in field.data or ()):
            raise ValidationError(CONCERNS_MESSAGE)

    def messages(self) -> dict[str, str]:
        """One plain-English message per field, as the outbox's API answers them."""
        return {name: errors[0] for name, errors in self.errors.items()}

    def log_input(self, photos: tuple[str, ...] = ()) -> LogInput:
        """The log as checked: call after validate() found no problem."""
        return LogInput(
            client_id=_text(self.client_id.data).lower(), outcome=_text(self.outcome.data),
            no_access_reason=_text(self.no_access_reason.data) or None,
            distress=_text(self.distress.data),
            concerns=tuple(sorted({self.catalogue.current_concern(code)
                                   for code in self.concerns.data or ()})),
            note=_text(self.note.data), follow_up=_text(self.follow_up.data), photos=photos)


def json_formdata(body: dict) -> MultiDict:
    """The outbox's JSON body as form data: concerns one value each (a lone string counts as
    one); every other value exactly as sent, so a note sent as a list is refused, not cut."""
    formdata = MultiDict()
    for name, value in body.items():
        if name == "concerns" and isinstance(value, list):
            formdata.setlist(name, value)
        elif value is not None:
            formdata.add(name, value)
    return formdata
