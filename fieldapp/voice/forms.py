"""The resident's two forms: how the visit felt, and "I can't do this time". Every answer may be
left; a resident is never told they must say why."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from fieldapp.core.catalogues import REBOOK_DAYS, REBOOK_TIMES
from fieldapp.core.fields import MultiCheckboxField, choices, strip_text

# Labels a resident reads are translated when the page is drawn (lazy), in the page's language.
QUESTIONS = [("felt_safe", _l("Did you feel safe?")),
             ("listened_to", _l("Did you feel listened to?")),
             ("in_control", _l("Did you feel in control of what happened?"))]
ANSWERS = {"yes": _l("Yes"), "partly": _l("Partly"), "no": _l("No")}
# How each question reads in an alert's reason when the answer was "No".
FELT = {"felt_safe": "safe", "listened_to": "listened to", "in_control": "in control"}
# What the feedback was about, for the measures' "you said, we did" table.
THEMES = {"felt_safe": "Feeling safe", "listened_to": "Being listened to",
          "in_control": "Feeling in control", "comment": "Comments on the visit"}
COMMENT_LIMIT = 1000
REASON_LIMIT = 500
NOTHING_SAID = _l("Answer a question or write a comment, or close this page")
NO_TIME_CHOSEN = _l("Tick the days or times that suit you, or tick \"Any day or time suits me\","
                    " so your housing officer knows when to offer")
# The catalogue's days and times (core.catalogues, the officer's English words) as a resident
# reads them.
DAY_WORDS = {"monday": _l("Monday"), "tuesday": _l("Tuesday"), "wednesday": _l("Wednesday"),
             "thursday": _l("Thursday"), "friday": _l("Friday"), "saturday": _l("Saturday")}
TIME_WORDS = {"morning": _l("Morning (8am to 12 noon)"),
              "afternoon": _l("Afternoon (12 noon to 5pm)"),
              "evening": _l("Early evening (5pm to 7pm)")}


def _answer(name: str) -> RadioField:
    # validate_choice=False: AnyOf gives our message, not WTForms' "Not a valid choice".
    return RadioField(dict(QUESTIONS)[name], choices=choices(ANSWERS.items()),
                      validate_choice=False, validators=[
                          Optional(), AnyOf(list(ANSWERS),
                                            message=_l("Choose yes, partly or no, or leave it"))])


class FeedbackForm(FlaskForm):
    felt_safe = _answer("felt_safe")
    listened_to = _answer("listened_to")
    in_control = _answer("in_control")
    comment = TextAreaField(_l("Anything you would like to tell us? (optional)"),
                            filters=[strip_text], validators=[Length(
                                max=COMMENT_LIMIT, message=_l(
                                    "Your comment is too long. Shorten it to %(limit)s "
                                    "characters or fewer.",
                                    limit=COMMENT_LIMIT))])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not any(self.answers().values()) and not self.comment.data:
            # On the first question: the summary links there, where a resident starts.
            self.felt_safe.errors.append(NOTHING_SAID)
            return False
        return True

    def answers(self) -> dict[str, str | None]:
        """Each question's answer, None where it was left."""
        return {name: self[name].data or None for name, _ in QUESTIONS}

    def attention(self) -> tuple[str, str] | None:
        """What the resident's officer is asked to follow up, and why: ("concern", reason) when
        something did not feel right, ("comment", reason) for a comment, else None."""
        missing = [FELT[name] for name, answer in self.answers().items() if answer == "no"]
        if missing:
            return "concern", f"The resident did not feel {' or '.join(missing)} at the visit"
        if self.comment.data:
            return "comment", "The resident left a comment on the visit"
        return None

    def theme(self) -> str:
        """What the feedback raised: the questions answered "No", else the comment."""
        missing = [THEMES[name] for name, answer in self.answers().items() if answer == "no"]
        return ", ".join(missing) or THEMES["comment"]


class FromList:
    """Every ticked option is one the page offered."""

    def __init__(self, options, message: str):
        self.codes, self.message = {code for code, _ in options}, message

    def __call__(self, _form, field):
        if not set(field.data or ()) <= self.codes:
            raise ValidationError(self.message)


class RebookForm(FlaskForm):
    days = MultiCheckboxField(_l("Which days suit you?"), choices=choices(
                                  (code, DAY_WORDS[code]) for code, _label in REBOOK_DAYS),
                              default=(), validate_choice=False, validators=[
                                  FromList(REBOOK_DAYS, _l("Choose days from the list"))])
    times = MultiCheckboxField(_l("What times of day suit you?"), choices=choices(
                                   (code, TIME_WORDS[code]) for code, _label in REBOOK_TIMES),
                               default=(), validate_choice=False, validators=[
                                   FromList(REBOOK_TIMES, _l("Choose times from the list"))])
    any_time = BooleanField(_l("Any day or time suits me"))
    reason = TextAreaField(_l("Anything you want us to know? (optional)"), filters=[strip_text],
                           validators=[Length(max=REASON_LIMIT, message=_l(
                               "What you want us to know is too long. Shorten it to %(limit)s "
                               "characters or fewer.", limit=REASON_LIMIT))])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not (self.days.data or self.times.data or self.any_time.data):
            # On the first choice, where the summary links and a resident starts.
            self.days.errors.append(NO_TIME_CHOSEN)
            return False
        return True

    def chosen(self) -> tuple[list[str], list[str]]:
        """The days and times that suit: every one of them when any time suits."""
        if self.any_time.data:
            return [code for code, _ in REBOOK_DAYS], [code for code, _ in REBOOK_TIMES]
        return list(self.days.data), list(self.times.data)
