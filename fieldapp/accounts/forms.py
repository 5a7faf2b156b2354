"""Accounts' forms: naming a passkey."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length, StopValidation


class PasskeyNameForm(FlaskForm):
    name = StringField("Name for this passkey", validators=[
        InputRequired("Enter a name for this passkey"),
        Length(max=60, message="Name must be 60 characters or fewer")])

    def validate_name(self, field) -> None:
        if not field.data.strip():
            raise StopValidation("Enter a name for this passkey")
