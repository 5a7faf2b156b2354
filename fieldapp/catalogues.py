"""The catalogues from the domain vocabulary, as data the first migration seeds.

Screens read these from the database, never from here, so an admin can later edit them
without a release. Wording is what an operative or resident reads: plain, calm, about what to do.
"""

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
     "No more than {n} people inside the home at once.", [("n", "Most people inside", "number")]),
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
