"""Demo data: a landlord, two firms, the demo accounts, a dozen residents and today's visits.

The demo accounts are part of the product's contract: checks and other areas sign in with them.
"""

import io
from datetime import UTC, date, datetime, time, timedelta

from PIL import Image, ImageDraw, ImageFont

from fieldapp.accounts import queries as accounts
from fieldapp.accounts.organisations import create_contractor, create_landlord
from fieldapp.adjustments.queries import create_adjustment
from fieldapp.choice.queries import create_offer, create_slot
from fieldapp.core.clock import local_to_utc_iso, today_local
from fieldapp.core.db import query_one, transaction
from fieldapp.core.photos import prepare_photo
from fieldapp.devdata.history import load_history
from fieldapp.messages import outbox
from fieldapp.pathways.queries import set_pathway
from fieldapp.pauses import returns
from fieldapp.pauses.private import create_pause
from fieldapp.pauses.queries import create_partner_link
from fieldapp.push import keys
from fieldapp.referrals.queries import create_route
from fieldapp.residents.queries import create_resident
from fieldapp.schedule.queries import STEP_FLAGS, create_visit

DEMO_PASSWORD = "fieldapp-demo"  # noqa: S105  (published demo credential, refused in production)
DEMO_MARKER = "demo_database"
# How the demo residents prefer to hear from us, in turn: every channel shows in the demo.
DEMO_CONTACT_PREFERENCES = ("phone", "text", "email", "letter")

# (email, name, role, organisation key, badge, supervisor phone); officers' work phones below.
DEMO_ACCOUNTS = [
    ("admin@demo.test", "Alex Morgan", "admin", "landlord", "", ""),
    ("officer@demo.test", "Priya Shah", "officer", "landlord", "", ""),
    ("officer2@demo.test", "Tom Okafor", "officer", "landlord", "", ""),
    ("operative@demo.test", "Sam Taylor", "operative", "acme", "ACME-0142", "0113 496 0101"),
    ("operative2@demo.test", "Jordan Lee", "operative", "brightside", "BSG-2231", "0113 496 0202"),
    ("operative3@demo.test", "Dan Price", "operative", "acme", "ACME-0177", "0113 496 0101"),
    ("supervisor@demo.test", "Chris Hall", "supervisor", "acme", "", ""),
]

# (name, preferred name, address, area, postcode, officer, phone, advocate, relationship,
#  advocate phone, doorstep password, [(adjustment code, parameters, detail)])
DEMO_RESIDENTS = [
    ("Michael Brennan", "Michael", "Flat 12, Alder Court", "Riverside North", "RS1 4AB",
     "officer", "07700 900 311", "Grace Brennan", "Sister", "07700 900 312", "bluebell", [
         ("advocate_present", {}, "Grace lets you in; Michael waits in the front room."),
         ("explain_each_step", {}, "Show him the part before you fit it."),
         ("written_schedule", {}, "Schedule posted to him and to Grace a week before."),
         ("call_ahead", {"minutes": "30", "phone": "07700 900 312"}, "Call Grace, not Michael."),
         ("noise_warning", {}, ""),
     ]),
    ("Aisha Rahman", "Aisha", "3 Willow Walk", "Riverside North", "RS1 5CD", "officer",
     "07700 900 421", "", "", "", "", [
         ("gentle_knock", {}, "Young baby in the home."),
     ]),
    ("Doreen Walsh", "Mrs Walsh", "27 Beech Road", "Millfield", "RS2 1EF", "officer",
     "020 7946 0433", "", "", "", "", [
         ("wait_at_door", {"minutes": "5"}, "Uses a walking frame."),
         ("hearing", {}, ""),
         ("extra_time", {}, ""),
     ]),
    ("Kwame Mensah", "Kwame", "Flat 4, Cedar House", "Millfield", "RS2 3GH", "officer",
     "07700 900 544", "", "", "", "", [
         ("text_ahead", {}, ""),
         ("avoid_times", {"not_before": "10:00"}, ""),
     ]),
    ("Siobhan Kelly", "Siobhan", "8 Hazel Close", "Eastgate", "RS3 2JK", "officer",
     "07700 900 655", "Marie O'Neill", "Support worker", "07700 900 656", "", [
         ("max_people", {"n": "1"}, ""),
         ("same_gender", {}, ""),
         ("offer_breaks", {}, ""),
     ]),
    ("Peter Novak", "Peter", "Flat 20, Rowan Tower", "Eastgate", "RS3 4LM", "officer",
     "07700 900 766", "", "", "", "", [("pets", {}, "Two dogs.")]),
    ("Lina Haddad", "Lina", "14 Elm Grove", "Riverside South", "RS4 1NP", "officer2",
     "07700 900 877", "", "", "", "", [
         ("sight", {}, ""),
         ("easy_read", {}, ""),
     ]),
    ("George Whitfield", "George", "6 Poplar Lane", "Riverside South", "RS4 2QR", "officer2",
     "020 7946 0988", "", "", "", "", [
         ("pre_visit", {}, "Introductory visit done in March."),
         ("fewer_visits", {}, ""),
     ]),
    ("Fatima Osei", "Fatima", "Flat 9, Birch Mews", "Westbank", "RS5 3ST", "officer2",
     "07700 900 199", "", "", "", "", []),
    ("Ryan Cooper", "Ryan", "41 Larch Street", "Westbank", "RS5 4UV", "officer2",
     "07700 900 210", "", "", "", "", [
         ("other", {"text": "Use the side door; the front door sticks."}, ""),
     ]),
    ("Margaret Lloyd", "Margaret", "2 Sycamore Row", "Millfield", "RS2 6WX", "officer2",
     "020 7946 0321", "", "", "", "", [("call_ahead", {"minutes": "15", "phone": ""}, "")]),
    ("Tariq Aziz", "Tariq", "Flat 1, Holly Court", "Eastgate", "RS3 7YZ", "officer",
     "07700 900 432", "", "", "", "", []),
    ("Elif Kaya", "Elif Kaya", "5 Aspen Terrace", "Riverside North", "RS1 6EY", "officer",
     "07700 900 543", "", "", "", "", [("text_ahead", {}, "")]),
]

# Residents whose language is not English, or who need an interpreter: (language, interpreter).
# Elif (Turkish) and Lina (Arabic) have visits today: their check pages open in their language.
DEMO_LANGUAGES = {"Aisha Rahman": ("bn", "in_person"), "Lina Haddad": ("ar", "phone"),
                  "Peter Novak": ("pl", "not_needed"), "Kwame Mensah": ("so", "needed"),
                  "Elif Kaya": ("tr", "not_needed")}

# (resident index, operatives, day offset, start, end, trade, job ref, notes, steps)
# A step is (description, hints, minutes); hints are the work_steps flag columns.
DEMO_VISITS = [
    (0, ["operative2"], 0, time(10), time(12), "Gas heating", "BSG-7731",
     "Replacement boiler. Michael has been without heating; Grace will be there from 10:00.", [
         ("Introduce yourself and go through the schedule with Michael and Grace", (), 10),
         ("Turn off the gas and drain the old boiler", ("gas_off", "water_off"), 30),
         ("Remove the old boiler", ("noisy", "dusty"), 25),
         ("Fit and test the new boiler", ("noisy",), 45),
         ("Show Michael how to use the new controls", (), 10),
     ]),
    (1, ["operative"], 0, time(9), time(11), "Plumbing", "ACM-5521", "", [
        ("Replace the leaking kitchen tap", ("water_off",), 40),
    ]),
    (2, ["operative", "operative3"], 0, time(13), time(15), "Carpentry", "ACM-5530",
     "Two people needed to carry the new door.", [
         ("Take off the old back door", ("noisy",), 20),
         ("Hang and fit the new back door", ("noisy", "dusty"), 60),
     ]),
    (3, ["operative2"], 0, time(14), time(16), "Gas safety check", "BSG-7740", "", [
        ("Annual gas safety check", ("gas_off",), 45),
    ]),
    (4, ["operative"], 1, time(10), time(12), "Electrical", "ACM-5544", "", [
        ("Replace the bathroom extractor fan", ("power_off", "noisy"), 50),
    ]),
    (5, ["operative2"], 1, time(9), time(11), "Gas heating", "BSG-7752", "", [
        ("Bleed the radiators and check pressure", (), 30),
    ]),
    (6, ["operative3"], 0, time(16), time(17, 30), "Plumbing", "ACM-5551", "", [
        ("Unblock the bathroom sink", (), 30),
    ]),
    (12, ["operative3"], 0, time(10), time(11, 30), "Plumbing", "ACM-5558", "", [
        ("Fix the dripping bath tap", ("water_off",), 30),
    ]),
    (7, ["operative2"], 1, time(13), time(15), "Gas heating", "BSG-7760",
     "Bundle the radiator valve with the service so George has one visit.", [
         ("Service the boiler", ("gas_off",), 40),
         ("Replace the bedroom radiator valve", ("water_off",), 30),
     ]),
]

OFFICER_PHONES = {"officer@demo.test": "020 7946 0411", "officer2@demo.test": "020 7946 0422",
                  "supervisor@demo.test": "0113 496 0101",
                  "operative@demo.test": "07700 900 142", "operative3@demo.test": "07700 900 177"}
PORTRAIT_COLOURS = ("#0b3d5c", "#4c2c92", "#00703c", "#8a3b00")


class DemoRefused(RuntimeError):
    """The database holds real data (or demo data already); loading demo data would mix them."""


def is_demo_database(db) -> bool:
    row = query_one(db, "SELECT value FROM settings WHERE key = ?", (DEMO_MARKER,))
    return row is not None and row["value"] == "yes"


def load_demo(db) -> list[tuple[str, str, str]]:
    """Fill an empty database with demo data; returns (email, name, role) of each account."""
    if query_one(db, "SELECT count(*) AS n FROM users")["n"]:
        if is_demo_database(db):
            raise DemoRefused("This database already has the demo data. "
                              "./scripts/demo makes a fresh one each time.")
        raise DemoRefused("This database is not a demo database: it has real accounts. "
                          "Demo data is loaded only into a new, empty database.")
    with transaction(db):
        db.execute("INSERT INTO settings (key, value) VALUES (?, 'yes')", (DEMO_MARKER,))
    orgs = _load_organisations(db)
    users = _load_users(db, orgs)
    residents = _load_residents(db, orgs["landlord"], users)
    _load_help(db, orgs["landlord"], residents[0], users["officer"])
    _load_visits(db, residents, users, orgs, today_local())
    _offer_times(db, users, today_local())
    _load_slots(db, orgs, users, today_local())
    load_history(db, residents, users, orgs, today_local())
    _load_pause(db, residents, users, orgs["landlord"], today_local())
    keys.generate(db)  # so notifications can be tried on the demo
    return [(email, name, role) for email, name, role, *_ in DEMO_ACCOUNTS]


def _load_organisations(db) -> dict[str, int]:
    landlord = create_landlord(
        db, name="Riverside Homes", web_address="https://www.riverside-homes.example",
        main_phone="020 7946 0000", duty_phone="020 7946 0999",
        safeguarding_phone="020 7946 0555", interpreting_phone="0800 046 0123")
    acme = create_contractor(db, landlord_id=landlord, name="Acme Repairs",
                             main_phone="0113 496 0100", duty_phone="0113 496 0199")
    brightside = create_contractor(db, landlord_id=landlord, name="Brightside Gas",
                                   main_phone="0113 496 0200", duty_phone="0113 496 0299")
    return {"landlord": landlord, "acme": acme, "brightside": brightside}


def _load_users(db, orgs: dict[str, int]) -> dict[str, int]:
    users = {}
    for email, name, role, org, badge, supervisor in DEMO_ACCOUNTS:
        user_id = accounts.create_user(
            db, name=name, email=email, password=DEMO_PASSWORD, role=role,
            organisation_id=orgs[org], badge_number=badge, supervisor_phone=supervisor,
            phone=OFFICER_PHONES.get(email, ""))
        if role == "operative":
            accounts.save_photo(db, user_id, "image/jpeg", _portrait(name))
        users[email.split("@")[0]] = user_id
    with transaction(db):
        # The administrator is on the duty rota: unacknowledged urgent alerts reach them.
        db.execute("UPDATE users SET on_duty = 1 WHERE id = ?", (users["admin"],))
    return users


def _portrait(name: str) -> bytes:
    """A stand-in ID photo: the person's initials, large, on a calm colour."""
    image = Image.new("RGB", (400, 400), PORTRAIT_COLOURS[len(name) % len(PORTRAIT_COLOURS)])
    initials = "".join(part[0] for part in name.split()[:2])
    ImageDraw.Draw(image).text((200, 200), initials, fill="white", anchor="mm",
                               font=ImageFont.load_default(size=170))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return prepare_photo(out.getvalue())


def _load_residents(db, landlord_id: int, users: dict[str, int]) -> list[int]:
    ids = []
    with transaction(db):
        for number, resident in enumerate(DEMO_RESIDENTS, start=1):
            (name, preferred, address, area, postcode, officer, phone, advocate, relationship,
             advocate_phone, password, adjustments) = resident
            language, interpreter = DEMO_LANGUAGES.get(name, ("en", "not_needed"))
            resident_id = create_resident(db, landlord_id, {
                "officer_id": users[officer], "tenancy_ref": f"RH-{10000 + number}",
                "name": name, "preferred_name": preferred, "address_line1": address,
                "town": "Riverside", "postcode": postcode, "area": area, "phone": phone,
                "preferred_contact": DEMO_CONTACT_PREFERENCES[number % 4],
                "email": f"{preferred.split()[-1].lower()}.{number}@example.test",
                "advocate_name": advocate,
                "advocate_relationship": relationship, "advocate_phone": advocate_phone,
                "doorstep_password": password, "language": language,
                "interpreter": interpreter})
            _load_adjustments(db, resident_id, users[officer], adjustments, password)
            ids.append(resident_id)
    return ids


def _load_help(db, landlord_id: int, seed_resident: int, officer_id: int) -> None:
    """The seed case is on the supported pathway, with Grace copied in; two local services."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with transaction(db):
        set_pathway(db, seed_resident, {
            "pathway": "supported", "pathway_consent_given_by": "resident",
            "pathway_consent_how": "in_person",
            "pathway_consent_on": (today_local() - timedelta(days=60)).isoformat(),
            "pathway_more_visits": 0, "pathway_advocate_messages": 1}, officer_id, now)
        for name, helps, hours, phone, web in [
                ("Riverside Mental Health Crisis Team", ["mental_health_crisis"],
                 "Any time, day or night", "0800 046 0777", ""),
                ("Riverside Advice Centre", ["advice", "debt"],
                 "Monday to Friday, 9am to 5pm", "020 7946 0678",
                 "https://advice.riverside-homes.example")]:
            create_route(db, landlord_id, {
                "name": name, "helps_with": helps, "hours": hours, "phone": phone,
                "text_number": "", "web_address": web, "takes_staff_referrals": 1}, now)


def _load_adjustments(db, resident_id: int, officer_id: int, adjustments, password: str) -> None:
    consent_on = (today_local() - timedelta(days=60)).isoformat()
    review_due = (today_local() + timedelta(days=305)).isoformat()
    if password:
        adjustments = [*adjustments, ("doorstep_password", {}, "")]
    for code, parameters, detail in adjustments:
        create_adjustment(db, resident_id, code, officer_id, {
            "parameters": parameters, "detail": detail, "consent_given_by": "resident",
            "consent_how": "phone", "consent_on": consent_on, "review_due": review_due})


def _load_pause(db, residents: list[int], users: dict[str, int], landlord_id: int,
                today: date) -> None:
    """Peter is in hospital for two weeks: his visit tomorrow waits for the officer to move,
    keep or cancel it. And a link for the hospital's discharge team."""
    starts_on, ends_on = today - timedelta(days=2), today + timedelta(days=12)
    with transaction(db):
        pause_id = create_pause(db, residents[5], users["officer"], {
            "reason": "hospital", "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(), "starts_at": returns.day_start(starts_on),
            "ends_at": returns.day_start(ends_on), "told_by": "advocate",
            "consent_given_by": "resident", "consent_how": "phone",
            "consent_on": starts_on.isoformat()})
        returns.schedule(db, pause_id)
        create_partner_link(db, landlord_id, "Riverside General Hospital discharge team",
                            users["officer"])


def _load_visits(db, residents: list[int], users: dict[str, int], orgs: dict[str, int],
                 today: date) -> None:
    with transaction(db):
        for resident, operatives, offset, start, end, trade, job_ref, notes, steps in DEMO_VISITS:
            day = today + timedelta(days=offset)
            visit_id = create_visit(
                db, resident_id=residents[resident],
                firm_id=orgs["brightside"] if job_ref.startswith("BSG") else orgs["acme"],
                job_ref=job_ref, trade=trade, starts_at=local_to_utc_iso(day, start),
                ends_at=local_to_utc_iso(day, end), notes_for_operative=notes,
                created_by=users["officer"],
                operatives=[users[operative] for operative in operatives],
                steps=[{"description": description, "expected_minutes": minutes,
                        **{flag: int(flag in hints) for flag in STEP_FLAGS}}
                       for description, hints, minutes in steps])
            # Booked a while ago: the worker writes each booking message as soon as it runs,
            # kept in the app as "demo: not sent" unless Notify or SMTP is set up.
            outbox.queue_for_visit(db, visit_id, "booked",
                                   now=datetime.now(UTC) - outbox.WRITE_AFTER)


# Today's visit whose resident has times to choose from: a newcomer opens the link on the
# officer's visit page, picks one, and sees the operative's day change.
OFFERED_JOB = "ACM-5521"
OFFERED_WINDOWS = [(time(16), time(18)), (time(10), time(12)), (time(13), time(15))]


def _offer_times(db, users: dict[str, int], today: date) -> None:
    visit_id = query_one(db, "SELECT id FROM visits WHERE job_ref = ?", (OFFERED_JOB,))["id"]
    days, day = [], today
    while len(days) < len(OFFERED_WINDOWS):  # each on its own day, never a Sunday
        day += timedelta(days=1)
        if day.weekday() != 6:
            days.append(day)
    with transaction(db):
        create_offer(db, visit_id, [(local_to_utc_iso(d, start), local_to_utc_iso(d, end))
                                    for d, (start, end) in zip(days, OFFERED_WINDOWS,
                                                               strict=True)],
                     users["officer"], datetime.now(UTC).isoformat(timespec="seconds"))
        outbox.queue_for_visit(db, visit_id, "times_offered")


# Brightside's free Gas heating slots in the coming days: the officer offering times for a Gas
# heating visit (BSG-7752, tomorrow) picks from them; the resident's choice takes the slot.
SLOT_TRADE = "Gas heating"
SLOT_TIMES = [(2, time(10), time(12)), (3, time(13), time(15)), (4, time(8), time(10)),
              (6, time(10), time(12))]


def _load_slots(db, orgs: dict[str, int], users: dict[str, int], today: date) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with transaction(db):
        for ahead, start, end in SLOT_TIMES:
            day = today + timedelta(days=ahead)
            if day.weekday() == 6:
                day += timedelta(days=1)  # never a Sunday
            create_slot(db, {"landlord_id": orgs["landlord"], "firm_id": orgs["brightside"],
                             "trade": SLOT_TRADE, "starts_at": local_to_utc_iso(day, start),
                             "ends_at": local_to_utc_iso(day, end)}, users["officer"], now)
