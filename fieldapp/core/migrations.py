"""The schema, created and changed only here: one function per change, applied in order.

Never edit a migration that has shipped; add a new one. `fieldapp migrate` applies them.
"""

import json

from sqlite_utils import Database, Migrations

from fieldapp.core import catalogues

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
def m014_door_counted_instructions(db: Database) -> None:
    """Instructions that count say "1 person", not "1 people": the templates now name the noun
    to count ("{n:person}"), so existing installations take the catalogue's current words."""
    for code, _label, template, _params in catalogues.ADJUSTMENT_TYPES:
        db.execute("UPDATE adjustment_types SET instruction_template = ? WHERE code = ?",
                   [template, code])


def apply(db: Database) -> None:
    migrations.apply(db)
