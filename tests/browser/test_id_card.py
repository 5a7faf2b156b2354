"""The ID card in the browser: the QR code a phone camera sees opens the right check page."""

import io

import zxingcpp
from PIL import Image

from conftest import assert_accessible, screenshot, sign_in_browser
from factories import add_resident, add_visit, window_around_now
from support import PASSWORD, PEOPLE


def test_qr_code_on_the_id_card_opens_a_page_that_confirms_the_caller(page, live_server, db,
                                                                       world, browser):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Michael Brennan", doorstep_password="bluebell")
    visit = add_visit(db, resident, world.orgs["acme"], [world.users["operative"]],
                      *window_around_now())
    sign_in_browser(page, live_server.url, PEOPLE["operative"][0], PASSWORD)
    page.goto(f"{live_server.url}/visits/{visit}/id-card")
    assert_accessible(page, "ID card")
    screenshot(page, "id-card")
    qr = page.locator("svg.qr")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
    assert [result.format.name for result in decoded] == ["QRCode"]
    link = decoded[0].text
    assert link.startswith(f"{live_server.url}/verify/")

    resident_phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    resident_phone.goto(link)
    heading = resident_phone.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Yes: Operative from Acme Repairs is booked to visit your home")
    assert "Michael" not in resident_phone.content()
    # The operative's photo loads for the resident to match the face (allowed by the CSP).
    resident_phone.wait_for_function(
        "document.querySelector('img.verify__photo').naturalWidth > 0", timeout=5000)
    assert_accessible(resident_phone, "verification page")
    resident_phone.context.close()
