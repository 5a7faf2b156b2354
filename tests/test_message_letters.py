"""Letters: an A4 PDF with the landlord's name and the resident's address block, a large-print
variant at 16 pt, every script a resident's name needs; sent as a Notify precompiled letter when
Notify is set up, otherwise offered to the office to print. The text is read back with pypdf."""

import base64
import io
import re

import pytest
from pypdf import PdfReader
from test_message_sending import run_jobs

from fieldapp.messages import letters, outbox
from fieldapp.residents.notes import add_private_note

from factories import add_adjustment, add_resident
from notify_server import API_KEY, NotifyServer
from test_messages import boiler_visit, messages_of

A4_POINTS = (595.28, 841.89)
PRIVATE_NOTE = "Private: the resident is frightened of men in uniform"


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r" ([.,:])", r"\1", " ".join(text.split()))


def body_sizes_in_points(pdf: bytes) -> set[float]:
    """The size, in points, of the greeting and of each step of the schedule of works."""
    sizes = set()

    def seen(text, cm, _tm, _font, size):
        if text.startswith("Hello") or re.match(r"\d\. ", text):
            sizes.add(round(size * cm[0], 1))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=seen)
    return sizes


@pytest.fixture
def letter_visit(db, world):
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"],
                            name="Aisha Rahman আয়েশা রহমান", preferred_name="Aisha",
                            preferred_contact="letter", address_line1="3 Willow Walk",
                            town="Riverside", postcode="RS1 5CD")
    add_private_note(db, resident, world.users["officer"], PRIVATE_NOTE)
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    outbox.queue_for_visit(db, visit, "booked")
    return visit


def test_a_letter_is_an_a4_pdf_with_the_address_steps_names_and_window(app, db, world,
                                                                       letter_visit):
    run_jobs(app, db, hours=0.5)
    [message] = messages_of(db, letter_visit)
    assert message["status"] == "to_print"
    with app.app_context():
        pdf = letters.letter_pdf(db, message)
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A4_POINTS
    text = text_of(pdf)
    for expected in ("Riverside Homes", "Phone 020 7946 0000", "3 Willow Walk", "RS1 5CD",
                     "Aisha Rahman", message["subject"],
                     "1. Turn off the water and drain the boiler. Your water will be off for "
                     "about 10 minutes.", "Who is coming: Operative from Acme Repairs",
                     "between 10am and 12 noon"):
        assert expected in text, expected
    assert "frightened" not in text
    assert body_sizes_in_points(pdf) == {12.0}


def test_the_large_print_letter_is_16_point(app, db, world, letter_visit):
    run_jobs(app, db, hours=0.5)
    [message] = messages_of(db, letter_visit)
    with app.app_context():
        assert min(body_sizes_in_points(letters.letter_pdf(db, message, "large"))) >= 16
        assert letters.size_for(db, message["resident_id"]) == "standard"
        add_adjustment(db, message["resident_id"], "sight", world.users["officer"])
        assert min(body_sizes_in_points(letters.letter_pdf(db, message))) >= 16


def test_a_name_in_bengali_script_prints_with_a_bengali_font(app, db, world, letter_visit):
    run_jobs(app, db, hours=0.5)
    [message] = messages_of(db, letter_visit)
    with app.app_context():
        page = PdfReader(io.BytesIO(letters.letter_pdf(db, message))).pages[0]
    fonts = {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert any("Bengali" in font for font in fonts), fonts


def test_the_office_opens_the_letter_to_print_and_it_is_audited(app, db, world, letter_visit,
                                                                signed_in):
    run_jobs(app, db, hours=0.5)
    [message] = messages_of(db, letter_visit)
    client = signed_in("officer")
    page = client.get(f"/messages/{message['id']}").get_data(as_text=True)
    assert "Print the letter and post it to" in page and "Large print (16 pt)" in page
    response = client.get(f"/messages/{message['id']}/letter.pdf?size=large")
    assert response.headers["Content-Type"] == "application/pdf"
    assert "Turn off the water" in text_of(response.data)
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'message_letter_opened'"
                      ).fetchone()[0] == 1


def test_with_notify_the_letter_goes_as_a_precompiled_pdf(app, db, world, letter_visit):
    with NotifyServer() as notify:
        app.config.update(NOTIFY_API_KEY=API_KEY, NOTIFY_BASE_URL=notify.url)
        run_jobs(app, db, hours=0.5)
    [(kind, body)] = notify.accepted
    [message] = messages_of(db, letter_visit)
    assert (kind, body["reference"], message["status"]) == ("letter", message["key"], "sent")
    assert "Cut out the old pipe" in text_of(base64.b64decode(body["content"]))
