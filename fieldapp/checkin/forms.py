"""The check-in messages: one set of rules whether they come from a form on the briefing or
from the phone's outbox (a JSON body read into the same form)."""

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, SelectField
from wtforms.validators import ValidationError

from fieldapp.core.fields import choices

KINDS = ("in", "extend", "out", "help")
CLIENT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MINUTES = (15, 30, 45, 60, 90, 120, 180, 240)
EXTEND_MINUTES = (10, 15, 30, 60)
MESSAGES = {
    "client_id": "This message has no valid id: reload the page and try again",
    "kind": "Say whether you are going in, extending, out safe or asking for help",
    "minutes": "Select how long you expect to be",
    "checkin": "Check in first: this check-in is not known",
    "at": "Send the time as the phone recorded it",
}


@dataclass(frozen=True)
class CheckinInput:
    client_id: str
    kind: str
    minutes: int | None
    checkin: str | None  # the check-in's own client id, for an extension or "out safe"
    at: datetime | None  # when the phone recorded it; None: now

    def payload_hash(self) -> str:
        content = {k: (v.isoformat() if isinstance(v, datetime) else v)
                   for k, v in asdict(self).items() if k != "client_id"}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def minutes_choices(options, default: int | None = None) -> list[tuple[int, str]]:
    values = sorted(set(options) | ({default} if default else set()))
    return [(value, duration_words(value)) for value in values]


def duration_words(minutes: int) -> str:
    """"45 minutes", "1 hour", "1 hour 30 minutes", "2 hours"."""
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours > 1 else ''}"] if hours else []
    if rest or not hours:
        parts.append(f"{rest} minute{'' if rest == 1 else 's'}")
    return " ".join(parts)


def _phone_time(value) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise ValidationError(MESSAGES["at"]) from error
    if moment.tzinfo is None:
        raise ValidationError(MESSAGES["at"])
    return moment.astimezone(UTC)


def _whole_minutes(value) -> int | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CheckinForm(FlaskForm):
    class Meta:
        csrf = False  # every POST is checked by CSRFProtect, the JSON ones by header

    client_id = HiddenField()
    kind = HiddenField()
    checkin = HiddenField()
    at = HiddenField()
    minutes = SelectField("How long do you expect to be?", coerce=_whole_minutes,
                          choices=choices(minutes_choices(MINUTES + EXTEND_MINUTES)),
                          validate_choice=False)

    def validate_client_id(self, field):
        if not isinstance(field.data, str) or not CLIENT_ID.match(field.data):
            raise ValidationError(MESSAGES["client_id"])

    def validate_kind(self, field):
        if field.data not in KINDS:
            raise ValidationError(MESSAGES["kind"])

    def validate_minutes(self, field):
        if self.kind.data in ("in", "extend") and not (
                isinstance(field.data, int) and 5 <= field.data <= 480):
            raise ValidationError(MESSAGES["minutes"])

    def validate_checkin(self, field):
        if self.kind.data in ("extend", "out") and not (
                isinstance(field.data, str) and CLIENT_ID.match(field.data)):
            raise ValidationError(MESSAGES["checkin"])

    def validate_at(self, field):
        _phone_time(field.data)

    def messages(self) -> dict[str, str]:
        return {name: errors[0] for name, errors in self.errors.items()}

    def checkin_input(self) -> CheckinInput:
        needs_minutes = self.kind.data in ("in", "extend")
        return CheckinInput(self.client_id.data, self.kind.data,
                            self.minutes.data if needs_minutes else None,
                            self.checkin.data if self.kind.data in ("extend", "out") else None,
                            _phone_time(self.at.data))


def json_formdata(body: dict) -> MultiDict:
    return MultiDict({name: value for name, value in body.items()
                      if value is not None and not isinstance(value, (list, dict))})
