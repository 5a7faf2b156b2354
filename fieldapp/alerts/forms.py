"""The form that closes an alert: what the officer did about it."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

ACTION_LIMIT = 500
WHAT_CHANGED_LIMIT = 300


def one_line(value):
    """Filter: the action taken reads as one line in the inbox, whatever spacing was typed."""
    return " ".join(value.split()) if isinstance(value, str) else value


class CloseAlertForm(FlaskForm):
    action_taken = TextAreaField("What did you do?", filters=[one_line], validators=[
        DataRequired("Enter the action you took"),
        Length(max=ACTION_LIMIT,
               message=f"Action taken must be {ACTION_LIMIT} characters or fewer")])

    # Only for an alert raised by the resident's feedback: sent to them ("you said, we did").
    what_changed = TextAreaField("What changed because of what the resident said?",
                                 filters=[one_line], validators=[Length(
                                     max=WHAT_CHANGED_LIMIT, message="What changed must be "
                                     f"{WHAT_CHANGED_LIMIT} characters or fewer")])

    def __init__(self, *args, already_closed: bool = False, from_feedback: bool = False,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.already_closed = already_closed
        self.from_feedback = from_feedback

    def validate_what_changed(self, field):
        if self.from_feedback and not field.data:
            raise ValidationError("Enter what changed, in words the resident will read")

    def validate_action_taken(self, _field):
        if self.already_closed:
            raise ValidationError("This alert is already closed")
