"""Fixtures every area reuses: a real SQLite file per test, a small world of organisations and
users in every role, signed-in clients, a live server on a loopback port, and page checks."""

import io
import os
import shutil
from datetime import time, timedelta

import pytest
from PIL import Image

os.environ["FIELDAPP_ENV"] = "test"
os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "x" * 40)

from fieldapp import create_app  # noqa: E402
from fieldapp.accounts.credentials import create_passkey  # noqa: E402
from fieldapp.accounts.organisations import create_contractor, create_landlord  # noqa: E402
from fieldapp.accounts.queries import create_user, save_photo  # noqa: E402
from fieldapp.adjustments.queries import create_adjustment  # noqa: E402
from fieldapp.core import migrations as schema  # noqa: E402
from fieldapp.core.clock import local_to_utc_iso, today_local  # noqa: E402
from fieldapp.core.db import connect, utc_now  # noqa: E402
from fieldapp.core.photos import prepare_photo  # noqa: E402
from fieldapp.logs.queries import create_log, create_log_photo  # noqa: E402
from fieldapp.messages.queries import create_message  # noqa: E402
from fieldapp.referrals.queries import create_route  # noqa: E402
from fieldapp.residents.queries import create_resident  # noqa: E402
from fieldapp.schedule.queries import create_visit, steps_of_visit, store_import  # noqa: E402

# Re-exported for tests that still import them from here; new tests import from support.
from support import (  # noqa: E402,F401
    PASSWORD,
    PEOPLE,
    LiveServer,
    World,
    authenticator_of,
    csrf_token_from,
    post_form,
    sign_in,
    sign_in_quickly,
)


def _build_world(db) -> World:
    world = World()
    riverside = create_landlord(db, name="Riverside Homes", main_phone="020 7946 0000",
                                duty_phone="020 7946 0999", safeguarding_phone="020 7946 0555",
                                web_address="https://www.riverside.example")
    elsewhere = create_landlord(db, name="Elsewhere Housing", main_phone="0161 496 0000")
    world.orgs = {
        "riverside": riverside, "elsewhere": elsewhere,
        "acme": create_contractor(db, landlord_id=riverside, name="Acme Repairs",
                                  main_phone="0113 496 0100"),
        "brightside": create_contractor(db, landlord_id=riverside, name="Brightside Gas",
                                        main_phone="0113 496 0200"),
        "faraway": create_contractor(db, landlord_id=elsewhere, name="Faraway Fixers",
                                     main_phone="0161 496 0100"),
    }
    for key, (email, role, org) in PEOPLE.items():
        world.users[key] = create_user(
            db, name=key.replace("_", " ").title(), email=email, password=PASSWORD, role=role,
            organisation_id=world.orgs[org], badge_number="B-1" if role == "operative" else "")
        if role == "admin":
            # Administrators need a passkey (a second factor) for their pages: each admin of
            # the world has one, and sign_in_quickly uses it through the real ceremony.
            authenticator = authenticator_of(email)
            world.others[f"{key}_passkey"] = create_passkey(
                db, user_id=world.users[key], credential_id=authenticator.id,
                public_key=authenticator.public_key(), sign_count=0, name="Test phone")
    _add_resident_and_visit(db, world)
    save_photo(db, world.users["operative"], "image/jpeg", prepare_photo(_small_png()))
    return world


def _small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 50), "teal").save(out, format="PNG")
    return out.getvalue()


def _add_resident_and_visit(db, world: World) -> None:
    now = utc_now()
    world.residents["riverside"] = create_resident(db, world.orgs["riverside"], {
        "officer_id": world.users["officer"], "name": "Rita Resident",
        "address_line1": "1 Test Street", "postcode": "RS1 1AA", "area": "Testville"})
    day = today_local()
    for key, job_ref, trade, when, hours in (
            ("today", "JOB-1", "Plumbing", day, (10, 12)),
            ("tomorrow", "JOB-2", "Carpentry", day + timedelta(days=1), (9, 11))):
        world.visits[key] = create_visit(
            db, resident_id=world.residents["riverside"], firm_id=world.orgs["acme"],
            job_ref=job_ref, trade=trade, starts_at=local_to_utc_iso(when, time(hours[0])),
            ends_at=local_to_utc_iso(when, time(hours[1])),
            operatives=[world.users["operative"]],
            steps=[{"description": "Fix the tap"}] if key == "today" else [])
    world.others["adjustment"] = create_adjustment(
        db, world.residents["riverside"], "gentle_knock", world.users["officer"], {
            "parameters": {}, "detail": "", "consent_given_by": "resident",
            "consent_how": "phone", "consent_on": "2026-01-01", "review_due": "2099-01-01"})
    world.others["step"] = steps_of_visit(db, world.visits["today"])[0]["id"]
    world.others["log"] = create_log(
        db, client_id="00000000-0000-4000-8000-000000000001", visit_id=world.visits["today"],
        author_id=world.users["operative"], outcome="no_access", no_access_reason="no_answer",
        distress="none", payload_hash="x", created_at=now)
    work_photo = io.BytesIO()
    Image.new("RGB", (160, 120), "sienna").save(work_photo, format="JPEG")
    world.others["photo"] = create_log_photo(
        db, log_id=world.others["log"], position=1, content_type="image/jpeg", width=160,
        height=120, size=len(work_photo.getvalue()), sha256="world", created_at=now,
        delete_after="2099-01-01T00:00:00+00:00", chunks=[work_photo.getvalue()])
    world.others["alert"] = db.execute(
        "INSERT INTO alerts (resident_id, officer_id, log_id, severity, reasons, created_at)"
        " VALUES (?, ?, ?, 'reach_out', 'No access', ?)",
        (world.residents["riverside"], world.users["officer"], world.others["log"], now)
    ).lastrowid
    world.others["referral_route"] = create_route(db, world.orgs["riverside"], {
        "name": "Testville Advice Centre", "helps_with": ["advice", "debt"],
        "hours": "Monday to Friday, 9am to 5pm", "phone": "0113 496 0300", "text_number": "",
        "web_address": "", "takes_staff_referrals": 1}, now)
    world.others["message"] = create_message(
        db, visit_id=world.visits["today"], resident_id=world.residents["riverside"],
        event="booked", channel="letter", key="world:booked", recipient="Rita Resident",
        visit_snapshot="{}", status="to_print", subject="Your plumbing visit",
        body="Hello Rita,\n\nWe have booked a plumbing visit.")
    world.others["visit_import"] = store_import(
        db, world.orgs["riverside"], world.users["officer"], "jobs.csv",
        "job_ref,tenancy_ref,date,start,end,trade,firm\n"
        "JOB-9,T-1,2099-01-01,10:00,12:00,Plumbing,Acme Repairs\n")


@pytest.fixture(scope="session")
def world_template(tmp_path_factory):
    """The world built once (password hashing is slow on purpose); each test copies the file."""
    path = tmp_path_factory.mktemp("template") / "world.db"
    db = connect(str(path))
    schema.apply(db)
    world = _build_world(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path, world


@pytest.fixture
def db_path(tmp_path, world_template):
    path = tmp_path / "fieldapp.db"
    shutil.copyfile(world_template[0], path)
    return path


@pytest.fixture
def world(world_template) -> World:
    return world_template[1]


@pytest.fixture
def app(db_path):
    return create_app({"TESTING": True, "FIELDAPP_DB": str(db_path), "FIELDAPP_ENV": "test",
                       "FIELDAPP_BASE_URL": "http://fieldapp.test"})


@pytest.fixture
def db(app):
    database = connect(app.config["FIELDAPP_DB"])
    yield database
    database.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def signed_in(app):
    """`signed_in("officer")` -> a test client signed in as that person of the world."""

    def make(person: str):
        return sign_in_quickly(app, PEOPLE[person][0])

    return make


@pytest.fixture
def live_server(app):
    """The real app on a free loopback port, in a thread, for the browser tests."""
    with LiveServer(app) as server:
        yield server
