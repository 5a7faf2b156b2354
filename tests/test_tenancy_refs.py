"""A tenancy reference names one resident of a landlord, whatever its letter case: the form says
so next to the field, and the migration keeps working where duplicates were already stored."""

import sqlite3

import pytest
from test_residents import count, resident_form

from fieldapp.core import migrations
from fieldapp.core.db import connect

from factories import add_resident
from pages import assert_field_error
from support import post_form

TAKEN = "Another resident already has this tenancy reference"


def test_a_new_resident_cannot_take_a_reference_another_resident_has(db, world, signed_in):
    add_resident(db, world.orgs["riverside"], world.users["officer"], tenancy_ref="RH-10002")
    before = count(db, "residents")
    response = post_form(signed_in("officer"), "/residents/new",
                         resident_form(world, tenancy_ref="rh-10002"))
    assert response.status_code == 422
    assert_field_error(response.get_data(as_text=True), "tenancy_ref", TAKEN)
    assert count(db, "residents") == before


def test_a_resident_keeps_their_own_reference_but_cannot_take_another(db, world, signed_in):
    riverside, officer = world.orgs["riverside"], world.users["officer"]
    mine = add_resident(db, riverside, officer, tenancy_ref="RH-1")
    add_resident(db, riverside, officer, tenancy_ref="RH-2")
    client = signed_in("officer")
    url = f"/residents/{mine}/edit"
    assert post_form(client, url, resident_form(world, tenancy_ref="RH-1")).status_code == 303
    refused = post_form(client, url, resident_form(world, tenancy_ref="RH-2"))
    assert refused.status_code == 422
    assert_field_error(refused.get_data(as_text=True), "tenancy_ref", TAKEN)
    assert db.execute("SELECT tenancy_ref FROM residents WHERE id = ?", (mine,)).fetchone()[0] \
        == "RH-1"


def test_another_landlord_and_empty_references_are_not_duplicates(db, world, signed_in):
    add_resident(db, world.orgs["elsewhere"], None, tenancy_ref="RH-10002")
    add_resident(db, world.orgs["riverside"], world.users["officer"], tenancy_ref="")
    client = signed_in("officer")
    assert post_form(client, "/residents/new", resident_form(world)).status_code == 303
    assert post_form(client, "/residents/new",
                     resident_form(world, tenancy_ref="")).status_code == 303


def test_the_database_refuses_a_duplicate_whatever_writes_it(db, world):
    add_resident(db, world.orgs["riverside"], None, tenancy_ref="RH-7")
    with pytest.raises(sqlite3.IntegrityError):
        add_resident(db, world.orgs["riverside"], None, tenancy_ref="rh-7")


def test_migration_keeps_the_oldest_and_marks_later_duplicates_for_an_officer(tmp_path):
    db = connect(str(tmp_path / "old.db"))
    name = next(m.name for m in migrations.migrations.pending(db)
                if m.name.endswith("_booking_unique_tenancy_refs"))
    migrations.migrations.apply(db, stop_before=name)
    for landlord in ("A", "B"):
        db.execute("INSERT INTO organisations (name, kind, created_at, updated_at)"
                   " VALUES (?, 'landlord', 'n', 'n')", (landlord,))
    for landlord_id, ref in ((1, "T-1"), (1, "t-1"), (1, "T-2"), (2, "T-1"), (1, "T-1")):
        add_resident(db, landlord_id, tenancy_ref=ref)
    migrations.apply(db)
    assert [r[0] for r in db.execute("SELECT tenancy_ref FROM residents ORDER BY id")] == [
        "T-1", "t-1 (duplicate 2)", "T-2", "T-1", "T-1 (duplicate 5)"]
    assert [r[0] for r in db.execute("SELECT record_id FROM audit_log WHERE action ="
                                     " 'tenancy_ref_marked_duplicate' ORDER BY id")] == ["2", "5"]
    db.close()
