"""The schema, created and changed only here: one function per change, applied in order.

Never edit a migration that has shipped; add a new one. `fieldapp migrate` applies them.
"""

import json
import re
from datetime import UTC, datetime

from sqlite_utils import Database, Migrations

from fieldapp.core import catalogues
from fieldapp.core.db import utc_now

migrations = Migrations("fieldapp")


def _script(db: Database, sql: str) -> None:
    for statement in filter(str.strip, sql.split(";")):
        db.execute(statement)


@migrations()
def m001_accounts_and_audit(db: Database) -> None:
    _script(db, """
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE organisations (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('landlord', 'contractor')),
        landlord_id INTEGER REFERENCES organisations(id),
        main_phone TEXT NOT NULL DEFAULT '',
        duty_phone TEXT NOT NULL DEFAULT '',
        safeguarding_phone TEXT NOT NULL DEFAULT '',
        web_address TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX organisations_landlord ON organisations(landlord_id);
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL COLLATE NOCASE UNIQUE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('operative', 'officer', 'admin')),
        organisation_id INTEGER NOT NULL REFERENCES organisations(id),
        badge_number TEXT NOT NULL DEFAULT '',
        supervisor_phone TEXT NOT NULL DEFAULT '',
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX users_organisation ON users(organisation_id);
    CREATE TABLE user_photos (
        user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        content_type TEXT NOT NULL,
        image BLOB NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE user_sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE INDEX user_sessions_user ON user_sessions(user_id);
    CREATE TABLE login_failures (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL COLLATE NOCASE,
        address TEXT NOT NULL,
        failed_at TEXT NOT NULL
    );
    CREATE INDEX login_failures_email ON login_failures(email, failed_at);
    CREATE INDEX login_failures_address ON login_failures(address, failed_at);
    CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user_id INTEGER REFERENCES users(id),
        action TEXT NOT NULL,
        record_type TEXT NOT NULL DEFAULT '',
        record_id TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_log_record ON audit_log(record_type, record_id, at);
    CREATE INDEX audit_log_user ON audit_log(user_id, at)
    """)


@migrations()
def m002_catalogues(db: Database) -> None:
    _script(db, """
    CREATE TABLE adjustment_types (
        code TEXT PRIMARY KEY, label TEXT NOT NULL, instruction_template TEXT NOT NULL,
        parameters TEXT NOT NULL DEFAULT '[]', sort_order INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE visit_outcomes (
        code TEXT PRIMARY KEY, label TEXT NOT NULL, sort_order INTEGER NOT NULL,
        stops_visit INTEGER NOT NULL DEFAULT 0, is_no_access INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE no_access_reasons (
        code TEXT PRIMARY KEY, label TEXT NOT NULL, sort_order INTEGER NOT NULL
    );
    CREATE TABLE distress_levels (
        code TEXT PRIMARY KEY, label TEXT NOT NULL, rank INTEGER NOT NULL UNIQUE
    );
    CREATE TABLE concern_categories (
        code TEXT PRIMARY KEY, label TEXT NOT NULL, group_code TEXT NOT NULL,
        group_label TEXT NOT NULL, sort_order INTEGER NOT NULL
    )
    """)
    db["adjustment_types"].insert_all(
        {"code": code, "label": label, "instruction_template": template,
         "parameters": json.dumps([{"name": n, "label": lab, "kind": k} for n, lab, k in params]),
         "sort_order": order}
        for order, (code, label, template, params) in enumerate(catalogues.ADJUSTMENT_TYPES)
    )
    db["visit_outcomes"].insert_all(
        {"code": code, "label": label, "sort_order": order, "stops_visit": stops,
         "is_no_access": no_access}
        for order, (code, label, stops, no_access) in enumerate(catalogues.VISIT_OUTCOMES)
    )
    db["no_access_reasons"].insert_all(
        {"code": code, "label": label, "sort_order": order}
        for order, (code, label) in enumerate(catalogues.NO_ACCESS_REASONS)
    )
    db["distress_levels"].insert_all(
        {"code": code, "label": label, "rank": rank}
        for code, label, rank in catalogues.DISTRESS_LEVELS
    )
    db["concern_categories"].insert_all(
        {"code": code, "label": label, "group_code": group, "group_label": group_label,
         "sort_order": order}
        for order, (group, group_label, code, label) in enumerate(
            (g, gl, c, lab) for g, gl, items in catalogues.CONCERN_GROUPS for c, lab in items
        )
    )


@migrations()
def m003_residents_adjustments_visits(db: Database) -> None:
    _script(db, """
    CREATE TABLE residents (
        id INTEGER PRIMARY KEY,
        landlord_id INTEGER NOT NULL REFERENCES organisations(id),
        officer_id INTEGER REFERENCES users(id),
        tenancy_ref TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL,
        preferred_name TEXT NOT NULL DEFAULT '',
        address_line1 TEXT NOT NULL,
        address_line2 TEXT NOT NULL DEFAULT '',
        town TEXT NOT NULL DEFAULT '',
        postcode TEXT NOT NULL DEFAULT '',
        area TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        phone_alt TEXT NOT NULL DEFAULT '',
        preferred_contact TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT 'English',
        advocate_name TEXT NOT NULL DEFAULT '',
        advocate_phone TEXT NOT NULL DEFAULT '',
        advocate_relationship TEXT NOT NULL DEFAULT '',
        doorstep_password TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX residents_landlord ON residents(landlord_id);
    CREATE INDEX residents_officer ON residents(officer_id);
    CREATE TABLE adjustments (
        id INTEGER PRIMARY KEY,
        resident_id INTEGER NOT NULL REFERENCES residents(id),
        type_code TEXT NOT NULL REFERENCES adjustment_types(code),
        parameters TEXT NOT NULL DEFAULT '{}',
        detail TEXT NOT NULL DEFAULT '',
        consent_given_by TEXT NOT NULL
            CHECK (consent_given_by IN ('resident', 'advocate', 'appointee')),
        consent_how TEXT NOT NULL CHECK (consent_how IN ('in_person', 'phone', 'letter', 'email')),
        consent_on TEXT NOT NULL,
        recorded_by INTEGER NOT NULL REFERENCES users(id),
        review_due TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
        withdrawn_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX adjustments_resident ON adjustments(resident_id, status);
    CREATE TABLE visits (
        id INTEGER PRIMARY KEY,
        resident_id INTEGER NOT NULL REFERENCES residents(id),
        firm_id INTEGER NOT NULL REFERENCES organisations(id),
        job_ref TEXT NOT NULL,
        trade TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        notes_for_operative TEXT NOT NULL DEFAULT '',
        pre_visit INTEGER NOT NULL DEFAULT 0,
        rebook_requested INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled')),
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK (ends_at > starts_at)
    );
    CREATE INDEX visits_resident ON visits(resident_id, starts_at);
    CREATE INDEX visits_firm ON visits(firm_id, starts_at);
    CREATE INDEX visits_starts ON visits(starts_at);
    CREATE TABLE visit_operatives (
        visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
        user_id INTEGER NOT NULL REFERENCES users(id),
        PRIMARY KEY (visit_id, user_id)
    );
    CREATE INDEX visit_operatives_user ON visit_operatives(user_id, visit_id);
    CREATE TABLE work_steps (
        id INTEGER PRIMARY KEY,
        visit_id INTEGER NOT NULL REFERENCES visits(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        description TEXT NOT NULL,
        noisy INTEGER NOT NULL DEFAULT 0,
        dusty INTEGER NOT NULL DEFAULT 0,
        water_off INTEGER NOT NULL DEFAULT 0,
        power_off INTEGER NOT NULL DEFAULT 0,
        gas_off INTEGER NOT NULL DEFAULT 0,
        expected_minutes INTEGER,
        UNIQUE (visit_id, position)
    )
    """)


@migrations()
def m004_briefing_placement_and_work_phone(db: Database) -> None:
    """Where each adjustment sits in the briefing and its chip; a work phone for every user."""
    _script(db, """
    ALTER TABLE adjustment_types ADD COLUMN briefing_section TEXT NOT NULL DEFAULT 'before_knock'
        CHECK (briefing_section IN ('before_knock', 'at_door', 'during_work'));
    ALTER TABLE adjustment_types ADD COLUMN chip_template TEXT NOT NULL DEFAULT '';
    ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT ''
    """)
    for code, (section, chip) in catalogues.ADJUSTMENT_BRIEFING.items():
        db.execute("UPDATE adjustment_types SET briefing_section = ?, chip_template = ? "
                   "WHERE code = ?", (section, chip, code))


@migrations()
def m005_officer_side(db: Database) -> None:
    """Private notes, resident email, adjustment reviews and withdrawals, visit cancellation."""
    _script(db, """
    ALTER TABLE residents ADD COLUMN email TEXT NOT NULL DEFAULT '';
    CREATE TABLE resident_notes (
        id INTEGER PRIMARY KEY,
        resident_id INTEGER NOT NULL REFERENCES residents(id),
        author_id INTEGER NOT NULL REFERENCES users(id),
        body TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX resident_notes_resident ON resident_notes(resident_id, created_at);
    ALTER TABLE adjustments ADD COLUMN reviewed_at TEXT;
    ALTER TABLE adjustments ADD COLUMN withdrawn_reason TEXT NOT NULL DEFAULT '';
    CREATE INDEX adjustments_review ON adjustments(status, review_due);
    ALTER TABLE visits ADD COLUMN cancelled_at TEXT;
    CREATE INDEX visits_job_ref ON visits(job_ref);
    CREATE TABLE visit_imports (
        id INTEGER PRIMARY KEY,
        landlord_id INTEGER NOT NULL REFERENCES organisations(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        filename TEXT NOT NULL,
        content TEXT NOT NULL,
        created_at TEXT NOT NULL,
        imported_at TEXT,
        summary TEXT NOT NULL DEFAULT ''
    )
    """)


@migrations()
def m006_visit_logs_and_alerts(db: Database) -> None:
    """Post-visit logs (stored exactly once by their client id) and the alerts they raise."""
    _script(db, """
    CREATE TABLE visit_logs (
        id INTEGER PRIMARY KEY,
        client_id TEXT NOT NULL UNIQUE,
        visit_id INTEGER NOT NULL REFERENCES visits(id),
        author_id INTEGER NOT NULL REFERENCES users(id),
        outcome TEXT NOT NULL REFERENCES visit_outcomes(code),
        no_access_reason TEXT REFERENCES no_access_reasons(code),
        distress TEXT NOT NULL REFERENCES distress_levels(code),
        note TEXT NOT NULL DEFAULT '',
        follow_up TEXT NOT NULL DEFAULT '',
        payload_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX visit_logs_visit ON visit_logs(visit_id, created_at);
    CREATE TABLE log_concerns (
        log_id INTEGER NOT NULL REFERENCES visit_logs(id),
        concern TEXT NOT NULL REFERENCES concern_categories(code),
        PRIMARY KEY (log_id, concern)
    );
    CREATE TABLE alert_rules (
        code TEXT PRIMARY KEY,
        severity TEXT NOT NULL CHECK (severity IN ('urgent', 'reach_out')),
        match_field TEXT NOT NULL,
        match_value TEXT NOT NULL,
        title TEXT NOT NULL,
        sort_order INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        resident_id INTEGER NOT NULL REFERENCES residents(id),
        officer_id INTEGER REFERENCES users(id),
        log_id INTEGER REFERENCES visit_logs(id),
        severity TEXT NOT NULL CHECK (severity IN ('urgent', 'reach_out')),
        reasons TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'closed')),
        created_at TEXT NOT NULL,
        acknowledged_at TEXT,
        acknowledged_by INTEGER REFERENCES users(id),
        closed_at TEXT,
        closed_by INTEGER REFERENCES users(id),
        action_taken TEXT NOT NULL DEFAULT '',
        escalated_at TEXT
    );
    CREATE INDEX alerts_officer ON alerts(officer_id, status, created_at);
    CREATE INDEX alerts_resident ON alerts(resident_id, created_at)
    """)
    db["alert_rules"].insert_all(
        {"code": code, "severity": severity, "match_field": field, "match_value": value,
         "title": title, "sort_order": order}
        for order, (code, severity, field, value, title) in enumerate(catalogues.ALERT_RULES))


@migrations()
def m007_jobs_and_escalation(db: Database) -> None:
    """Background jobs with leases (the worker), duty users, and escalated alerts."""
    _script(db, """
    CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL DEFAULT '{}',
        run_after TEXT NOT NULL,
        lease_until TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        done_at TEXT,
        last_error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE INDEX jobs_due ON jobs(done_at, run_after);
    ALTER TABLE users ADD COLUMN on_duty INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE alerts ADD COLUMN escalated_from INTEGER REFERENCES alerts(id)
    """)


@migrations()
def m008_push_subscriptions(db: Database) -> None:
    """Web Push: one row per device a user turned notifications on for."""
    _script(db, """
    CREATE TABLE push_subscriptions (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        endpoint TEXT NOT NULL UNIQUE,
        p256dh TEXT NOT NULL,
        auth TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id)
    """)


@migrations()
def m009_log_amendments(db: Database) -> None:
    """An amended log is a new row pointing at the one it replaces; the first is kept."""
    _script(db, """
    ALTER TABLE visit_logs ADD COLUMN amends_log_id INTEGER REFERENCES visit_logs(id);
    CREATE UNIQUE INDEX visit_logs_amends ON visit_logs(amends_log_id)
    """)


@migrations()
def m010_resident_voice(db: Database) -> None:
    """What residents tell us without an account: how a visit felt (one answer per visit, a
    second replaces the first; each question may be skipped) and "I can't do this time" (once
    per visit). A rebook request raises an alert with no log, so alerts may point at a visit."""
    _script(db, """
    CREATE TABLE visit_feedback (
        id INTEGER PRIMARY KEY,
        visit_id INTEGER NOT NULL UNIQUE REFERENCES visits(id),
        felt_safe TEXT CHECK (felt_safe IN ('yes', 'partly', 'no')),
        listened_to TEXT CHECK (listened_to IN ('yes', 'partly', 'no')),
        in_control TEXT CHECK (in_control IN ('yes', 'partly', 'no')),
        comment TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE rebook_requests (
        id INTEGER PRIMARY KEY,
        visit_id INTEGER NOT NULL UNIQUE REFERENCES visits(id),
        preferred_days TEXT NOT NULL DEFAULT '[]',
        preferred_times TEXT NOT NULL DEFAULT '[]',
        reason TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    ALTER TABLE alerts ADD COLUMN visit_id INTEGER REFERENCES visits(id)
    """)


@migrations()
def m011_measures_indexes(db: Database) -> None:
    """Measures ask, for every visit in a period, whether it was the resident's first for that
    trade: a small index answers it without reading the visits themselves."""
    _script(db, """
    CREATE INDEX visits_first_of_trade ON visits(resident_id, trade, starts_at)
        WHERE pre_visit = 0 AND status = 'booked'
    """)


@migrations()
def m012_alerts_by_log(db: Database) -> None:
    """A new log finds the alerts its rules raised (and a resend finds them again) without
    reading every alert: found by tests/test_query_plans.py."""
    _script(db, "CREATE INDEX alerts_log ON alerts(log_id)")


@migrations()
def m013_jobs_that_end(db: Database) -> None:
    """A job that keeps failing stops, marked failed, where an admin sees it; finished jobs are
    pruned by when they finished."""
    _script(db, """
    ALTER TABLE jobs ADD COLUMN failed_at TEXT;
    CREATE INDEX jobs_failed ON jobs(failed_at) WHERE failed_at IS NOT NULL;
    CREATE INDEX jobs_done ON jobs(done_at) WHERE done_at IS NOT NULL
    """)

@migrations()
def m014_briefing_advocate_on_resident(db: Database) -> None:
    """The advocate lives on the resident's record only. An active "Advocate present"
    adjustment's own name and phone move there when the record has none; a different advocate
    already on the record stays, and the adjustment's one is kept in its detail. Nothing is lost."""
    rows = db.execute("""
        SELECT adjustments.id, adjustments.parameters, adjustments.detail, residents.id AS rid,
               residents.advocate_name, residents.advocate_phone
        FROM adjustments JOIN residents ON residents.id = adjustments.resident_id
        WHERE adjustments.type_code = 'advocate_present' AND adjustments.status = 'active'
        ORDER BY adjustments.id""").fetchall()
    for adjustment_id, parameters, detail, resident_id, name, phone in rows:
        stored = json.loads(parameters or "{}")
        their_name = " ".join(str(stored.pop("advocate", "")).split())
        their_phone = str(stored.pop("phone", "")).strip()
        same = their_name.casefold() == (name or "").casefold()
        if their_name and not name:
            db.execute("UPDATE residents SET advocate_name = ?, advocate_phone = ? WHERE id = ?",
                       (their_name, their_phone or phone, resident_id))
        elif (same or not their_name) and their_phone and not phone:
            db.execute("UPDATE residents SET advocate_phone = ? WHERE id = ?",
                       (their_phone, resident_id))
        elif (their_name and not same) or (their_phone and their_phone != phone):
            kept = ", ".join(part for part in (their_name, their_phone) if part)
            detail = " ".join(part for part in (detail, f"Also recorded as the advocate: "
                                                        f"{kept}.") if part)
        db.execute("UPDATE adjustments SET parameters = ?, detail = ? WHERE id = ?",
                   (json.dumps(stored), detail, adjustment_id))
    db.execute("UPDATE adjustment_types SET parameters = '[]' WHERE code = 'advocate_present'")


@migrations()
def m015_briefing_languages_and_interpreting(db: Database) -> None:
    """The resident's language as a BCP 47 code from a list, and how they are interpreted for;
    the landlord's interpreting line. A language written as text that matches no name on the
    list is kept, word for word, for the officer to choose. The old "Interpreter" adjustment's
    language and booking move onto the resident; it is withdrawn, saying why, and retired."""
    _script(db, """
    CREATE TABLE languages (
        code TEXT PRIMARY KEY, name TEXT NOT NULL, sort_order INTEGER NOT NULL
    );
    ALTER TABLE residents ADD COLUMN interpreter TEXT NOT NULL DEFAULT 'not_needed'
        CHECK (interpreter IN ('not_needed', 'needed', 'in_person', 'phone'));
    ALTER TABLE residents ADD COLUMN language_to_check TEXT NOT NULL DEFAULT '';
    ALTER TABLE organisations ADD COLUMN interpreting_phone TEXT NOT NULL DEFAULT ''
    """)
    db["languages"].insert_all(
        {"code": code, "name": name, "sort_order": order}
        for order, (code, name, _aliases) in enumerate(catalogues.LANGUAGES))
    for resident_id, written in db.execute("SELECT id, language FROM residents").fetchall():
        code = catalogues.language_by_name(written)
        db.execute("UPDATE residents SET language = ?, language_to_check = ? WHERE id = ?",
                   (code or "", "" if code or not written.strip() else written.strip(),
                    resident_id))
    now = utc_now()
    for adjustment_id, resident_id, parameters in db.execute("""
            SELECT id, resident_id, parameters FROM adjustments
            WHERE type_code = 'interpreter' AND status = 'active' ORDER BY id""").fetchall():
        stored = json.loads(parameters or "{}")
        written = " ".join(str(stored.get("language", "")).split())
        code = catalogues.language_by_name(written)
        language, to_check = db.execute("SELECT language, language_to_check FROM residents"
                                        " WHERE id = ?", (resident_id,)).fetchone()
        if written and language in ("", "en") and code != language:
            language, to_check = (code, "") if code else ("", written)
        elif written and code != language and written != to_check:
            to_check = " ".join(part for part in (to_check, written) if part)
        db.execute("UPDATE residents SET language = ?, language_to_check = ?, interpreter = ?"
                   " WHERE id = ?", (language, to_check,
                                     "in_person" if stored.get("booked") == "yes" else "phone",
                                     resident_id))
        db.execute("UPDATE adjustments SET status = 'withdrawn', withdrawn_at = ?,"
                   " withdrawn_reason = ?, updated_at = ? WHERE id = ?",
                   (now, "Moved to the resident's language and interpreter details", now,
                    adjustment_id))
    db.execute("UPDATE adjustment_types SET active = 0, parameters = '[]',"
               " instruction_template = '{interpreting}' WHERE code = 'interpreter'")


@migrations()
def m016_officer_adjustment_reviews(db: Database) -> None:
    """Each review of an adjustment kept as "still needed": who did it, how (with the
    resident in person, by phone, with their advocate, or another way) and the next date."""
    _script(db, """
    CREATE TABLE adjustment_reviews (
        id INTEGER PRIMARY KEY,
        adjustment_id INTEGER NOT NULL REFERENCES adjustments(id),
        reviewed_by INTEGER NOT NULL REFERENCES users(id),
        how TEXT NOT NULL CHECK (how IN ('in_person', 'phone', 'advocate', 'other')),
        how_other TEXT NOT NULL DEFAULT '',
        next_review TEXT NOT NULL,
        reviewed_at TEXT NOT NULL
    );
    CREATE INDEX adjustment_reviews_adjustment ON adjustment_reviews(adjustment_id, id)
    """)


@migrations()
def m017_messages_tables(db: Database) -> None:
    """Messages to residents: the templates an admin reviews (data, not code), each adjustment's
    words for the resident, and every message exactly as it was sent, once per event and
    channel (its key)."""
    _script(db, """
    ALTER TABLE adjustment_types ADD COLUMN resident_template TEXT NOT NULL DEFAULT '';
    CREATE TABLE message_templates (
        event TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        subject TEXT NOT NULL,
        opening TEXT NOT NULL,
        next_steps TEXT NOT NULL,
        shows_visit INTEGER NOT NULL DEFAULT 1,
        sort_order INTEGER NOT NULL
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        visit_id INTEGER NOT NULL REFERENCES visits(id),
        resident_id INTEGER NOT NULL REFERENCES residents(id),
        event TEXT NOT NULL REFERENCES message_templates(event),
        channel TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'letter', 'phone')),
        key TEXT NOT NULL UNIQUE,
        recipient TEXT NOT NULL DEFAULT '',
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        visit_snapshot TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN (
            'queued', 'sent', 'delivered', 'could_not_send', 'demo_not_sent', 'to_print',
            'to_call', 'called')),
        error TEXT NOT NULL DEFAULT '',
        provider_id TEXT NOT NULL DEFAULT '',
        resend_of INTEGER REFERENCES messages(id),
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        sent_at TEXT,
        status_at TEXT
    );
    CREATE INDEX messages_visit ON messages(visit_id, created_at);
    CREATE INDEX messages_resident ON messages(resident_id, created_at)
    """)
    for code, words in catalogues.RESIDENT_ADJUSTMENT_WORDS.items():
        db.execute("UPDATE adjustment_types SET resident_template = ? WHERE code = ?",
                   (words, code))
    db["message_templates"].insert_all(
        {"event": event, "label": label, "subject": subject, "opening": opening,
         "next_steps": next_steps, "shows_visit": int(shows_visit), "sort_order": order}
        for order, (event, label, subject, opening, next_steps, shows_visit)
        in enumerate(catalogues.MESSAGE_TEMPLATES))


@migrations()
def m018_logs_one_no_heating(db: Database) -> None:
    """"No heating" was offered twice (a property hazard and a welfare concern): the welfare
    one is retired in favour of "No heating or hot water". Logs that used it keep it."""
    _script(db, """
    ALTER TABLE concern_categories ADD COLUMN replaced_by TEXT REFERENCES concern_categories(code);
    UPDATE concern_categories SET replaced_by = 'no_heating_hot_water'
        WHERE code = 'welfare_no_heating'
    """)


@migrations()
def m019_logs_feedback_sent_later(db: Database) -> None:
    """After a visit stopped for distress or risk nobody asks the resident how it felt straight
    away; their officer may choose to later, and when they did is kept."""
    _script(db, """
    ALTER TABLE visits ADD COLUMN feedback_sent_at TEXT;
    ALTER TABLE visits ADD COLUMN feedback_sent_by INTEGER REFERENCES users(id)
    """)



@migrations()
def m020_door_counted_instructions(db: Database) -> None:
    """Instructions that count say "1 person", not "1 people": the templates now name the noun
    to count ("{n:person}"), so existing installations take the catalogue's current words for
    those types only (other types' words are changed by their own migrations)."""
    for code, _label, template, _params in catalogues.ADJUSTMENT_TYPES:
        if re.search(r"\{\w+:\w+\}", template):
            db.execute("UPDATE adjustment_types SET instruction_template = ? WHERE code = ?",
                       [template, code])


_OTHER_TIMING = re.compile(
    r"^(?:please\s+)?(?:do not visit|don't visit|no visits?|not)\s+(?P<avoid>.+)$"
    r"|^(?P<only>(?:only\s+)?(?:in the\s+)?(?:mornings?|afternoons?)(?:\s+only)?)\.?$",
    re.IGNORECASE)
FEMALE_WORDS = {"female", "woman", "women", "a woman", "f", "lady", "female operative"}


def _adjustment_type_row(code: str) -> dict:
    order, (code, label, template, params) = next(
        (i, t) for i, t in enumerate(catalogues.ADJUSTMENT_TYPES) if t[0] == code)
    section, chip = catalogues.ADJUSTMENT_BRIEFING[code]
    return {"label": label, "instruction_template": template, "briefing_section": section,
            "chip_template": chip,
            "parameters": json.dumps([{"name": n, "label": lab, "kind": k}
                                      for n, lab, k in params])}


@migrations()
def m021_booking_timing_and_female_operative(db: Database) -> None:
    """Timing adjustments become times and days the booking checks; "same gender" becomes
    "female operative requested", met by operatives an admin marks as able to attend. Typed
    words that are recognised become data; the rest become an "other" instruction with the same
    words, so nothing recorded is lost or hidden (docs/decisions.md)."""
    for code in (catalogues.TIMING_TYPE, catalogues.FEMALE_OPERATIVE_TYPE):
        row = _adjustment_type_row(code)
        db.execute("UPDATE adjustment_types SET label = ?, instruction_template = ?,"
                   " briefing_section = ?, chip_template = ?, parameters = ? WHERE code = ?",
                   (*row.values(), code))
    db.execute("ALTER TABLE users ADD COLUMN attends_female_requests INTEGER NOT NULL DEFAULT 0")
    rows = db.execute("SELECT id, resident_id, type_code, parameters, status FROM adjustments"
                      " WHERE type_code IN (?, ?, 'other')",
                      (catalogues.TIMING_TYPE, catalogues.FEMALE_OPERATIVE_TYPE)).fetchall()
    has_timing = {r[1] for r in rows if r[2] == catalogues.TIMING_TYPE and r[4] == "active"}
    for adjustment_id, resident_id, code, stored, status in rows:
        parameters = json.loads(stored or "{}")
        if code == catalogues.TIMING_TYPE:
            words = str(parameters.get("when", "")).strip()
            timing = catalogues.timing_from_words(words)
            if timing:
                _set_adjustment(db, adjustment_id, code,
                                catalogues.with_timing_words(code, timing))
            else:
                _set_adjustment(db, adjustment_id, "other",
                                {"text": f"Do not visit {words}." if words else
                                 "Do not visit at times the resident has asked us to avoid."})
        elif code == catalogues.FEMALE_OPERATIVE_TYPE:
            gender = str(parameters.get("gender", "")).strip()
            if not gender or gender.lower() in FEMALE_WORDS:
                _set_adjustment(db, adjustment_id, code, {})
            else:
                _set_adjustment(db, adjustment_id, "other", {
                    "text": f"The resident has asked for a {gender} operative."})
        elif status == "active" and resident_id not in has_timing:
            match = _OTHER_TIMING.match(str(parameters.get("text", "")).strip())
            timing = match and catalogues.timing_from_words(match["avoid"] or match["only"])
            if timing:
                _set_adjustment(db, adjustment_id, catalogues.TIMING_TYPE,
                                catalogues.with_timing_words(catalogues.TIMING_TYPE, timing))
                has_timing.add(resident_id)


def _set_adjustment(db: Database, adjustment_id: int, code: str, parameters: dict) -> None:
    db.execute("UPDATE adjustments SET type_code = ?, parameters = ? WHERE id = ?",
               (code, json.dumps(parameters), adjustment_id))


@migrations()
def m022_booking_cancel_reason(db: Database) -> None:
    """Why a visit was cancelled: a reason code (schedule.forms.CANCEL_REASONS) and the
    officer's optional words; when is the existing cancelled_at."""
    _script(db, """
    ALTER TABLE visits ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE visits ADD COLUMN cancel_note TEXT NOT NULL DEFAULT ''
    """)


@migrations()
def m023_booking_unique_tenancy_refs(db: Database) -> None:
    """A tenancy reference names one resident of a landlord (letter case aside), so the import
    can never book the wrong home. Existing duplicates do not stop the migration: the oldest
    resident keeps the reference, later ones get it marked "(duplicate N)", audited, for an
    officer to correct (docs/decisions.md)."""
    duplicates = db.execute("""
        SELECT id, tenancy_ref FROM residents AS later
        WHERE tenancy_ref != '' AND EXISTS (
            SELECT 1 FROM residents AS earlier
            WHERE earlier.landlord_id = later.landlord_id AND earlier.id < later.id
              AND lower(earlier.tenancy_ref) = lower(later.tenancy_ref))
        ORDER BY id""").fetchall()
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for resident_id, tenancy_ref in duplicates:
        db.execute("UPDATE residents SET tenancy_ref = ?, updated_at = ? WHERE id = ?",
                   (f"{tenancy_ref} (duplicate {resident_id})", now, resident_id))
        db.execute("INSERT INTO audit_log (at, action, record_type, record_id)"
                   " VALUES (?, 'tenancy_ref_marked_duplicate', 'resident', ?)",
                   (now, str(resident_id)))
    db.execute("CREATE UNIQUE INDEX residents_tenancy_ref ON residents(landlord_id,"
               " lower(tenancy_ref)) WHERE tenancy_ref != ''")


@migrations()
def m110_residents_search_index(db: Database) -> None:
    """Resident search through a full-text index (FTS5, trigram: any three letters in a row
    match, as the LIKE it replaces did) instead of reading every resident at each keystroke.
    The postcode is indexed without its space too, so "rs14ab" finds "RS1 4AB"."""
    db.execute("ALTER TABLE residents ADD COLUMN postcode_compact TEXT"
               " GENERATED ALWAYS AS (replace(postcode, ' ', '')) VIRTUAL")
    db["residents"].enable_fts(["name", "preferred_name", "address_line1", "postcode_compact",
                                "tenancy_ref"], fts_version="FTS5", create_triggers=True,
                               tokenize="trigram")


@migrations()
def m050_pauses(db: Database) -> None:
    """A pause for a resident who is away (in hospital, in crisis, staying elsewhere): visits
    wait, no-access does not count, reminders stop, and the officer checks in on the return.
    The reason is special-category data: only the officer's pause pages read it
    (fieldapp/pauses/private.py). Days are local dates; `starts_at` / `ends_at` are the UTC
    moments those days begin, so a visit's time compares with them directly."""
    _script(db, """
    CREATE TABLE resident_pauses (
        id INTEGER PRIMARY KEY,
        resident_id INTEGER NOT NULL REFERENCES residents(id),
        reason TEXT NOT NULL CHECK (reason IN ('hospital', 'crisis', 'elsewhere', 'other')),
        starts_on TEXT NOT NULL,
        ends_on TEXT,
        starts_at TEXT NOT NULL,
        ends_at TEXT,
        told_by TEXT NOT NULL CHECK (told_by IN ('resident', 'advocate', 'health_partner')),
        consent_given_by TEXT NOT NULL
            CHECK (consent_given_by IN ('resident', 'advocate', 'appointee')),
        consent_how TEXT NOT NULL CHECK (consent_how IN ('in_person', 'phone', 'letter', 'email')),
        consent_on TEXT NOT NULL,
        recorded_by INTEGER NOT NULL REFERENCES users(id),
        ended_at TEXT,
        ended_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        CHECK (ends_on IS NULL OR ends_on >= starts_on)
    );
    CREATE INDEX resident_pauses_resident ON resident_pauses(resident_id, starts_at);
    CREATE TABLE pause_visit_actions (
        id INTEGER PRIMARY KEY,
        pause_id INTEGER NOT NULL REFERENCES resident_pauses(id),
        visit_id INTEGER NOT NULL REFERENCES visits(id),
        action TEXT NOT NULL CHECK (action IN ('moved', 'kept', 'cancelled')),
        note TEXT NOT NULL DEFAULT '',
        user_id INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL,
        UNIQUE (pause_id, visit_id)
    );
    CREATE TABLE pause_alerts_raised (
        pause_id INTEGER NOT NULL REFERENCES resident_pauses(id),
        kind TEXT NOT NULL CHECK (kind IN ('return', 'review')),
        due TEXT NOT NULL,
        alert_id INTEGER REFERENCES alerts(id),
        created_at TEXT NOT NULL,
        PRIMARY KEY (pause_id, kind, due)
    );
    CREATE TABLE partner_links (
        id INTEGER PRIMARY KEY,
        landlord_id INTEGER NOT NULL REFERENCES organisations(id),
        partner_name TEXT NOT NULL,
        created_by INTEGER NOT NULL REFERENCES users(id),
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE partner_reports (
        id INTEGER PRIMARY KEY,
        link_id INTEGER NOT NULL REFERENCES partner_links(id),
        landlord_id INTEGER NOT NULL REFERENCES organisations(id),
        resident_id INTEGER REFERENCES residents(id),
        event TEXT NOT NULL CHECK (event IN ('admission', 'discharge')),
        event_on TEXT NOT NULL,
        resident_name TEXT NOT NULL,
        postcode TEXT NOT NULL,
        contact_name TEXT NOT NULL DEFAULT '',
        contact_phone TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'confirmed', 'dismissed')),
        pause_id INTEGER REFERENCES resident_pauses(id),
        decided_by INTEGER REFERENCES users(id),
        decided_at TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX partner_reports_landlord ON partner_reports(landlord_id, status, created_at);
    ALTER TABLE visits ADD COLUMN paused_booking_reason TEXT NOT NULL DEFAULT ''
    """)


@migrations()
def m070_passkeys(db: Database) -> None:
    """Passkeys (WebAuthn credentials) a person adds to sign in with, and the second factor an
    administrator's session must pass: `second_factor_at` is when this session used a passkey.
    Challenges are stored hashed until used once or expired (docs/decisions.md)."""
    _script(db, """
    CREATE TABLE passkeys (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        credential_id TEXT NOT NULL UNIQUE,
        public_key BLOB NOT NULL,
        sign_count INTEGER NOT NULL DEFAULT 0,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_used_at TEXT
    );
    CREATE INDEX passkeys_user ON passkeys(user_id);
    CREATE TABLE passkey_challenges (
        challenge_hash TEXT PRIMARY KEY,
        purpose TEXT NOT NULL CHECK (purpose IN ('register', 'sign_in', 'second_factor')),
        user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
        expires_at TEXT NOT NULL
    );
    ALTER TABLE user_sessions ADD COLUMN second_factor_at TEXT
    """)


@migrations()
def m060_pathways_visit_pathway(db: Database) -> None:
    """A resident's visit pathway (standard or supported), agreed with them and recorded like
    consent for an adjustment: who agreed, how, when, and which officer set it. Supported
    residents may ask for more than one visit a week, and may agree that their advocate gets
    a copy of each appointment message."""
    _script(db, """
    ALTER TABLE residents ADD COLUMN pathway TEXT NOT NULL DEFAULT 'standard'
        CHECK (pathway IN ('standard', 'supported'));
    ALTER TABLE residents ADD COLUMN pathway_consent_given_by TEXT NOT NULL DEFAULT '';
    ALTER TABLE residents ADD COLUMN pathway_consent_how TEXT NOT NULL DEFAULT '';
    ALTER TABLE residents ADD COLUMN pathway_consent_on TEXT NOT NULL DEFAULT '';
    ALTER TABLE residents ADD COLUMN pathway_set_by INTEGER REFERENCES users(id);
    ALTER TABLE residents ADD COLUMN pathway_set_at TEXT;
    ALTER TABLE residents ADD COLUMN pathway_more_visits INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE residents ADD COLUMN pathway_advocate_messages INTEGER NOT NULL DEFAULT 0
    """)


@migrations()
def m061_pathways_team_inbox(db: Database) -> None:
    """The landlord's team inbox: the office account an admin names to receive the alerts of
    residents who have no single point of contact."""
    db.execute("ALTER TABLE organisations ADD COLUMN team_inbox_user_id INTEGER"
               " REFERENCES users(id)")


@migrations()
def m062_referral_routes(db: Database) -> None:
    """Who can help: referral routes an admin keeps (local ones per landlord), and the
    national lines every landlord shares (landlord_id NULL), seeded here."""
    _script(db, """
    CREATE TABLE referral_routes (
        id INTEGER PRIMARY KEY,
        landlord_id INTEGER REFERENCES organisations(id),
        name TEXT NOT NULL,
        helps_with TEXT NOT NULL DEFAULT '[]',
        hours TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        text_number TEXT NOT NULL DEFAULT '',
        web_address TEXT NOT NULL DEFAULT '',
        takes_staff_referrals INTEGER NOT NULL DEFAULT 0,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX referral_routes_landlord ON referral_routes(landlord_id, active);
    CREATE TABLE referrals (
        id INTEGER PRIMARY KEY,
        alert_id INTEGER NOT NULL REFERENCES alerts(id),
        route_id INTEGER NOT NULL REFERENCES referral_routes(id),
        made_by INTEGER NOT NULL REFERENCES users(id),
        note TEXT NOT NULL DEFAULT '',
        made_at TEXT NOT NULL
    );
    CREATE INDEX referrals_alert ON referrals(alert_id);
    CREATE INDEX referrals_made_at ON referrals(made_at)
    """)
    now = utc_now()
    db["referral_routes"].insert_all(
        {"landlord_id": None, "name": name, "helps_with": json.dumps(helps), "hours": hours,
         "phone": phone, "text_number": text, "web_address": web,
         "takes_staff_referrals": 0, "active": 1, "created_at": now, "updated_at": now}
        for name, helps, hours, phone, text, web in catalogues.NATIONAL_REFERRAL_ROUTES)


# The resident's own choice of time, and "you said, we did": the words of their three messages
# (English here, translated by gettext when written: messages/words.py has the same words).
_CHOICE_TEMPLATES = [
    ("times_offered", "Times offered to choose from", "Choose a time for your {trade} visit",
     "We would like to agree a time for your {trade} visit that suits you.",
     "Choose one of these times with the link. If none of them suit, the same link lets you "
     "tell us when would. If we do not hear from you, we will come as booked.", False),
    ("time_chosen", "Time chosen by the resident", "We have booked your {trade} visit: {when}",
     "We have booked your {trade} visit for {when}, the time you chose.",
     "We will send you a reminder the day before. You can change the time with the same link "
     "until the day before the visit.", True),
    ("you_said_we_did", "You said, we did", "You told us about your {trade} visit",
     "Thank you for telling us how your {trade} visit on {when} felt. Because of what you "
     "said, we have made a change.",
     "If there is anything else, tell {contact}. We read everything residents tell us.",
     False),
]


@migrations()
def m040_offered_times(db: Database) -> None:
    """Times offered to the resident (two to four windows on different days, one open offer
    per visit), what they chose, changed or said about them; what matters to them for the
    visit; "I can't do this time" withdrawn; alerts raised by feedback and what changed."""
    _script(db, """
    CREATE TABLE time_offers (
        id INTEGER PRIMARY KEY,
        visit_id INTEGER NOT NULL REFERENCES visits(id),
        offered_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'withdrawn')),
        version INTEGER NOT NULL DEFAULT 0,
        chosen_window_id INTEGER,
        chosen_at TEXT,
        changes INTEGER NOT NULL DEFAULT 0,
        none_suit_at TEXT,
        none_suit_when TEXT NOT NULL DEFAULT ''
    );
    CREATE UNIQUE INDEX time_offers_one_open ON time_offers(visit_id) WHERE status = 'open';
    CREATE TABLE offered_windows (
        id INTEGER PRIMARY KEY,
        offer_id INTEGER NOT NULL REFERENCES time_offers(id),
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL
    );
    CREATE INDEX offered_windows_offer ON offered_windows(offer_id, starts_at);
    CREATE TABLE visit_wishes (
        id INTEGER PRIMARY KEY,
        visit_id INTEGER NOT NULL UNIQUE REFERENCES visits(id),
        words TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        adjustment_id INTEGER REFERENCES adjustments(id)
    );
    ALTER TABLE rebook_requests ADD COLUMN withdrawn_at TEXT;
    ALTER TABLE alerts ADD COLUMN feedback_theme TEXT NOT NULL DEFAULT '';
    ALTER TABLE alerts ADD COLUMN what_changed TEXT NOT NULL DEFAULT ''
    """)
    order = db.execute("SELECT coalesce(max(sort_order), 0) FROM message_templates").fetchone()[0]
    db["message_templates"].insert_all(
        {"event": event, "label": label, "subject": subject, "opening": opening,
         "next_steps": next_steps, "shows_visit": int(shows_visit),
         "sort_order": order + n}
        for n, (event, label, subject, opening, next_steps, shows_visit)
        in enumerate(_CHOICE_TEMPLATES, start=1))


@migrations()
def m080_checkin_supervisors_and_lone_working(db: Database) -> None:
    """Supervisors as users of their own role; the lone-worker check-in and check-out, each
    message from the phone stored once by its client id, and each escalation step with its
    time. A visit can be flagged "do not visit alone"; a landlord says from when a visit
    counts as late in the day.

    The role's CHECK is widened in place (SQLite's documented writable-schema edit): rebuilding
    `users` would cascade-delete its photos and sessions, and a migration cannot turn foreign
    keys off inside its transaction (docs/decisions.md)."""
    old = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'"
                     ).fetchone()[0]
    new = old.replace("CHECK (role IN ('operative', 'officer', 'admin'))",
                      "CHECK (role IN ('operative', 'officer', 'admin', 'supervisor'))")
    if new != old:
        version = db.execute("PRAGMA schema_version").fetchone()[0]
        db.execute("PRAGMA writable_schema = ON")
        db.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'users'",
                   (new,))
        db.execute(f"PRAGMA schema_version = {version + 1}")
        db.execute("PRAGMA writable_schema = OFF")
    _script(db, """
    ALTER TABLE visits ADD COLUMN lone_working INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE organisations ADD COLUMN late_from TEXT NOT NULL DEFAULT '17:00';
    CREATE TABLE checkins (
        id INTEGER PRIMARY KEY,
        client_id TEXT NOT NULL UNIQUE,
        visit_id INTEGER NOT NULL REFERENCES visits(id),
        operative_id INTEGER NOT NULL REFERENCES users(id),
        started_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        expected_minutes INTEGER NOT NULL,
        due_at TEXT NOT NULL,
        out_at TEXT,
        out_received_at TEXT,
        escalated_at TEXT,
        acknowledged_at TEXT,
        acknowledged_by INTEGER REFERENCES users(id),
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX checkins_visit ON checkins(visit_id);
    CREATE INDEX checkins_open ON checkins(operative_id, out_at);
    CREATE TABLE checkin_events (
        client_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('in', 'extend', 'out', 'help')),
        visit_id INTEGER NOT NULL REFERENCES visits(id),
        operative_id INTEGER NOT NULL REFERENCES users(id),
        checkin_id INTEGER REFERENCES checkins(id),
        phone_at TEXT NOT NULL,
        minutes INTEGER,
        payload_hash TEXT NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE INDEX checkin_events_checkin ON checkin_events(checkin_id);
    CREATE TABLE checkin_escalations (
        id INTEGER PRIMARY KEY,
        checkin_id INTEGER REFERENCES checkins(id),
        visit_id INTEGER NOT NULL REFERENCES visits(id),
        operative_id INTEGER NOT NULL REFERENCES users(id),
        reason TEXT NOT NULL CHECK (reason IN ('overrun', 'help')),
        source TEXT NOT NULL,
        step TEXT NOT NULL CHECK (step IN ('supervisor', 'duty')),
        user_id INTEGER NOT NULL REFERENCES users(id),
        alert_id INTEGER REFERENCES alerts(id),
        sent_at TEXT NOT NULL,
        acknowledged_at TEXT,
        acknowledged_by INTEGER REFERENCES users(id)
    );
    CREATE INDEX checkin_escalations_user ON checkin_escalations(user_id, sent_at);
    CREATE INDEX checkin_escalations_visit ON checkin_escalations(visit_id);
    CREATE INDEX checkin_escalations_source ON checkin_escalations(source);
    CREATE TABLE call_back_requests (
        id INTEGER PRIMARY KEY,
        operative_id INTEGER NOT NULL REFERENCES users(id),
        visit_id INTEGER NOT NULL REFERENCES visits(id),
        created_at TEXT NOT NULL,
        UNIQUE (operative_id, visit_id)
    )
    """)


@migrations()
def m090_log_photos(db: Database) -> None:
    """Photos of the work, sent with a post-visit log: a row per photo (what it is, when it is
    to be deleted) and its bytes in chunks, so storing or serving one never holds it whole in
    memory. A deleted photo keeps its row, marked, so the log says photos were taken and
    deleted. The landlord's retention period for them, in days (two years unless changed)."""
    _script(db, """
    CREATE TABLE log_photos (
        id INTEGER PRIMARY KEY,
        log_id INTEGER NOT NULL REFERENCES visit_logs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        content_type TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        delete_after TEXT NOT NULL,
        deleted_at TEXT,
        UNIQUE (log_id, position)
    );
    CREATE INDEX log_photos_due ON log_photos(delete_after) WHERE deleted_at IS NULL;
    CREATE TABLE log_photo_chunks (
        photo_id INTEGER NOT NULL REFERENCES log_photos(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (photo_id, seq)
    );
    ALTER TABLE organisations ADD COLUMN photo_retention_days INTEGER NOT NULL DEFAULT 730
    """)


@migrations()
def m030_languages_for_resident_pages(db: Database) -> None:
    """Each language on the list has its own name (autonym) and writing direction, and says
    whether resident pages and messages are offered in it: the languages with a translation
    catalogue start enabled. An admin adds or enables a language as data here."""
    _script(db, """
    ALTER TABLE languages ADD COLUMN autonym TEXT NOT NULL DEFAULT '';
    ALTER TABLE languages ADD COLUMN direction TEXT NOT NULL DEFAULT 'ltr'
        CHECK (direction IN ('ltr', 'rtl'));
    ALTER TABLE languages ADD COLUMN pages_enabled INTEGER NOT NULL DEFAULT 0
        CHECK (pages_enabled IN (0, 1))
    """)
    for code, autonym, direction in catalogues.PAGE_LANGUAGES:
        db.execute("UPDATE languages SET autonym = ?, direction = ?, pages_enabled = 1"
                   " WHERE code = ?", (autonym, direction, code))
    for code in ("ur", "fa", "ps", "ku"):  # right-to-left scripts not translated yet
        db.execute("UPDATE languages SET direction = 'rtl' WHERE code = ?", (code,))


@migrations()
def m031_messages_language(db: Database) -> None:
    """Each message says the language it was written in (BCP 47), so measures can count the
    residents reached in a language other than English. Every message so far was English."""
    db.execute("ALTER TABLE messages ADD COLUMN language TEXT NOT NULL DEFAULT 'en'")
    db.execute("CREATE INDEX messages_sent_language ON messages(sent_at) WHERE language != 'en'")


def apply(db: Database) -> None:
    migrations.apply(db)


# One visit as measures count it: its latest log (a changed log replaces the first), whether it
# was the resident's first booked visit for the trade, and whether it fell in a pause. The same
# definitions as the full recount in fieldapp/measures/queries.py (VISITS).
_VISIT_FACTS_SELECT = """
    SELECT visits.id, residents.landlord_id, visits.resident_id, visits.firm_id, visits.trade,
           visits.starts_at, visits.status, visits.pre_visit, latest.id, latest.outcome,
           latest.no_access_reason, latest.distress,
           NOT EXISTS (SELECT 1 FROM visits AS earlier
                       WHERE earlier.resident_id = visits.resident_id
                         AND earlier.trade = visits.trade AND earlier.pre_visit = 0
                         AND earlier.status = 'booked'
                         AND earlier.starts_at < visits.starts_at),
           EXISTS (SELECT 1 FROM resident_pauses AS pause
                   WHERE pause.resident_id = visits.resident_id
                     AND visits.starts_at >= pause.starts_at
                     AND (pause.ends_at IS NULL OR visits.starts_at < pause.ends_at))
    FROM visits
    JOIN residents ON residents.id = visits.resident_id
    LEFT JOIN visit_logs AS latest ON latest.id = (
        SELECT max(id) FROM visit_logs WHERE visit_logs.visit_id = visits.id)
"""
_VISIT_FACTS_COLUMNS = ("visit_id, landlord_id, resident_id, firm_id, trade, starts_at, status,"
                        " pre_visit, log_id, outcome, no_access_reason, distress,"
                        " first_of_trade, in_pause")


def _refresh_visit_facts(visit_id: str) -> str:
    return (f"DELETE FROM visit_facts WHERE visit_id = {visit_id};"
            f" INSERT INTO visit_facts ({_VISIT_FACTS_COLUMNS}) {_VISIT_FACTS_SELECT}"
            f" WHERE visits.id = {visit_id};")


def _refresh_first_of_trade(resident_id: str, trade: str) -> str:
    return f"""UPDATE visit_facts SET first_of_trade = NOT EXISTS (
        SELECT 1 FROM visits AS earlier
        WHERE earlier.resident_id = visit_facts.resident_id AND earlier.trade = visit_facts.trade
          AND earlier.pre_visit = 0 AND earlier.status = 'booked'
          AND earlier.starts_at < visit_facts.starts_at)
        WHERE resident_id = {resident_id} AND trade = {trade};"""


def _refresh_in_pause(resident_id: str) -> str:
    return f"""UPDATE visit_facts SET in_pause = EXISTS (
        SELECT 1 FROM resident_pauses AS pause
        WHERE pause.resident_id = visit_facts.resident_id
          AND visit_facts.starts_at >= pause.starts_at
          AND (pause.ends_at IS NULL OR visit_facts.starts_at < pause.ends_at))
        WHERE resident_id = {resident_id};"""


@migrations()
def m120_visit_facts(db: Database) -> None:
    """Each visit as measures count it, one row a visit, so a year of a borough's measures reads
    one small index instead of working out 100,000 latest logs. Kept by triggers in the same
    transaction as every write to visits, logs, pauses and residents, whoever makes it: the
    figures are never behind. fieldapp/measures/queries.py recounts from the records themselves
    and the tests check both agree."""
    _script(db, f"""
    CREATE TABLE visit_facts (
        visit_id INTEGER PRIMARY KEY,
        landlord_id INTEGER,
        resident_id INTEGER NOT NULL,
        firm_id INTEGER,
        trade TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        status TEXT NOT NULL,
        pre_visit INTEGER NOT NULL,
        log_id INTEGER,
        outcome TEXT,
        no_access_reason TEXT,
        distress TEXT,
        first_of_trade INTEGER NOT NULL,
        in_pause INTEGER NOT NULL
    );
    CREATE INDEX visit_facts_period ON visit_facts(landlord_id, starts_at, firm_id, status,
        outcome, no_access_reason, distress, in_pause, first_of_trade, pre_visit, resident_id,
        log_id);
    CREATE INDEX visit_facts_trade ON visit_facts(resident_id, trade);
    INSERT INTO visit_facts ({_VISIT_FACTS_COLUMNS}) {_VISIT_FACTS_SELECT}
    """)
    triggers = {
        "visits_facts_insert": ("AFTER INSERT ON visits",
                                _refresh_visit_facts("NEW.id")
                                + _refresh_first_of_trade("NEW.resident_id", "NEW.trade")),
        "visits_facts_update": ("AFTER UPDATE OF id, resident_id, firm_id, trade, starts_at,"
                                " status, pre_visit ON visits",
                                _refresh_visit_facts("OLD.id") + _refresh_visit_facts("NEW.id")
                                + _refresh_first_of_trade("OLD.resident_id", "OLD.trade")
                                + _refresh_first_of_trade("NEW.resident_id", "NEW.trade")),
        "visits_facts_delete": ("AFTER DELETE ON visits",
                                "DELETE FROM visit_facts WHERE visit_id = OLD.id;"
                                + _refresh_first_of_trade("OLD.resident_id", "OLD.trade")),
        "visit_logs_facts_insert": ("AFTER INSERT ON visit_logs",
                                    _refresh_visit_facts("NEW.visit_id")),
        "visit_logs_facts_update": ("AFTER UPDATE ON visit_logs",
                                    _refresh_visit_facts("OLD.visit_id")
                                    + _refresh_visit_facts("NEW.visit_id")),
        "visit_logs_facts_delete": ("AFTER DELETE ON visit_logs",
                                    _refresh_visit_facts("OLD.visit_id")),
        "resident_pauses_facts_insert": ("AFTER INSERT ON resident_pauses",
                                         _refresh_in_pause("NEW.resident_id")),
        "resident_pauses_facts_update": ("AFTER UPDATE ON resident_pauses",
                                         _refresh_in_pause("OLD.resident_id")
                                         + _refresh_in_pause("NEW.resident_id")),
        "resident_pauses_facts_delete": ("AFTER DELETE ON resident_pauses",
                                         _refresh_in_pause("OLD.resident_id")),
        "residents_facts_landlord": ("AFTER UPDATE OF landlord_id ON residents",
                                     "UPDATE visit_facts SET landlord_id = NEW.landlord_id"
                                     " WHERE resident_id = NEW.id;"),
    }
    for name, (when, body) in triggers.items():
        db.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


@migrations()
def m160_feedback_kept_as_sent(db: Database) -> None:
    """Every send from a feedback link is kept as a version of its own: a later send (from
    whoever holds the link, such as the operative who was shown it) never overwrites what the
    resident said first. The newest version per visit is "the answer" measures count. Rows
    already here become each visit's first version, dated when they were last sent; a version
    is never updated (the trigger refuses), so `updated_at` stays equal to `created_at`."""
    _script(db, """
    CREATE TABLE visit_feedback_versions (
        id INTEGER PRIMARY KEY,
        visit_id INTEGER NOT NULL REFERENCES visits(id),
        felt_safe TEXT CHECK (felt_safe IN ('yes', 'partly', 'no')),
        listened_to TEXT CHECK (listened_to IN ('yes', 'partly', 'no')),
        in_control TEXT CHECK (in_control IN ('yes', 'partly', 'no')),
        comment TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    INSERT INTO visit_feedback_versions (id, visit_id, felt_safe, listened_to, in_control,
                                         comment, created_at, updated_at)
        SELECT id, visit_id, felt_safe, listened_to, in_control, comment, updated_at,
               updated_at
        FROM visit_feedback ORDER BY id;
    DROP TABLE visit_feedback;
    ALTER TABLE visit_feedback_versions RENAME TO visit_feedback;
    CREATE INDEX visit_feedback_by_visit ON visit_feedback(visit_id, id)
    """)
    db.execute("CREATE TRIGGER visit_feedback_kept_as_sent BEFORE UPDATE ON visit_feedback"
               " BEGIN SELECT RAISE(ABORT, 'feedback is kept as sent: add a new version'); END")


@migrations()
def m130_safety_jobs_first(db: Database) -> None:
    """The worker runs due safety jobs (a lone worker's check-in steps, and pushes about a lone
    worker) before any other due job: a small index over the safety jobs still to run."""
    _script(db, """
    ALTER TABLE jobs ADD COLUMN safety INTEGER NOT NULL DEFAULT 0;
    UPDATE jobs SET safety = 1 WHERE done_at IS NULL AND (kind LIKE 'checkin\\_%' ESCAPE '\\'
        OR (kind IN ('send_push', 'push_to_device') AND json_extract(payload, '$.kind')
            IN ('lone_worker', 'lone_worker_safe', 'checkin_reminder')));
    CREATE INDEX jobs_safety_due ON jobs(run_after)
        WHERE done_at IS NULL AND safety = 1 AND failed_at IS NULL
    """)


@migrations()
def m150_cancellation_words_promise_what_we_do(db: Database) -> None:
    """The cancellation messages are sent for every reason ("no longer needed" too): a new time
    only if the work still needs doing, and no "front of the list" nothing gives. Only the
    words as first seeded are replaced."""
    new = ("You do not need to do anything. If the work still needs doing, {contact} will get "
           "in touch to agree a new time with you.")
    for event, old in (
            ("cancelled", "You do not need to do anything. {contact} will get in touch to find "
                          "a new time that suits you."),
            ("cancelled_short_notice", "You do not need to do anything. {contact} will get in "
                                       "touch to find a new time that suits you, and we will "
                                       "keep you to the front of the list.")):
        db.execute("UPDATE message_templates SET next_steps = ? WHERE event = ? AND"
                   " next_steps = ?", (new, event, old))


@migrations()
def m151_not_attended_words_name_the_contact_once(db: Database) -> None:
    """With no officer, {contact} is "the housing team at ...": "We have told the housing team
    at Riverside, your contact at Riverside" said the landlord twice. Only the words as first
    seeded are replaced."""
    db.execute(
        "UPDATE message_templates SET next_steps = ? WHERE event = 'not_attended' AND"
        " next_steps = ?",
        ("We have told {contact}, and they will get in touch to find a new time that suits you."
         " You do not need to do anything.",
         "We have told {contact}, your contact at {landlord}, and they will get in touch to find"
         " a new time that suits you. You do not need to do anything."))


@migrations()
def m170_feedback_outcome(db: Database) -> None:
    """Closing an alert raised by the resident's feedback says whether anything changed:
    'changed' (the resident is told what changed) or 'no_change' (nothing is sent), with an
    optional note for the record that only staff read. Alerts closed before this with what
    changed written were all closes with a change."""
    _script(db, """
    ALTER TABLE alerts ADD COLUMN feedback_outcome TEXT NOT NULL DEFAULT ''
        CHECK (feedback_outcome IN ('', 'changed', 'no_change'));
    ALTER TABLE alerts ADD COLUMN outcome_note TEXT NOT NULL DEFAULT '';
    UPDATE alerts SET feedback_outcome = 'changed'
        WHERE status = 'closed' AND feedback_theme != '' AND what_changed != ''
    """)


@migrations()
def m180_change_words_true_for_time_or_people(db: Database) -> None:
    """A "changed" message goes when the time moves or when only who is coming changes, yet
    its words said the time had moved ("now ...", "at the new time"). The words now hold in
    both cases. Only words as first seeded are replaced: an admin's own are kept."""
    for column, old, new in (
            ("subject", "We have changed your {trade} visit: now {when}",
             "A change to your {trade} visit on {when}"),
            ("opening", "We have changed your {trade} visit. It is now on {when}. Here is the"
                        " visit as it stands now.",
             "We have made a change to your {trade} visit. It is on {when}. Here is the visit"
             " as it stands now, including who is coming."),
            ("next_steps", "If we do not hear from you, we will come at the new time. If"
                           " anything else changes, we will tell you straight away.",
             "If we do not hear from you, we will come on {when}. If anything else changes, we"
             " will tell you straight away.")):
        db.execute(f"UPDATE message_templates SET {column} = ? WHERE event = 'changed' AND"
                   f" {column} = ?", (new, old))


@migrations()
def m200_urgent_alerts_are_safety_jobs(db: Database) -> None:
    """An urgent alert's pushes (a resident at risk) and its escalation to the duty users are
    safety jobs too: those already queued are marked, as m130 marked the lone worker's."""
    _script(db, """
    UPDATE jobs SET safety = 1 WHERE done_at IS NULL AND (kind = 'escalate_alert'
        OR (kind IN ('send_push', 'push_to_device')
            AND json_extract(payload, '$.kind') = 'urgent'))
    """)


@migrations()
def m210_available_slots(db: Database) -> None:
    """The landlord's available slots: a contractor firm free for a trade (free text, matched
    to the visit's trade without regard to case) from a start to an end, in UTC. A slot is
    free until a resident picks the window offered from it; that window names its slot."""
    _script(db, """
    CREATE TABLE available_slots (
        id INTEGER PRIMARY KEY,
        landlord_id INTEGER NOT NULL REFERENCES organisations(id),
        firm_id INTEGER NOT NULL REFERENCES organisations(id),
        trade TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        taken_by_visit_id INTEGER REFERENCES visits(id),
        taken_at TEXT,
        created_by INTEGER REFERENCES users(id),
        created_at TEXT NOT NULL,
        CHECK (ends_at > starts_at)
    );
    CREATE INDEX available_slots_landlord ON available_slots(landlord_id, starts_at);
    ALTER TABLE offered_windows ADD COLUMN slot_id INTEGER REFERENCES available_slots(id)
    """)
