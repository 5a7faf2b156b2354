"""The words of a message, written for the resident: the day and window in words, who is
coming, the schedule of works step by step with what it means for them, the adjustments they
agreed that change the visit, how to check the caller, their options, what happens if they do
not reply, and their named contact.

Only what the resident may read goes in: never a note, a diagnosis or an adjustment's detail
(the queries do not even read them), never the doorstep password itself.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale, gettext

from fieldapp.core.catalogues import RESIDENT_FALLBACKS
from fieldapp.core.clock import to_local
from fieldapp.messages import queries


@dataclass(frozen=True)
class Words:
    subject: str
    body: str


class _Fallbacks(dict):
    def __missing__(self, key: str) -> str:
        return RESIDENT_FALLBACKS.get(key, "")


def clock_words(moment: datetime) -> str:
    """10am, 2:30pm, 12 noon, midnight."""
    if moment.minute == 0 and moment.hour == 12:
        return "12 noon"
    if moment.minute == 0 and moment.hour == 0:
        return "midnight"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def day_and_window(starts_at: str, ends_at: str) -> str:
    """"Thursday 4 December, between 10am and 12 noon"."""
    starts, ends = to_local(starts_at), to_local(ends_at)
    return (f"{starts.strftime('%A')} {starts.day} {starts.strftime('%B')}, between "
            f"{clock_words(starts)} and {clock_words(ends)}")


def first_name(name: str) -> str:
    return (name or "").split()[0] if (name or "").split() else ""


def people(count: int) -> str:
    return "1 person" if count == 1 else f"{count} people"


def listed(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def who_is_coming(visit, operatives) -> str:
    if not operatives:
        return (f"Who is coming: someone from {visit['firm_name']}. We will tell you their "
                "name before the visit.")
    names = listed([first_name(o["name"]) for o in operatives])
    return f"Who is coming: {names} from {visit['firm_name']} ({people(len(operatives))})."


def step_words(step) -> str:
    """A step and what it means for the resident: water off, noise, for how long."""
    text = step["description"].strip().rstrip(".") + "."
    about = (f"for about {step['expected_minutes']} minutes" if step["expected_minutes"]
             else "for a short while")
    meanings = [f"Your {what} will be off {about}." for flag, what in
                (("water_off", "water"), ("power_off", "electricity"), ("gas_off", "gas"))
                if step[flag]]
    if step["noisy"]:
        meanings.append(f"This part is noisy, {about}.")
    if step["dusty"]:
        meanings.append("This part makes some dust.")
    return " ".join([text, *meanings])


def adjustment_words(visit, adjustment) -> str:
    parameters = {k: str(v).strip() for k, v in json.loads(adjustment["parameters"] or "{}")
                  .items() if str(v).strip() and k != "password"}
    if adjustment["type_code"] == "advocate_present":
        advocate = parameters.get("advocate") or visit["advocate_name"]
        parameters["advocate"] = f"{advocate}, your advocate," if advocate else ""
    text = adjustment["resident_template"].format_map(_Fallbacks(parameters))
    return " ".join(text.split())


def checking_words(visit) -> str:
    password = (" They will also say your doorstep password before they ask to come in. We "
                "will never ask you to tell us it." if visit["has_password"] else "")
    return (f"How to check it is us: the caller will show you an ID card with their photo and "
            f"name.{password} If you are not sure, keep the door shut and ring "
            f"{visit['landlord_name']} on {visit['landlord_phone']}, the number on our letters. "
            "We will check for you.")


def contact_name(visit) -> str:
    return visit["officer_name"] or f"Our housing team at {visit['landlord_name']}"


def contact_words(visit) -> str:
    phone = visit["officer_phone"] or visit["landlord_phone"]
    if visit["officer_name"]:
        return (f"Your contact at {visit['landlord_name']} is {visit['officer_name']}, on "
                f"{phone}.")
    return f"Your contact is the housing team at {visit['landlord_name']}, on {phone}."


def compose(db, visit_id: int, event: str, rebook_link: str = "",
            choice_link: str = "") -> Words:
    """The message for this event, as the resident will read it, in every channel."""
    visit = queries.visit_for_message(db, visit_id)
    if event in CHOICE_EVENTS:
        with force_locale(visit["language"] or "en"):
            return _choice_message(db, visit, event, choice_link)
    template = queries.template(db, event)
    values = {"when": day_and_window(visit["starts_at"], visit["ends_at"]),
              "trade": visit["trade"].lower(), "landlord": visit["landlord_name"],
              "contact": contact_name(visit)}
    greeting = first_name(visit["preferred_name"] or visit["resident_name"])
    parts = [f"Hello {greeting}," if greeting else "Hello,", template["opening"].format(**values)]
    if template["shows_visit"]:
        parts += _visit_details(db, visit, rebook_link)
    parts += [template["next_steps"].format(**values), contact_words(visit),
              visit["landlord_name"]]
    return Words(subject=template["subject"].format(**values), body="\n\n".join(parts))


def _visit_details(db, visit, rebook_link: str) -> list[str]:
    parts = [who_is_coming(visit, queries.operatives_of_visit(db, visit["id"]))]
    steps = queries.steps_of_visit(db, visit["id"])
    if steps:
        parts.append("What we will do, step by step:\n" + "\n".join(
            f"{n}. {step_words(step)}" for n, step in enumerate(steps, start=1)))
    arranged = [adjustment_words(visit, a)
                for a in queries.adjustments_for_resident(db, visit["resident_id"])]
    if arranged:
        parts.append("What we have arranged with you:\n" + "\n".join(
            f"- {text}" for text in arranged))
    parts.append(checking_words(visit))
    if rebook_link:
        parts.append(f"If this time does not suit, tell us here: {rebook_link}. You do not "
                     "have to give a reason.")
    return parts


# The resident's own choice of time, and "you said, we did": written here with gettext, so the
# message is in the resident's language (the same English words seed message_templates for the
# officer's list and the templates page).
CHOICE_EVENTS = ("times_offered", "time_chosen", "you_said_we_did")


def _choice_message(db, visit, event: str, link: str) -> Words:
    values = {"when": day_and_window(visit["starts_at"], visit["ends_at"]),
              "trade": visit["trade"].lower(), "contact": contact_name(visit)}
    greeting = first_name(visit["preferred_name"] or visit["resident_name"])
    parts = [gettext("Hello %(name)s,", name=greeting) if greeting else gettext("Hello,")]
    if event == "times_offered":
        subject = gettext("Choose a time for your %(trade)s visit", **values)
        parts.append(gettext("We would like to agree a time for your %(trade)s visit that "
                             "suits you. These times are free:", **values))
        parts.append("\n".join(f"- {day_and_window(w['starts_at'], w['ends_at'])}"
                               for w in queries.offered_windows(db, visit["id"])))
        parts.append(gettext("Choose one here: %(link)s. If none of them suit, the same link "
                             "lets you tell us when would. You do not have to give a reason.",
                             link=link))
        parts.append(gettext("If we do not hear from you, we will come as booked: %(when)s.",
                             **values))
    elif event == "time_chosen":
        subject = gettext("We have booked your %(trade)s visit: %(when)s", **values)
        parts.append(gettext("We have booked your %(trade)s visit for %(when)s, the time you "
                             "chose.", **values))
        parts += _visit_details(db, visit, "")
        parts.append(gettext("We will send you a reminder the day before. If you need to change "
                             "the time, use the same link until the day before the visit: "
                             "%(link)s", link=link))
    else:
        subject = gettext("You told us about your %(trade)s visit", **values)
        parts.append(gettext("Thank you for telling us how your %(trade)s visit on %(when)s "
                             "felt. Because of what you said, we have made a change:", **values))
        parts.append(queries.what_changed_for_visit(db, visit["id"]))
        parts.append(gettext("If there is anything else, tell %(contact)s. We read everything "
                             "residents tell us.", **values))
    parts += [contact_words(visit), visit["landlord_name"]]
    return Words(subject=subject, body="\n\n".join(parts))
