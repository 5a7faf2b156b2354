"""The officer can show the doorstep password while typing it, and the field works without
JavaScript."""

from conftest import assert_accessible, assert_tap_targets, sign_in_browser
from support import PASSWORD, PEOPLE


def test_the_doorstep_password_can_be_shown_and_hidden_while_typing(page, live_server, world):
    sign_in_browser(page, live_server.url, PEOPLE["officer"][0], PASSWORD)
    page.goto(f"{live_server.url}/residents/{world.residents['riverside']}/edit")
    field = page.get_by_label("Doorstep password")
    assert field.get_attribute("type") == "password"
    field.fill("bluebell")
    show = page.get_by_role("button", name="Show password")
    assert show.get_attribute("aria-pressed") == "false"
    assert show.get_attribute("aria-controls") == "doorstep_password"
    assert_accessible(page, "resident form with the password toggle")
    assert_tap_targets(page)
    show.click()
    assert field.get_attribute("type") == "text" and field.input_value() == "bluebell"
    hide = page.get_by_role("button", name="Hide password")
    assert hide.get_attribute("aria-pressed") == "true"
    hide.click()
    assert field.get_attribute("type") == "password" and field.input_value() == "bluebell"
    # The toggle is not a submit button: pressing it saved nothing.
    assert "/edit" in page.url


def test_without_javascript_the_field_is_a_plain_password_field_that_saves(browser, live_server,
                                                                            world, db):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_browser(page, live_server.url, PEOPLE["officer"][0], PASSWORD)
    page.goto(f"{live_server.url}/residents/new")
    assert page.get_by_role("button", name="Show password").count() == 0
    page.get_by_label("Full name").fill("Nell Newcomer")
    page.get_by_label("Address line 1").fill("4 Rowan Close")
    page.get_by_label("Postcode").fill("RS3 3CC")
    page.get_by_label("Doorstep password").fill("snowdrop")
    page.get_by_role("button", name="Add resident").click()
    page.wait_for_load_state()
    assert db.execute("SELECT doorstep_password FROM residents WHERE name = 'Nell Newcomer'"
                      ).fetchone()[0] == "snowdrop"
    context.close()
