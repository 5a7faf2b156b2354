"""The form that closes an alert: what the officer did about it."""

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

ACTION_LIMIT = 500


def one_line(value):
    """Filter: the action taken reads as one line in the inbox, whatever spacing was typed."""
    return " ".join(value.split()) if isinstance(value, str) else value


class CloseAlertForm(FlaskForm):
    action_taken = TextAreaField("What did you do?", filters=[one_line], validators=[
        DataRequired("Enter the action you took"),
        Length(max=ACTION_LIMIT,
               message=f"Action taken must be {ACTION_LIMIT} characters or fewer")])

    def __init__(self, *args, already_closed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.already_closed = already_closed

    def validate_action_taken(self, _field):
        if self.already_closed:
            raise ValidationError("This alert is already closed")
