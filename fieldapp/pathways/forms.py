"""The pathway form (agreed with the resident, recorded like consent for an adjustment) and
the admin's team inbox form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField
from wtforms.validators import AnyOf, InputRequired, ValidationError

from fieldapp.core.catalogues import CONSENT_GIVERS, CONSENT_WAYS
from fieldapp.core.clock import today_local
from fieldapp.core.fields import DayField, choices

PATHWAYS = [("standard", "Standard"),
            ("supported", "Supported: a pre-visit first, at most one visit a week, "
                          "and their single point of contact always named")]


def _one_of(label: str, pairs, message: str) -> RadioField:
    # Our message, not WTForms' "Not a valid choice".
    return RadioField(label, choices=choices(pairs), validate_choice=False, validators=[
        InputRequired(message), AnyOf([value for value, _label in pairs], message=message)])


class PathwayForm(FlaskForm):
    pathway = _one_of("Visit pathway", PATHWAYS, "Select the visit pathway")
    pathway_more_visits = BooleanField("The resident asked for more than one visit a week")
    pathway_advocate_messages = BooleanField(
        "The resident agreed that their advocate gets a copy of each appointment message")
    pathway_consent_given_by = _one_of("Who agreed to this pathway", CONSENT_GIVERS,
                                       "Select who agreed to the pathway")
    pathway_consent_how = _one_of("How they agreed", CONSENT_WAYS,
                                  "Select how they agreed to the pathway")
    pathway_consent_on = DayField("When they agreed", validators=[
        InputRequired("Enter the date they agreed, like 2026-11-23")])

    def __init__(self, *args, advocate_phone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.advocate_phone = advocate_phone

    def validate_pathway_consent_on(self, field):
        if field.data is not None and field.data > today_local():
            raise ValidationError("The date they agreed must be today or in the past")

    def validate_pathway_advocate_messages(self, field):
        if field.data and not self.advocate_phone:
            raise ValidationError("Add a phone number for their advocate first, in their "
                                  "details, so the copy has somewhere to go")

    def values(self) -> dict:
        supported = self.pathway.data == "supported"
        return {"pathway": self.pathway.data,
                "pathway_consent_given_by": self.pathway_consent_given_by.data,
                "pathway_consent_how": self.pathway_consent_how.data,
                "pathway_consent_on": self.pathway_consent_on.data.isoformat(),
                # Both belong to the supported pathway: a standard one keeps neither.
                "pathway_more_visits": int(supported and self.pathway_more_visits.data),
                "pathway_advocate_messages": int(supported
                                                 and self.pathway_advocate_messages.data)}


def _id_or_zero(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class TeamInboxForm(FlaskForm):
    user_id = SelectField("Team inbox", coerce=_id_or_zero, validate_choice=False)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user_ids = {user["id"] for user in users}
        self.user_id.choices = choices([(0, "Select an account")] + [
            (user["id"], user["name"]) for user in users])

    def validate_user_id(self, field):
        if field.data not in self.user_ids:
            raise ValidationError("Select the account that receives the team alerts")
