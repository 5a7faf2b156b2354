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

from babel.dates import format_date
from flask_babel import gettext, ngettext
from flask_babel import gettext as _

from fieldapp.core.catalogues import RESIDENT_FALLBACKS
from fieldapp.core.clock import to_local, today_local
from fieldapp.core.i18n import current_language, in_language, number_in_text, offered_language
from fieldapp.core.words import and_list
from fieldapp.messages import queries
from fieldapp.messages.reminders import reminder_will_go


@dataclass(frozen=True)
class Words:
    subject: str
    body: str
    language: str = "en"  # BCP 47: what the words are written in


class _Fallbacks(dict):
    def __missing__(self, key: str) -> str:
        return _(RESIDENT_FALLBACKS[key]) if RESIDENT_FALLBACKS.get(key) else ""


def clock_words(moment: datetime) -> str:
    """10am, 2:30pm, 12 noon, midnight; 24-hour digits in other languages."""
    if current_language() != "en":
        return moment.strftime("%H:%M")
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
    day = (f"{starts.strftime('%A')} {starts.day} {starts.strftime('%B')}"
           if current_language() == "en"
           else format_date(starts.date(), "EEEE d MMMM", locale=current_language()))
    return _("{day}, between {starts} and {ends}").format(
        day=day, starts=clock_words(starts), ends=clock_words(ends))


def first_name(name: str) -> str:
    return (name or "").split()[0] if (name or "").split() else ""


def people(count: int) -> str:
    return ngettext("%(num)s person", "%(num)s people", count)


def listed(names: list[str]) -> str:
    return and_list(names)


def who_is_coming(visit, operatives) -> str:
    if not operatives:
        return _("Who is coming: someone from {firm}. We will tell you their name before the "
                 "visit.").format(firm=visit["firm_name"])
    names = listed([first_name(o["name"]) for o in operatives])
    return _("Who is coming: {names} from {firm} ({people}).").format(
        names=names, firm=visit["firm_name"], people=people(len(operatives)))


def step_words(step) -> str:
    """A step and what it means for the resident: water off, noise, for how long. The step
    itself is as the officer wrote it (in English); what it means is in the resident's
    language."""
    text = step["description"].strip().rstrip(".") + "."
    minutes = step["expected_minutes"]
    off = {"water_off": (_("Your water will be off for about {minutes} minutes."),
                         _("Your water will be off for a short while.")),
           "power_off": (_("Your electricity will be off for about {minutes} minutes."),
                         _("Your electricity will be off for a short while.")),
           "gas_off": (_("Your gas will be off for about {minutes} minutes."),
                       _("Your gas will be off for a short while."))}
    meanings = [(timed if minutes else untimed).format(minutes=minutes)
                for flag, (timed, untimed) in off.items() if step[flag]]
    if step["noisy"]:
        meanings.append((_("This part is noisy, for about {minutes} minutes.") if minutes
                         else _("This part is noisy, for a short while.")).format(
                             minutes=minutes))
    if step["dusty"]:
        meanings.append(_("This part makes some dust."))
    return " ".join([text, *meanings])


def adjustment_words(visit, adjustment) -> str:
    parameters = {k: str(v).strip() for k, v in json.loads(adjustment["parameters"] or "{}")
                  .items() if str(v).strip() and k != "password"}
    if adjustment["type_code"] == "advocate_present":
        advocate = parameters.get("advocate") or visit["advocate_name"]
        parameters["advocate"] = (_("{name}, your advocate,").format(name=advocate)
                                  if advocate else "")
    if adjustment["type_code"] == "max_people" and parameters.get("n", "").isdigit():
        return ngettext("No more than %(num)d person will come into your home at once.",
                        "No more than %(num)d people will come into your home at once.",
                        int(parameters["n"]))
    template = adjustment["resident_template"]
    text = (_(template) if template else "").format_map(_Fallbacks(parameters))
    return " ".join(text.split())


def checking_words(visit) -> str:
    password = (" " + _("They will also say your doorstep password before they ask to come "
                        "in. You never need to say it to them. If a caller asks you for it, "
                        "keep the door shut and ring us.")
                if visit["has_password"] else "")
    return _("How to check it is us: the caller will show you an ID card with their photo and "
             "name.{password} If you are not sure, keep the door shut and ring {landlord} on "
             "{phone}, the number on our letters. We will check for you.").format(
        password=password, landlord=visit["landlord_name"],
        phone=number_in_text(visit["landlord_phone"]))


def contact_name(visit) -> str:
    """Who will be in touch, as it reads inside a sentence: every template puts it there."""
    return visit["officer_name"] or _("the housing team at {landlord}").format(
        landlord=visit["landlord_name"])


def contact_words(visit) -> str:
    phone = number_in_text(visit["officer_phone"] or visit["landlord_phone"])
    if visit["officer_name"]:
        return _("Your contact at {landlord} is {officer}, on {phone}.").format(
            landlord=visit["landlord_name"], officer=visit["officer_name"], phone=phone)
    return _("Your contact is the housing team at {landlord}, on {phone}.").format(
        landlord=visit["landlord_name"], phone=phone)


def compose(db, visit_id: int, event: str, rebook_link: str = "",
            choice_link: str = "") -> Words:
    """The message for this event, as the resident will read it, in every channel: in their
    language when resident pages are offered in it, else English."""
    visit = queries.visit_for_message(db, visit_id)
    language = offered_language(db, visit["language"])
    with in_language(language):
        if event in CHOICE_EVENTS:
            return _choice_message(db, visit, event, choice_link, language)
        return _compose(db, visit, queries.template(db, event), rebook_link, language)


def _compose(db, visit, template, rebook_link: str, language: str) -> Words:
    values = {"when": day_and_window(visit["starts_at"], visit["ends_at"]),
              "trade": visit["trade"].lower(), "landlord": visit["landlord_name"],
              "contact": contact_name(visit)}
    greeting = first_name(visit["preferred_name"] or visit["resident_name"])
    parts = [_("Hello {name},").format(name=greeting) if greeting else _("Hello,"),
             _(template["opening"]).format(**values)]
    if template["shows_visit"]:
        parts += _visit_details(db, visit, rebook_link)
    parts += [_next_steps(visit, template).format(**values), contact_words(visit),
              visit["landlord_name"]]
    return Words(subject=_(template["subject"]).format(**values), body="\n\n".join(parts),
                 language=language)


def _next_steps(visit, template) -> str:
    """What happens next. While the resident's request for another time stands, operatives do
    not go unless the office says: a booking or change then never says "we will come"."""
    if visit["rebook_requested"] and template["event"] in ("booked", "changed"):
        return _("You asked us for another time, so nobody will come on {when} unless you tell "
                 "us it suits you. If anything changes, we will tell you straight away.")
    return _(template["next_steps"])


def _visit_details(db, visit, rebook_link: str) -> list[str]:
    parts = [who_is_coming(visit, queries.operatives_of_visit(db, visit["id"]))]
    steps = queries.steps_of_visit(db, visit["id"])
    if steps:
        parts.append(_("What we will do, step by step:") + "\n" + "\n".join(
            f"{n}. {step_words(step)}" for n, step in enumerate(steps, start=1)))
    arranged = [adjustment_words(visit, a)
                for a in queries.adjustments_for_resident(db, visit["resident_id"])]
    if arranged:
        parts.append(_("What we have arranged with you:") + "\n" + "\n".join(
            f"- {text}" for text in arranged))
    parts.append(checking_words(visit))
    if rebook_link:
        parts.append(_("If this time does not suit, tell us here: {link}. You do not have to "
                       "give a reason.").format(link=rebook_link))
    return parts


# The resident's own choice of time, and "you said, we did": written here with gettext, so the
# message is in the resident's language (the same English words seed message_templates for the
# officer's list and the templates page).
CHOICE_EVENTS = ("times_offered", "time_chosen", "you_said_we_did")


def _choice_message(db, visit, event: str, link: str, language: str) -> Words:
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
        if visit["rebook_requested"]:  # operatives do not go unless the office says
            parts.append(gettext("You told us %(when)s does not suit you, so nobody will come "
                                 "at that time unless you tell us it does.", **values))
        else:
            parts.append(gettext("If we do not hear from you, we will come as booked: "
                                 "%(when)s.", **values))
    elif event == "time_chosen":
        subject = gettext("We have booked your %(trade)s visit: %(when)s", **values)
        parts.append(gettext("We have booked your %(trade)s visit for %(when)s, the time you "
                             "chose.", **values))
        parts += _visit_details(db, visit, "")
        if reminder_will_go(db, visit):
            parts.append(gettext("We will send you a reminder the day before."))
        parts.append(_change_by_link(visit, link, values["contact"]))
    else:
        subject = gettext("You told us about your %(trade)s visit", **values)
        parts.append(gettext("Thank you for telling us how your %(trade)s visit on %(when)s "
                             "felt. Because of what you said, we have made a change:", **values))
        parts.append(queries.what_changed_for_visit(db, visit["id"]))
        parts.append(gettext("If there is anything else, tell %(contact)s. We read everything "
                             "residents tell us.", **values))
    parts += [contact_words(visit), visit["landlord_name"]]
    return Words(subject=subject, body="\n\n".join(parts), language=language)


def _change_by_link(visit, link: str, contact: str) -> str:
    """The link changes a chosen time up to the day before the visit (choice.logic.can_change):
    offered only while that holds, else who to tell."""
    days_ahead = (to_local(visit["starts_at"]).date() - today_local()).days
    if days_ahead > 1:
        return gettext("If you need to change the time, use the same link until the day "
                       "before the visit: %(link)s", link=link)
    if days_ahead == 1:
        return gettext("If you need to change the time, you can use the same link until the "
                       "end of today: %(link)s", link=link)
    return gettext("If you need to change the time, tell %(contact)s.", contact=contact)
