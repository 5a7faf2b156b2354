"""One set of rules for a log, whether it comes from the form or from the phone's outbox."""

import hashlib
import json
import re
from dataclasses import asdict, dataclass

from fieldapp.core.catalogues import Catalogue
from fieldapp.core.fields import strip_text

NOTE_LIMIT = 500
FOLLOW_UP_LIMIT = 200
# The messages the form shows: also given to the phone, which checks a log before keeping it
# in the outbox with no signal.
MESSAGES = {
    "outcome": "Select how the visit went",
    "no_access_reason": "Select why there was no access",
    "distress": "Select how much distress you saw",
    "note": f"Note must be {NOTE_LIMIT} characters or fewer",
    "follow_up": f"Follow-up must be {FOLLOW_UP_LIMIT} characters or fewer",
}
LIMITS = {"note": NOTE_LIMIT, "follow_up": FOLLOW_UP_LIMIT}
CLIENT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class LogInput:
    client_id: str
    outcome: str
    no_access_reason: str | None
    distress: str
    concerns: tuple[str, ...]
    note: str
    follow_up: str

    def payload_hash(self) -> str:
        """What makes two sends the same log: everything but the client id."""
        content = {k: v for k, v in asdict(self).items() if k != "client_id"}
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _text(value) -> str:
    """Typed text as every form keeps it: control characters dropped, spaces trimmed."""
    return strip_text(value) if isinstance(value, str) else ""


def _free_text(raw: dict, name: str, errors: dict) -> str:
    """A note or follow-up: text within its limit. Anything else is refused, never dropped:
    a note sent as a number or a list would otherwise vanish without a word."""
    value = raw.get(name)
    if value is not None and not isinstance(value, str):
        errors[name] = f"{'Note' if name == 'note' else 'Follow-up'} must be text"
        return ""
    value = _text(value)
    if len(value) > LIMITS[name]:
        errors[name] = MESSAGES[name]
    return value


def validate_log(raw: dict, catalogue: Catalogue) -> tuple[LogInput | None, dict[str, str]]:
    """The log, or a plain-English message per field. `raw` is the form or the JSON body."""
    errors = {}
    client_id = _text(raw.get("client_id")).lower()
    if not CLIENT_ID.match(client_id):
        errors["client_id"] = "The log has no valid id: reload the page and send it again"
    outcome = _text(raw.get("outcome"))
    if outcome not in catalogue.outcomes:
        errors["outcome"] = MESSAGES["outcome"]
    reason = _check_reason(outcome, _text(raw.get("no_access_reason")) or None, catalogue,
                           errors)
    distress = _text(raw.get("distress"))
    if distress not in catalogue.distress_levels:
        errors["distress"] = MESSAGES["distress"]
    concerns = _check_concerns(raw.get("concerns"), catalogue, errors)
    note, follow_up = (_free_text(raw, name, errors) for name in ("note", "follow_up"))
    if errors:
        return None, errors
    return LogInput(client_id, outcome, reason, distress, concerns, note, follow_up), {}


def _check_reason(outcome: str, reason: str | None, catalogue: Catalogue, errors: dict):
    if outcome not in catalogue.codes_where("is_no_access"):
        # A radio cannot be unticked: a reason left over from a first choice means nothing.
        return None
    if reason not in catalogue.no_access_reasons:
        errors["no_access_reason"] = MESSAGES["no_access_reason"]
    return reason


def _check_concerns(concerns, catalogue: Catalogue, errors: dict) -> tuple[str, ...]:
    if concerns is None:
        return ()
    if isinstance(concerns, str):
        concerns = [concerns]
    if not isinstance(concerns, list) or not all(
            isinstance(c, str) and c in catalogue.concerns for c in concerns):
        errors["concerns"] = "Select concerns from the list"
        return ()
    return tuple(sorted(set(concerns)))
