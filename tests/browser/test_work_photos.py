"""Photos of the work from a phone, in Debian's Chromium against the real app: made small on the
phone with their metadata gone, kept in the outbox with their log when there is no signal and
sent once with it, and a photo the server refuses kept on the phone as "needs attention"."""

import io
import re

import pytest
from PIL import Image, ImageFilter
from playwright.sync_api import expect

from fieldapp.core.db import query_all

from conftest import assert_accessible, assert_tap_targets
from test_offline import open_my_day, signal_back, status, visits  # noqa: F401  (fixture)

SENDS = 20_000  # ms: three photos to send once signal is back
CAMERA_MAKE, GPS_INFO = 0x010F, 0x8825


def camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[CAMERA_MAKE] = "Phonecam"
    exif.get_ifd(GPS_INFO)[2] = (51.0, 30.0, 12.5)  # GPSLatitude: where it was taken
    return exif


@pytest.fixture(scope="module")
def camera_photos(tmp_path_factory) -> list:
    """A 40 megapixel photo with the textures of a real one, and two smaller ones: each with
    the camera's make and where it was taken in its EXIF."""
    folder = tmp_path_factory.mktemp("camera")
    texture = Image.merge("RGB", [Image.effect_noise((1460, 1096), 60) for _ in range(3)]
                          ).filter(ImageFilter.GaussianBlur(1))
    paths = []
    for name, size in [("boiler.jpg", (7300, 5480)), ("pipe.jpg", (1200, 1600)),
                       ("meter.jpg", (800, 600))]:
        path = folder / name
        texture.resize(size, Image.BILINEAR).save(path, format="JPEG", quality=80,
                                                  exif=camera_exif())
        paths.append(path)
    assert Image.open(paths[0]).getexif().get_ifd(GPS_INFO)
    return paths


def stored_photos(db, client_id: str) -> list:
    return query_all(db, """
        SELECT log_photos.*, (SELECT group_concat(hex(data), '') FROM (
            SELECT data FROM log_photo_chunks WHERE photo_id = log_photos.id ORDER BY seq))
            AS hex
        FROM log_photos JOIN visit_logs ON visit_logs.id = log_photos.log_id
        WHERE visit_logs.client_id = ? ORDER BY position""", (client_id,))


def test_three_photos_written_offline_are_made_small_stripped_and_sent_once_through_faults(
        page, live_server, db, visits, camera_photos):  # noqa: F811
    open_my_day(page, live_server)
    bodies, answers = [], []

    def flaky_server(route):
        bodies.append(route.request.post_data_buffer)
        if len(bodies) == 1:
            route.abort("connectionreset")  # the server dies while the photos are arriving
        elif len(bodies) == 2:
            answers.append(route.fetch().status)  # stored, but the answer is lost
            route.abort("connectionreset")
        else:
            answers.append(route.fetch().status)
            route.continue_()

    page.context.route("**/api/logs", flaky_server)
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/visits/{visits['today']}/log")
    page.get_by_label("Completed", exact=True).check()
    page.get_by_label("Photos of the work (optional)").set_input_files(camera_photos)
    expect(page.locator("#photo-list li")).to_have_count(3, timeout=30_000)
    expect(page.get_by_role("button", name="Remove photo 3")).to_be_visible()
    assert_accessible(page, "log form with three photos")
    assert_tap_targets(page)
    client_id = page.locator("#client_id").input_value()
    page.get_by_role("button", name="Send the log").click()
    expect(page.locator("#log-saved")).to_be_visible()
    expect(status(page)).to_have_text("Logs: 1 waiting to send")
    assert query_all(db, "SELECT id FROM visit_logs WHERE client_id = ?", (client_id,)) == []

    signal_back(page)
    for _ in range(100):  # the outbox tries again each time the phone says it is online
        if len(bodies) >= 3:
            break
        page.wait_for_timeout(300)
        page.evaluate("dispatchEvent(new Event('online'))")
    expect(status(page)).to_have_text("Logs: All sent", timeout=SENDS)
    assert answers[:2] == [201, 200]  # the resend is known: stored once
    logs = query_all(db, "SELECT id FROM visit_logs WHERE client_id = ?", (client_id,))
    photos = stored_photos(db, client_id)
    assert len(logs) == 1 and len(photos) == 3  # one log, three photos, none twice
    arrived = bodies[-1]
    for photo in photos:
        kept = bytes.fromhex(photo["hex"])
        assert kept in arrived  # stored exactly as the phone sent it
        image = Image.open(io.BytesIO(kept))
        assert max(image.size) <= 1600 and image.size == (photo["width"], photo["height"])
        assert dict(image.getexif()) == {}
        assert b"Exif" not in kept and b"Phonecam" not in kept
    forty_megapixels = bytes.fromhex(photos[0]["hex"])
    assert Image.open(io.BytesIO(forty_megapixels)).size == (1600, 1201)
    assert 200 * 1024 < len(forty_megapixels) <= 300 * 1024, len(forty_megapixels)
    served = page.request.get(
        f"{live_server.url}/visits/{visits['today']}/photos/{photos[0]['id']}")
    assert served.status == 200 and served.body() == forty_megapixels  # streamed back whole
    assert served.headers["cache-control"] == "private, max-age=86400"
    print(f"\n40 MP photo sent as {len(forty_megapixels) // 1024} KB; request bodies "
          f"{[len(b) // 1024 for b in bodies]} KB")


def test_a_photo_the_server_refuses_keeps_its_log_on_the_phone_as_needs_attention(
        page, live_server, db, visits, tmp_path):  # noqa: F811
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really a picture")
    open_my_day(page, live_server)
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/visits/{visits['today']}/log")
    page.get_by_label("Completed", exact=True).check()
    page.get_by_label("Photos of the work (optional)").set_input_files(broken)
    expect(page.locator("#photo-list li")).to_have_count(1)
    client_id = page.locator("#client_id").input_value()
    page.get_by_role("button", name="Send the log").click()
    expect(page.locator("#log-saved")).to_be_visible()

    signal_back(page)
    expect(status(page)).to_have_text("Logs: 1 needs attention", timeout=SENDS)
    status(page).get_by_role("link").click()
    item = page.locator("#outbox-list li")
    expect(item).to_contain_text("Needs attention")
    expect(item).to_contain_text(
        "Photo 1 (broken.jpg) is not a photo: choose a JPG, PNG or WebP")
    expect(item).to_contain_text(re.compile(r"Photos\s*1 photo"))
    assert query_all(db, "SELECT id FROM visit_logs WHERE client_id = ?", (client_id,)) == []

    item.get_by_role("link", name="Change and send again").click()
    expect(page.locator("#photo-list li")).to_have_count(1)  # kept with the log
    page.get_by_role("button", name="Remove photo 1").click()
    expect(page.locator("#photo-list li")).to_have_count(0)
    page.get_by_role("button", name="Send the log").click()
    page.wait_for_url("**/logged?log=*")
    expect(status(page)).to_have_text("Logs: All sent")
