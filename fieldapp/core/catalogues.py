"""The catalogues from the domain vocabulary, as data the first migration seeds.

Screens read these from the database, never from here, so an admin can later edit them
without a release (catalogue(db) below reads them, once per database). Wording is what an
operative or resident reads: plain, calm, about what to do.
"""

import json
import re
from dataclasses import dataclass

from fieldapp.core.i18n import marked

# (code, label, instruction template, parameters); a parameter is (name, label, kind).
ADJUSTMENT_TYPES = [
    ("advocate_present", "Advocate present",
     "{advocate} will be with the resident. Wait for them before you start.",
     [("advocate", "Advocate's name", "text"), ("phone", "Advocate's phone", "phone")]),
    ("interpreter", "Interpreter",
     "The resident's language is {language}. An interpreter is booked / use the phone "
     "interpreting line.",
     [("language", "Language", "text"), ("booked", "Interpreter booked", "yesno")]),
    ("call_ahead", "Call ahead",
     "Phone the resident {minutes} minutes before you arrive.",
     [("minutes", "Minutes before arrival", "number"), ("phone", "Number to call", "phone")]),
    ("text_ahead", "Text ahead", "Send a text when you are on your way.", []),
    ("gentle_knock", "Gentle knock",
     "Knock gently. Do not ring the bell or knock repeatedly.", []),
    ("wait_at_door", "Wait at the door",
     "The resident may take a while to reach the door. Wait at least {minutes} minutes.",
     [("minutes", "Minutes to wait", "number")]),
    ("doorstep_password", "Doorstep password",
     "The resident has set a password. Say it at the door before you ask to come in.",
     [("password", "Password (shown only on the visit day)", "secret")]),
    ("explain_each_step", "Explain each step",
     "Explain each step before you start it, and check it is OK to carry on.", []),
    ("written_schedule", "Written schedule",
     "The resident has a copy of the schedule of works. Follow it; tell them if anything "
     "changes.", []),
    ("max_people", "Limit people inside",
     "No more than {n:person} inside the home at once.", [("n", "Most people inside", "number")]),
    # Checked by the booking: only operatives an admin marked as able to attend where a
    # female operative is asked for are offered (users.attends_female_requests).
    ("same_gender", "Female operative requested",
     "The resident has asked for a female operative. Only operatives who can attend where a "
     "female operative is asked for are booked for this visit.", []),
    ("extra_time", "Extra time", "Allow extra time. Do not rush the resident.", []),
    ("offer_breaks", "Offer breaks",
     "Offer breaks. Stop straight away if the resident asks.", []),
    ("noise_warning", "Warn before noise",
     "Warn the resident before using loud tools, and say how long the noise will last.", []),
    # Times and days are data the booking checks; "{when}" is written from them when the
    # adjustment is saved (timing_words below), never typed.
    ("avoid_times", "Visit times", "Do not visit {when}.",
     [("not_before", "Not before (like 10:00)", "time"),
      ("not_after", "Not after (like 12:00)", "time"),
      ("days", "Not on these days", "weekdays")]),
    ("pre_visit", "Pre-visit",
     "This resident has had (or needs) a short introductory visit before any work.", []),
    ("fewer_visits", "Fewer visits", "Bundle the work into as few visits as possible.", []),
    ("hearing", "Hearing loss",
     "The resident has hearing loss: knock loudly or text when outside; face them when you "
     "speak.", []),
    ("sight", "Sight loss",
     "The resident has sight loss: say your name and read your ID aloud.", []),
    ("easy_read", "Easy read", "Use short, simple sentences; show rather than tell.", []),
    ("pets", "Pets", "There are pets at the home; ask for them to be secured.", []),
    ("other", "Other", "{text}", [("text", "Instruction to staff", "text")]),
]

# (code, label, stops the visit, counts as no access)
VISIT_OUTCOMES = [
    ("completed", "Completed", False, False),
    ("partly_completed", "Partly completed (follow-on needed)", False, False),
    ("no_access", "No access", False, True),
    ("stopped_distress", "Stopped - resident distressed", True, False),
    ("stopped_unsafe", "Stopped - unsafe to continue", True, False),
    ("not_attended", "Not attended (we missed it)", False, False),
]

NO_ACCESS_REASONS = [
    ("no_answer", "No answer"),
    ("asked_to_rebook", "Resident asked to rebook"),
    ("resident_unwell", "Resident unwell"),
    ("refused_entry", "Resident refused entry"),
    ("access_problem", "Access problem (door entry, parking)"),
    ("operative_late", "Operative late or wrong time"),
]

# (code, label, rank)
DISTRESS_LEVELS = [("none", "None", 0), ("some", "Some", 1), ("significant", "Significant", 2)]

# Who agreed, and how: for an adjustment and for a visit pathway alike.
CONSENT_GIVERS = [("resident", "The resident"), ("advocate", "Their advocate"),
                  ("appointee", "An appointee")]
CONSENT_WAYS = [("in_person", "In person"), ("phone", "By phone"), ("letter", "By letter"),
                ("email", "By email")]

# Who can help: what a referral route helps with (code, label). The distress card shows the
# routes that help in a crisis at the door; the alert page offers every route.
REFERRAL_HELPS = [
    ("mental_health_crisis", "Mental health crisis"), ("advice", "Advice"), ("debt", "Debt"),
    ("domestic_abuse", "Domestic abuse"), ("safeguarding_adults", "Safeguarding adults"),
    ("safeguarding_children", "Safeguarding children"), ("interpreting", "Interpreting")]
DISTRESS_CARD_HELPS = ("mental_health_crisis", "domestic_abuse", "safeguarding_adults",
                       "safeguarding_children")
# The national lines every landlord shares, seeded by a migration:
# (name, helps with, hours, phone, text number, web address).
NATIONAL_REFERRAL_ROUTES = [
    ("Samaritans", ["mental_health_crisis"], "Any time, day or night", "116 123", "",
     "https://www.samaritans.org"),
    ("NHS 111, option 2 (mental health crisis)", ["mental_health_crisis"],
     "Any time: call 111 and choose option 2", "111", "", "https://111.nhs.uk"),
    ("Shout (text)", ["mental_health_crisis"], "Any time: text SHOUT to 85258", "", "85258",
     "https://giveusashout.org"),
    ("National Domestic Abuse Helpline", ["domestic_abuse"], "Any time, day or night",
     "0808 2000 247", "", "https://www.nationaldahelpline.org.uk"),
]

# (group code, group label, [(code, label)])
CONCERN_GROUPS = [
    ("adult_safeguarding", "Adult safeguarding", [
        ("self_neglect", "Self-neglect"),
        ("hoarding", "Hoarding"),
        ("suspected_abuse", "Suspected abuse"),
        ("risk_to_self", "Risk to self"),
    ]),
    ("child_safeguarding", "Child safeguarding", [("child_safeguarding", "Child safeguarding")]),
    ("domestic_abuse", "Domestic abuse", [("domestic_abuse", "Signs of domestic abuse")]),
    ("property_hazard", "Property hazard", [
        ("no_heating_hot_water", "No heating or hot water"),
        ("damp_mould", "Damp and mould"),
        ("electrical", "Electrical"),
        ("gas_smell", "Gas smell"),
        ("structural", "Structural"),
        ("fire_safety", "Fire safety"),
    ]),
    ("welfare", "Welfare", [
        ("appears_unwell", "Appears unwell"),
        ("no_food", "No food"),
        ("welfare_no_heating", "No heating"),
    ]),
    ("contact", "Contact", [("asked_for_officer", "Resident asked to speak to their officer")]),
]

# Where each adjustment is read in the briefing (doorstep order), and its chip on the day list.
# before_knock: on the way and at the door before it opens; at_door: once it opens;
# during_work: how every step of the work is done.
ADJUSTMENT_BRIEFING = {
    "advocate_present": ("before_knock", "Advocate present"),
    "interpreter": ("before_knock", "Interpreter: {language}"),
    "call_ahead": ("before_knock", "Call {minutes} min ahead"),
    "text_ahead": ("before_knock", "Text ahead"),
    "gentle_knock": ("before_knock", "Gentle knock"),
    "wait_at_door": ("before_knock", "Wait {minutes} min at door"),
    "doorstep_password": ("at_door", "Doorstep password"),
    "explain_each_step": ("during_work", "Explain each step"),
    "written_schedule": ("during_work", "Has written schedule"),
    "max_people": ("before_knock", "No more than {n} inside"),
    "same_gender": ("before_knock", "Female operative"),
    "extra_time": ("during_work", "Extra time"),
    "offer_breaks": ("during_work", "Offer breaks"),
    "noise_warning": ("during_work", "Warn before noise"),
    "avoid_times": ("before_knock", "Not {when}"),
    "pre_visit": ("before_knock", "Pre-visit"),
    "fewer_visits": ("during_work", "Fewer visits"),
    "hearing": ("before_knock", "Hearing loss"),
    "sight": ("at_door", "Sight loss"),
    "easy_read": ("at_door", "Simple words"),
    "pets": ("before_knock", "Pets"),
    "other": ("before_knock", "See briefing"),
}

# The adjustment whose times and days the booking checks, and the one that limits who may be
# booked to operatives who can attend where a female operative is asked for.
TIMING_TYPE = "avoid_times"
FEMALE_OPERATIVE_TYPE = "same_gender"
WEEKDAYS = [("monday", "Monday"), ("tuesday", "Tuesday"), ("wednesday", "Wednesday"),
            ("thursday", "Thursday"), ("friday", "Friday"), ("saturday", "Saturday"),
            ("sunday", "Sunday")]
HOUR_MINUTE = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")


def clock_text(text) -> str | None:
    """A typed time ("9:30", "14.00") as "HH:MM", or None when it is not one."""
    match = HOUR_MINUTE.match(str(text or "").strip())
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else None


def spoken_time(hh_mm: str) -> str:
    """"10:00" -> "10am", "14:30" -> "2:30pm", "12:00" -> "12 noon"."""
    hour, minute = (int(part) for part in hh_mm.split(":"))
    if (hour, minute) == (12, 0):
        return "12 noon"
    if (hour, minute) == (0, 0):
        return "midnight"
    suffix = "am" if hour < 12 else "pm"
    shown = hour % 12 or 12
    return f"{shown}{suffix}" if minute == 0 else f"{shown}:{minute:02d}{suffix}"


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " or " + parts[-1]


def timing_words(parameters: dict) -> str:
    """The plain words for a timing adjustment's times and days: "before 10am or on Fridays"."""
    labels = dict(WEEKDAYS)
    parts = []
    if parameters.get("not_before"):
        parts.append("before " + spoken_time(parameters["not_before"]))
    if parameters.get("not_after"):
        parts.append("after " + spoken_time(parameters["not_after"]))
    days = [labels[d] + "s" for d, _label in WEEKDAYS if d in (parameters.get("days") or [])]
    if days:
        parts.append("on " + _joined(days))
    return _joined(parts) if parts else ""


def with_timing_words(code: str, parameters: dict) -> dict:
    """A timing adjustment's parameters with "when" written from its times and days."""
    if code != TIMING_TYPE:
        return parameters
    structured = {k: v for k, v in parameters.items() if k in ("not_before", "not_after", "days")
                  and v}
    return {**structured, "when": timing_words(structured)} if structured else parameters


def timing_broken(parameters: dict, starts, ends) -> list[str]:
    """What in a window (local datetimes) breaks a timing adjustment, in plain words."""
    problems = []
    not_before, not_after = parameters.get("not_before"), parameters.get("not_after")
    if not_before and starts.strftime("%H:%M") < not_before:
        problems.append(f"the window starts at {starts:%H:%M}, and the resident asked us not "
                        f"to visit before {spoken_time(not_before)}")
    if not_after and ends.strftime("%H:%M") > not_after:
        problems.append(f"the window ends at {ends:%H:%M}, and the resident asked us not to "
                        f"visit after {spoken_time(not_after)}")
    day = WEEKDAYS[starts.weekday()]
    if day[0] in (parameters.get("days") or []):
        problems.append(f"the visit is on a {day[1]}, and the resident asked us not to visit "
                        f"on {day[1]}s")
    return problems


_DAY_WORDS = {code: code for code, _label in WEEKDAYS}
_DAY_WORDS.update({code[:3]: code for code, _label in WEEKDAYS})
_WORDED_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|noon)?$")


def _worded_time(text: str) -> str | None:
    match = _WORDED_TIME.match(text.strip())
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half == "pm" and hour < 12:
        hour += 12
    if half == "am" and hour == 12:
        hour = 0
    if half is None and match.group(2) is None:
        return None  # "before 10" could be a date or a count: leave it to a person
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


# Phrases that are only a time of day: (pattern, what it means as data).
_PART_OF_DAY = [
    (r"(only )?(in the )?mornings?( only)?", "only", {"not_after": "12:00"}),
    (r"(only )?(in the )?afternoons?( only)?", "only", {"not_before": "12:00"}),
    (r"(in the )?mornings?", "", {"not_before": "12:00"}),
    (r"(in the )?afternoons?", "", {"not_after": "12:00"}),
]
_WEEKEND = ("weekends", "the weekend", "weekend")


def _timing_of_chunk(chunk: str) -> dict | None:
    for pattern, needs, meaning in _PART_OF_DAY:
        if re.fullmatch(pattern, chunk) and needs in chunk:
            return meaning
    for prefix, name in (("before ", "not_before"), ("after ", "not_after")):
        if chunk.startswith(prefix) and _worded_time(chunk.removeprefix(prefix)):
            return {name: _worded_time(chunk.removeprefix(prefix))}
    words = re.sub(r"^(on|at|in the|during)\s+", "", chunk)
    if words in _WEEKEND:
        return {"days": ["saturday", "sunday"]}
    day = _DAY_WORDS.get(words.removesuffix("s"))
    return {"days": [day]} if day else None


def timing_from_words(text: str) -> dict | None:
    """The times and days in words an officer typed before they were data ("before 10am",
    "mornings only", "on Fridays"), or None when any part of it is not recognised."""
    found: dict = {}
    chunks = re.split(r",|;|\bor\b|\band\b", text.lower().strip().rstrip("."))
    for chunk in filter(None, (c.strip() for c in chunks)):
        meaning = _timing_of_chunk(chunk)
        if meaning is None:
            return None
        days = found.get("days", []) + meaning.get("days", [])
        found.update(meaning)
        if days:
            found["days"] = [d for d, _label in WEEKDAYS if d in days]
    return found or None


# What stands in for a parameter the officer left empty, so an instruction still reads well.
PARAMETER_FALLBACKS = {
    "advocate": "The resident's advocate",
    "language": "not English",
    "minutes": "a few",
    "n": "two",
    "gender": "particular",
    "when": "at times the resident has asked us to avoid",
    "text": "",
}

# Schedule-of-works hints: (column, short tag, what to tell the resident first, or "").
STEP_HINTS = [
    ("noisy", "Noisy", ""),
    ("dusty", "Dusty", ""),
    ("water_off", "Water off", "Tell the resident the water will be off, and for how long."),
    ("power_off", "Power off", "Tell the resident the power will be off, and for how long."),
    ("gas_off", "Gas off", "Tell the resident the gas will be off, and for how long."),
]

# Adjustments that change how a step is done: (code, only for steps with this hint or None for
# every step, what to do). "{minutes}" is the step's expected duration. They are shown on each
# step instead of in the general list.
STEP_ADJUSTMENTS = [
    ("explain_each_step", None, "Explain before you start, and check it is OK to carry on."),
    ("noise_warning", "noisy", "Warn before the noise: about {minutes} minutes."),
]

# The languages a resident's page offers: (BCP 47 code, English name, other names it is written
# as). English first, then the languages most asked for in UK social housing, by name.
LANGUAGES = [
    ("en", "English", ()),
    ("sq", "Albanian", ()),
    ("am", "Amharic", ()),
    ("ar", "Arabic", ()),
    ("bn", "Bengali", ("Bangla", "Sylheti")),
    ("bfi", "British Sign Language", ("BSL", "Sign language")),
    ("yue", "Cantonese", ("Chinese (Cantonese)",)),
    ("fr", "French", ()),
    ("gu", "Gujarati", ()),
    ("hi", "Hindi", ()),
    ("it", "Italian", ()),
    ("ku", "Kurdish", ()),
    ("lt", "Lithuanian", ()),
    ("cmn", "Mandarin", ("Chinese (Mandarin)", "Chinese")),
    ("ps", "Pashto", ("Pushto",)),
    ("fa", "Persian (Farsi)", ("Persian", "Farsi")),
    ("pl", "Polish", ()),
    ("pt", "Portuguese", ()),
    ("pa", "Punjabi", ("Panjabi",)),
    ("ro", "Romanian", ()),
    ("ru", "Russian", ()),
    ("so", "Somali", ()),
    ("es", "Spanish", ()),
    ("ta", "Tamil", ()),
    ("ti", "Tigrinya", ()),
    ("tr", "Turkish", ()),
    ("uk", "Ukrainian", ()),
    ("ur", "Urdu", ()),
    ("cy", "Welsh", ()),
    ("yi", "Yiddish", ()),
]

# The languages resident pages and messages are translated into (fieldapp/translations):
# (BCP 47 code, the language's name in itself, writing direction). English is the source.
PAGE_LANGUAGES = [
    ("en", "English", "ltr"),
    ("tr", "Türkçe", "ltr"),
    ("bn", "বাংলা", "ltr"),
    ("pl", "Polski", "ltr"),
    ("so", "Soomaali", "ltr"),
    ("ar", "العربية", "rtl"),
    ("yi", "ייִדיש", "rtl"),
]

# How the resident is interpreted for: (code, what the officer picks, what the operative reads).
# "{language}" is the language's English name. Not needed with English says nothing.
INTERPRETER_ARRANGEMENTS = [
    ("not_needed", "Not needed", "The resident speaks {language}. They do not need an "
                                 "interpreter."),
    ("needed", "Needed, not booked yet", "The resident speaks {language} and needs an "
                                         "interpreter. None is booked yet: ask the office "
                                         "before you go."),
    ("in_person", "Booked to come in person", "The resident speaks {language}. An interpreter "
                                              "is booked to come in person: wait for them "
                                              "before you start."),
    ("phone", "By phone (the interpreting line)", "The resident speaks {language}. Use the "
                                                  "phone interpreting line to talk with them."),
]
# What the operative reads when the landlord has not set an interpreting line yet.
NO_INTERPRETING_LINE = "Ask the office for the interpreting line's number."
# The interpreter instruction's chip on the day list.
INTERPRETER_CHIP = "Interpreter: {language}"
SPEAKS_CHIP = "Speaks {language}"


def language_by_name(text: str) -> str | None:
    """The code of a language written by name (or code), whatever its case, else None."""
    wanted = " ".join((text or "").split()).casefold()
    for code, name, aliases in LANGUAGES:
        if wanted in {code.casefold(), name.casefold(), *(a.casefold() for a in aliases)}:
            return code
    return None


# Alert rules: (code, severity, what they match, the value matched, what the officer reads).
# A log raises one alert with the highest severity of the rules it fires and every reason.
ALERT_RULES = [
    ("safeguarding_adult", "urgent", "concern_group", "adult_safeguarding",
     "Adult safeguarding concern"),
    ("safeguarding_child", "urgent", "concern_group", "child_safeguarding",
     "Child safeguarding concern"),
    ("domestic_abuse", "urgent", "concern_group", "domestic_abuse", "Signs of domestic abuse"),
    ("risk_to_self", "urgent", "concern", "risk_to_self", "The resident may be at risk of harm"),
    ("gas_smell", "urgent", "concern", "gas_smell", "Gas smell reported"),
    ("significant_distress", "urgent", "distress", "significant", "Significant distress"),
    ("no_access", "reach_out", "outcome", "no_access", "No access"),
    ("stopped_distress", "reach_out", "outcome", "stopped_distress",
     "Visit stopped: the resident was distressed"),
    ("stopped_unsafe", "reach_out", "outcome", "stopped_unsafe", "Visit stopped: unsafe"),
    ("not_attended", "reach_out", "outcome", "not_attended", "We missed the visit"),
    ("rebook_asked", "reach_out", "no_access_reason", "asked_to_rebook",
     "The resident asked for another time"),
    ("some_distress", "reach_out", "distress", "some", "Some distress"),
    ("asked_for_officer", "reach_out", "concern", "asked_for_officer",
     "The resident asked to speak to you"),
    ("welfare", "reach_out", "concern_group", "welfare", "Welfare concern"),
    ("property_hazard", "reach_out", "concern_group", "property_hazard", "Property hazard"),
    ("repeated_no_access", "reach_out", "repeat_no_access", "2 in 28 days",
     "Check in with the resident: something may be getting in the way"),
]


def alert_for(facts: dict[str, str]) -> tuple[str, str] | None:
    """The severity and reasons (the officer's words above) of the alert a log with these facts
    (e.g. {"outcome": ..., "distress": ...}) raises, or None: for made-up history, which stores
    its alerts directly, so its words are the same as a real alert's."""
    fired = [(severity, title) for _code, severity, field, value, title in ALERT_RULES
             if facts.get(field) == value]
    if not fired:
        return None
    severity = "urgent" if any(s == "urgent" for s, _t in fired) else "reach_out"
    return severity, "; ".join(title for _s, title in fired)


# What a resident can pick when they ask for another time (the voice area's rebook page), and
# what the officer reads back on the visit and on the alert it raised.
REBOOK_DAYS = [("monday", "Monday"), ("tuesday", "Tuesday"), ("wednesday", "Wednesday"),
               ("thursday", "Thursday"), ("friday", "Friday"), ("saturday", "Saturday")]
REBOOK_TIMES = [("morning", "Morning (8am to 12 noon)"),
                ("afternoon", "Afternoon (12 noon to 5pm)"),
                ("evening", "Early evening (5pm to 7pm)")]


def rebook_request_described(request) -> dict:
    """A stored rebook request in the words the officer reads: day and time labels, not codes."""
    days, times = dict(REBOOK_DAYS), dict(REBOOK_TIMES)
    return {"days": [days[d] for d in json.loads(request["preferred_days"]) if d in days],
            "times": [times[t] for t in json.loads(request["preferred_times"]) if t in times],
            "reason": request["reason"], "created_at": request["created_at"]}

# The catalogues as the running app reads them: from the database the migrations seeded, once
# per database file and schema version, so every area reads the same codes, labels and flags.
@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    stops_visit: bool
    is_no_access: bool


@dataclass(frozen=True)
class Concern:
    code: str
    label: str
    group_code: str
    group_label: str
    # A concern offered twice under two names is retired in favour of one: old logs keep
    # their words, a log from an older page is stored as the one left, the form offers it once.
    replaced_by: str | None = None


@dataclass(frozen=True)
class Catalogue:
    outcomes: dict[str, Outcome]
    no_access_reasons: dict[str, str]  # code -> label, in catalogue order
    distress_levels: dict[str, str]  # code -> label, least to most
    distress_ranks: dict[str, int]
    concerns: dict[str, Concern]
    languages: dict[str, str]  # BCP 47 code -> English name, in the order the officer picks

    def language_name(self, code: str | None) -> str:
        return self.languages.get(code or "", "")

    def outcome_label(self, code: str | None) -> str:
        return self.outcomes[code].label if code in self.outcomes else (code or "")

    def codes_where(self, flag: str) -> tuple[str, ...]:
        """Outcome codes with a flag set (`stops_visit`, `is_no_access`): measures and rules
        read the flags, never a list of codes of their own."""
        return tuple(code for code, o in self.outcomes.items() if getattr(o, flag))

    def concern_groups(self) -> list[tuple[str, list[Concern]]]:
        """The concerns the log form offers, by group: retired ones left out."""
        groups: dict[str, list[Concern]] = {}
        for concern in self.concerns.values():
            if concern.replaced_by is None:
                groups.setdefault(concern.group_label, []).append(concern)
        return list(groups.items())

    def current_concern(self, code: str) -> str:
        """The code a concern is stored under now (a retired one's replacement)."""
        concern = self.concerns.get(code)
        return concern.replaced_by if concern and concern.replaced_by else code


def catalogue(db) -> Catalogue:
    file = db.execute("PRAGMA database_list").fetchone()["file"]
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    # An admin adds languages as data (no schema change): the count of them is in the key.
    applied, languages = db.execute("SELECT (SELECT count(*) FROM _sqlite_migrations),"
                                    " (SELECT count(*) FROM languages)").fetchone()
    return _read_catalogue(db, (file, version, applied, languages))


_cache: dict[tuple, Catalogue] = {}


def _read_catalogue(db, key: tuple) -> Catalogue:
    if key not in _cache:
        rows = db.execute
        _cache[key] = Catalogue(
            outcomes={r["code"]: Outcome(r["code"], r["label"], bool(r["stops_visit"]),
                                         bool(r["is_no_access"])) for r in rows(
                "SELECT * FROM visit_outcomes ORDER BY sort_order")},
            no_access_reasons={r["code"]: r["label"] for r in rows(
                "SELECT code, label FROM no_access_reasons ORDER BY sort_order")},
            distress_levels={r["code"]: r["label"] for r in rows(
                "SELECT code, label FROM distress_levels ORDER BY rank")},
            distress_ranks={r["code"]: r["rank"] for r in rows(
                "SELECT code, rank FROM distress_levels")},
            concerns={r["code"]: Concern(r["code"], r["label"], r["group_code"], r["group_label"],
                                         r["replaced_by"])
                      for r in rows("SELECT * FROM concern_categories ORDER BY sort_order")},
            languages={r["code"]: r["name"] for r in rows(
                "SELECT code, name FROM languages ORDER BY sort_order")},
        )
    return _cache[key]


# Messages to residents (the messages area), seeded by a migration and reviewed by an admin in
# the app. (event, label, subject, opening, what happens next, shows the visit's details).
# Placeholders: {when} the day and window in words, {trade}, {landlord}, {contact} (the officer's
# name, else "the housing team at ...": only ever inside a sentence). The words
# say why, what the options are, what happens next and what WE will do; never blame or threats.
MESSAGE_TEMPLATES = [
    ("booked", "Visit booked", marked("Your {trade} visit on {when}"),
     marked("We have booked a {trade} visit to your home on {when}."),
     marked("If we do not hear from you, we will come as booked. If anything changes, we will "
            "tell you straight away."), True),
    # Sent when the time moves or when only who is coming changes: true either way.
    ("changed", "Visit changed", marked("A change to your {trade} visit on {when}"),
     marked("We have made a change to your {trade} visit. It is on {when}. Here is the visit "
            "as it stands now, including who is coming."),
     marked("If we do not hear from you, we will come on {when}. If anything else changes, we "
            "will tell you straight away."), True),
    ("reminder", "Reminder the day before",
     marked("Reminder: your {trade} visit tomorrow, {when}"),
     marked("This is a reminder of your {trade} visit tomorrow, {when}."),
     marked("If we do not hear from you, we will come as booked."), True),
    ("cancelled", "Visit cancelled", marked("We have cancelled your {trade} visit on {when}"),
     marked("We have cancelled the {trade} visit to your home on {when}. Nobody will come at "
            "that time."),
     marked("You do not need to do anything. If the work still needs doing, {contact} will "
            "get in touch to agree a new time with you."), False),
    ("cancelled_short_notice", "Cancelled by us at short notice",
     marked("We are sorry: we have had to cancel your {trade} visit on {when}"),
     marked("We are sorry. We have had to cancel the {trade} visit to your home on {when} at "
            "short notice. This is our doing, not yours, and we know you may have arranged "
            "your day around it."),
     marked("You do not need to do anything. If the work still needs doing, {contact} will "
            "get in touch to agree a new time with you."), False),
    ("not_attended", "We could not attend",
     marked("We are sorry: we did not come to your {trade} visit on {when}"),
     marked("We are sorry. We did not come to your home for the {trade} visit on {when}, as we "
            "said we would. This was our mistake, not yours."),
     marked("We have told {contact}, and they will get in touch to find a new time that suits "
            "you. You do not need to do anything."), False),
]

# What each adjustment means for the resident, in their words: what WE will do. An empty text
# means the adjustment is for staff only (the "other" free text may hold anything, so it never
# reaches a message). The doorstep password has its own line in "checking it is us".
RESIDENT_ADJUSTMENT_WORDS = {
    "advocate_present": marked("{advocate} will be there. We will wait for them before we "
                               "start."),
    "interpreter": marked("We will have an interpreter for {language}."),
    "call_ahead": marked("We will phone you {minutes} minutes before we arrive."),
    "text_ahead": marked("We will send you a text when we are on our way."),
    "gentle_knock": marked("We will knock gently and will not ring the bell."),
    "wait_at_door": marked("Take your time coming to the door: we will wait at least "
                           "{minutes} minutes."),
    "explain_each_step": marked("We will explain each step before we start it, and check it "
                                "is OK with you."),
    "written_schedule": marked("This message is your copy of the schedule of works. If "
                               "anything changes, we will tell you."),
    "max_people": marked("No more than {n} people will come into your home at once."),
    "same_gender": marked("You asked for a {gender} operative, and we have asked the firm for "
                          "one."),
    "extra_time": marked("We have allowed extra time, so there is no rush."),
    "offer_breaks": marked("You can ask for a break at any time, and we will stop straight "
                           "away."),
    "noise_warning": marked("We will tell you before any noisy work, and how long it will "
                            "last."),
    "avoid_times": marked("We will not visit {when}."),
    "fewer_visits": marked("We will do the work in as few visits as we can."),
    "hearing": marked("We will knock loudly or send a text when we are outside, and face you "
                      "when we speak."),
    "sight": marked("The caller will say their name and read their ID card out loud."),
    "pets": marked("If you have pets, it helps if they are in another room while we work."),
    "pre_visit": "", "easy_read": "", "doorstep_password": "", "other": "",
}

# What stands in for a parameter left empty, in the resident's words.
RESIDENT_FALLBACKS = {
    "advocate": marked("Your advocate"), "language": marked("your language"),
    "minutes": marked("a few"), "n": marked("two"), "gender": marked("particular"),
    "when": marked("at the times you asked us to avoid"),
}
