"""The catalogues from the domain vocabulary, as data the first migration seeds.

Screens read these from the database, never from here, so an admin can later edit them
without a release (catalogue(db) below reads them, once per database). Wording is what an
operative or resident reads: plain, calm, about what to do.
"""

import json
from dataclasses import dataclass

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
    ("same_gender", "Operative gender",
     "The resident has asked for a {gender} operative.", [("gender", "Gender", "text")]),
    ("extra_time", "Extra time", "Allow extra time. Do not rush the resident.", []),
    ("offer_breaks", "Offer breaks",
     "Offer breaks. Stop straight away if the resident asks.", []),
    ("noise_warning", "Warn before noise",
     "Warn the resident before using loud tools, and say how long the noise will last.", []),
    ("avoid_times", "Avoid times", "Do not visit {when}.", [("when", "When not to visit", "text")]),
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
    "same_gender": ("before_knock", "{gender} operative"),
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


@dataclass(frozen=True)
class Catalogue:
    outcomes: dict[str, Outcome]
    no_access_reasons: dict[str, str]  # code -> label, in catalogue order
    distress_levels: dict[str, str]  # code -> label, least to most
    distress_ranks: dict[str, int]
    concerns: dict[str, Concern]

    def outcome_label(self, code: str | None) -> str:
        return self.outcomes[code].label if code in self.outcomes else (code or "")

    def codes_where(self, flag: str) -> tuple[str, ...]:
        """Outcome codes with a flag set (`stops_visit`, `is_no_access`): measures and rules
        read the flags, never a list of codes of their own."""
        return tuple(code for code, o in self.outcomes.items() if getattr(o, flag))

    def concern_groups(self) -> list[tuple[str, list[Concern]]]:
        groups: dict[str, list[Concern]] = {}
        for concern in self.concerns.values():
            groups.setdefault(concern.group_label, []).append(concern)
        return list(groups.items())


def catalogue(db) -> Catalogue:
    file = db.execute("PRAGMA database_list").fetchone()["file"]
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    applied = db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    return _read_catalogue(db, (file, version, applied))


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
            concerns={r["code"]: Concern(r["code"], r["label"], r["group_code"], r["group_label"])
                      for r in rows("SELECT * FROM concern_categories ORDER BY sort_order")},
        )
    return _cache[key]
