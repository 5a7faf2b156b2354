"""The server's side of the offline app: the manifest, the service worker, the list of pages a
phone may keep, and answers the outbox can act on (401 and JSON, never a sign-in page)."""

import json
import re
from datetime import datetime, time, timedelta
from io import BytesIO

from PIL import Image

from fieldapp.core.clock import LOCAL_ZONE, today_local

from factories import add_resident, add_visit
from support import csrf_token_from


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["start_url"] == "/today"
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/"
    assert manifest["name"] and manifest["theme_color"].startswith("#")
    sizes = {}
    for icon in manifest["icons"]:
        image = Image.open(BytesIO(client.get(icon["src"]).data))
        assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes.setdefault(icon["purpose"], []).append(image.width)
    assert 192 in sizes["any"] and 512 in sizes["any"] and sizes["maskable"] == [512]
    assert 'rel="manifest"' in client.get("/login").get_data(as_text=True)


def test_the_service_worker_knows_its_shell_and_version(client):
    response = client.get("/sw.js")
    source = response.get_data(as_text=True)
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "__VERSION__" not in source and "__SHELL__" not in source
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", source).group(1))
    assert "/offline" in shell and "/static/css/app.css" in shell
    for url in shell:
        assert client.get(url).status_code == 200, url


def _visit_on(db, world, day, hour: int, operative: str = "operative", **fields) -> int:
    resident = add_resident(db, world.orgs["riverside"], world.users["officer"])
    return add_visit(db, resident, world.orgs["acme"], [world.users[operative]],
                     datetime.combine(day, time(hour), LOCAL_ZONE),
                     datetime.combine(day, time(hour + 1), LOCAL_ZONE), **fields)


def test_a_phone_keeps_only_its_operatives_visits_today_and_tomorrow(signed_in, db, world):
    today = today_local()
    mine = {_visit_on(db, world, today, 8), _visit_on(db, world, today + timedelta(days=1), 9)}
    not_mine = {
        _visit_on(db, world, today - timedelta(days=1), 9),
        _visit_on(db, world, today + timedelta(days=2), 9),
        _visit_on(db, world, today, 10, status="cancelled"),
        _visit_on(db, world, today, 11, operative="other_firm_operative"),
    }
    pack = signed_in("operative").get("/api/offline-pack").get_json()
    urls = {page["url"] for page in pack["pages"]}
    for visit in mine:
        for path in ["", "/id-card", "/distress", "/log"]:
            assert f"/visits/{visit}{path}" in urls
    assert not {url for url in urls for visit in not_mine if f"/visits/{visit}" in url}
    assert {"/today", "/outbox"} <= urls
    assert not [url for url in urls if url.startswith(("/residents", "/inbox", "/alerts"))]
    days = {page["url"]: page["day"] for page in pack["pages"]}
    visit_today = min(mine)
    assert days[f"/visits/{visit_today}"] == today.isoformat()
    assert days[f"/visits/{max(mine)}"] == (today + timedelta(days=1)).isoformat()
    titles = [page["title"] for page in pack["pages"] if page["title"]]
    assert not [title for title in titles if "Ada Resident" in title]  # no names on the list


def test_only_operatives_have_pages_to_keep(signed_in, client):
    assert signed_in("officer").get("/api/offline-pack").status_code == 403
    anonymous = client.get("/api/offline-pack")
    assert anonymous.status_code == 401
    assert anonymous.get_json() == {"errors": {"session": "Sign in again to send this"}}


def test_the_outbox_gets_json_it_can_act_on(signed_in, client, world):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    anonymous = client.post("/api/logs", json={}, headers={"X-CSRFToken": token})
    assert anonymous.status_code == 401 and "Location" not in anonymous.headers
    operative = signed_in("operative")
    no_token = operative.post("/api/logs", json={"visit_id": world.visits["today"]})
    assert no_token.status_code == 400 and no_token.get_json()["code"] == "csrf"
    session = operative.get("/api/session").get_json()
    assert session["user"] == world.users["operative"]
    missing = operative.post("/api/logs", json={"visit_id": 999_999},
                             headers={"X-CSRFToken": session["csrf_token"]})
    assert missing.status_code == 404 and "errors" in missing.get_json()
    assert client.get("/api/session").status_code == 401


def test_the_log_form_tells_the_phone_the_rules(signed_in, world):
    page = signed_in("operative").get(f"/visits/{world.visits['today']}/log")
    html = page.get_data(as_text=True)
    phone = json.loads(re.search(r"data-phone='([^']*)'", html).group(1))
    assert phone["messages"]["outcome"] == "Select how the visit went"
    assert phone["limits"] == {"note": 500, "follow_up": 200}
    assert "significant" in phone["urgent"]["distress"]
    assert "risk_to_self" in phone["urgent"]["concern"]
    assert "no_access" not in phone["urgent"]["outcome"]  # reach-out, not urgent


def test_signing_out_tells_the_browser_to_drop_its_cache(signed_in):
    operative = signed_in("operative")
    token = csrf_token_from(operative.get("/today").get_data(as_text=True))
    response = operative.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Clear-Site-Data"] == '"cache"'


def test_the_no_signal_page_has_a_slot_for_the_kept_pages(client):
    # The service worker fetches it without cookies, so it holds nobody's data.
    page = client.get("/offline").get_data(as_text=True)
    assert re.search(r'<ul class="link-list" id="offline-pages"><li>[^<]+</li></ul>', page)
    assert "Sign out" not in page


def test_the_lists_the_script_fills_say_something_until_it_does(signed_in, client):
    """An empty list is read out as nothing at all: each holds a sentence the script replaces."""
    outbox = signed_in("operative").get("/outbox").get_data(as_text=True)
    assert re.search(r'<ol class="record-list" id="outbox-list"><li>Looking for the logs'
                     r' kept on this phone\.</li></ol>', outbox)
    kept = client.get("/offline").get_data(as_text=True)
    assert re.search(r'id="offline-pages"><li>The pages saved on this phone show here when'
                     r' you have no signal\.</li></ul>', kept)


def test_the_sign_out_warning_comes_after_the_pages_heading(signed_in):
    html = signed_in("operative").get("/today").get_data(as_text=True)
    assert html.index("<h1") < html.index("Not everything has sent yet")
