"""The form that closes an alert: what the officer did about it."""

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from fieldapp.core.fields import choices

ACTION_LIMIT = 500
WHAT_CHANGED_LIMIT = 300
NOTE_LIMIT = 500

# An alert raised by the resident's feedback: did anything change because of it? Feedback may
# be a comment, a thank-you or a concern that needed no change: "no" is an honest answer.
CHANGE_ANSWERS = (("yes", "Yes: write what changed"), ("no", "No change was needed"))
FEEDBACK_OUTCOMES = {"yes": "changed", "no": "no_change"}


def one_line(value):
    """Filter: the action taken reads as one line in the inbox, whatever spacing was typed."""
    return " ".join(value.split()) if isinstance(value, str) else value


class CloseAlertForm(FlaskForm):
    action_taken = TextAreaField("What did you do?", filters=[one_line], validators=[
        DataRequired("Enter the action you took"),
        Length(max=ACTION_LIMIT,
               message=f"Action taken must be {ACTION_LIMIT} characters or fewer")])

    # Only for an alert raised by the resident's feedback (the template shows them then).
    change_made = RadioField("Did anything change because of what the resident said?",
                             choices=choices(CHANGE_ANSWERS), validate_choice=False)
    # Sent to the resident ("you said, we did") only when something changed.
    what_changed = TextAreaField("What changed because of what the resident said?",
                                 filters=[one_line], validators=[Length(
                                     max=WHAT_CHANGED_LIMIT, message="What changed must be "
                                     f"{WHAT_CHANGED_LIMIT} characters or fewer")])
    # For the record only: staff read it on the alert; never sent, never on the measures.
    outcome_note = TextAreaField("Note for the record (optional)", filters=[one_line],
                                 validators=[Length(max=NOTE_LIMIT, message="Note for the "
                                                    f"record must be {NOTE_LIMIT} characters "
                                                    "or fewer")])

    def __init__(self, *args, already_closed: bool = False, from_feedback: bool = False,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.already_closed = already_closed
        self.from_feedback = from_feedback

    @property
    def feedback_outcome(self) -> str:
        """'changed', 'no_change', or '' for an alert not raised by feedback."""
        return FEEDBACK_OUTCOMES.get(self.change_made.data, "") if self.from_feedback else ""

    def validate_change_made(self, field):
        if self.from_feedback and field.data not in FEEDBACK_OUTCOMES:
            raise ValidationError("Select whether anything changed because of what the "
                                  "resident said")

    def validate_what_changed(self, field):
        if not self.from_feedback:
            return
        if self.change_made.data == "yes" and not field.data:
            raise ValidationError("Enter what changed, in words the resident will read")
        if self.change_made.data == "no" and field.data:
            # Words written for the resident are never dropped without a word.
            raise ValidationError("Select Yes to send what changed to the resident, or clear "
                                  "what changed")

    def validate_action_taken(self, _field):
        if self.already_closed:
            raise ValidationError("This alert is already closed")
