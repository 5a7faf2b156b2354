"""The second hardening round (issue 16): each attack that worked, tried again and refused."""

import pytest

from support import csrf_token_from

# ---- 5. Deeply nested or very large JSON: a 400 or 413 with a message, never a 500 ----

JSON_ENDPOINTS = [("operative", "/today", "/api/logs"),
                  ("officer", "/settings/notifications", "/push/subscriptions"),
                  ("officer", "/settings/notifications", "/push/subscriptions/delete")]


def _json_client(signed_in, person, page):
    client = signed_in(person)
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    client.environ_base["HTTP_X_CSRFTOKEN"] = token
    return client


@pytest.mark.parametrize(("person", "page", "url"), JSON_ENDPOINTS)
@pytest.mark.parametrize("body", ["[" * 20000 + "]" * 20000,
                                  '{"a":' * 5000 + "1" + "}" * 5000,
                                  "[" * 30 + "]" * 30])
def test_deeply_nested_json_is_refused_with_a_message(signed_in, person, page, url, body):
    client = _json_client(signed_in, person, page)
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 400
    [message] = response.get_json()["errors"].values()
    assert "nested too deeply" in message


@pytest.mark.parametrize(("person", "page", "url"), JSON_ENDPOINTS)
def test_a_json_body_over_the_cap_is_refused_with_a_message(signed_in, person, page, url):
    client = _json_client(signed_in, person, page)
    response = client.post(url, data='{"note": "' + "x" * 70_000 + '"}',
                           content_type="application/json")
    assert response.status_code == 413
    [message] = response.get_json()["errors"].values()
    assert "larger than we accept" in message


# ---- 2. One CSV writer: nothing else in the app writes CSV ----

def test_every_csv_the_app_writes_goes_through_the_one_safe_writer():
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "fieldapp"
    writers = [str(path.relative_to(package)) for path in package.rglob("*.py")
               if "csv.writer" in path.read_text() or "csv.DictWriter" in path.read_text()]
    assert writers == ["core/csvout.py"]


# ---- 4. Step changes racing each other: never a 500, the steps stay numbered 1, 2, 3 ----

def _live_session(live_server, email: str):
    import re

    import requests

    session = requests.Session()
    page = session.get(f"{live_server.url}/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    from support import PASSWORD

    answer = session.post(f"{live_server.url}/login", timeout=10, allow_redirects=False,
                          data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert answer.status_code == 303
    return session


STEP_RACES = {
    "move one down, remove the next": [("move", 1, "down"), ("delete", 2, "")],
    "remove one, move it": [("delete", 2, ""), ("move", 2, "up")],
    "move two towards each other": [("move", 2, "down"), ("move", 3, "up")],
    "remove the same step twice": [("delete", 1, ""), ("delete", 1, "")],
    "edit one, remove it": [("edit", 3, ""), ("delete", 3, "")],
    "add one, remove one, move one": [("add", 0, ""), ("delete", 1, ""), ("move", 4, "up")],
    "everything at once": [("move", 1, "down"), ("move", 2, "up"), ("delete", 3, ""),
                           ("edit", 4, ""), ("add", 0, ""), ("move", 4, "up")],
}


@pytest.mark.parametrize("race", list(STEP_RACES))
def test_conflicting_step_changes_in_parallel_never_answer_500(live_server, db, world, race):
    import threading

    from fieldapp.schedule.queries import add_steps

    visit = world.visits["today"]
    session = _live_session(live_server, world.email("officer"))
    page = session.get(f"{live_server.url}/schedule/{visit}", timeout=10).text
    token = csrf_token_from(page)
    statuses = []
    for _round in range(8):
        db.execute("DELETE FROM work_steps WHERE visit_id = ?", (visit,))
        add_steps(db, visit, [{"description": f"Step {n}"} for n in range(1, 5)])
        ids = [row[0] for row in db.execute(
            "SELECT id FROM work_steps WHERE visit_id = ? ORDER BY position", (visit,))]
        base = f"{live_server.url}/schedule/{visit}/steps"
        calls = []
        for action, position, direction in STEP_RACES[race]:
            data = {"csrf_token": token}
            if action == "add":
                url, data["new-description"] = base, "Added"
            elif action == "edit":
                url, data["description"] = f"{base}/{ids[position - 1]}/edit", "Edited"
            else:
                url = f"{base}/{ids[position - 1]}/{action}"
                data["direction"] = direction
            calls.append((url, data))
        start = threading.Barrier(len(calls))

        def send(url, data, start=start):
            start.wait()
            answer = session.post(url, data=data, timeout=30, allow_redirects=False)
            statuses.append(answer.status_code)

        threads = [threading.Thread(target=send, args=call) for call in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        positions = [row[0] for row in db.execute(
            "SELECT position FROM work_steps WHERE visit_id = ? ORDER BY position", (visit,))]
        assert positions == list(range(1, len(positions) + 1))
    assert statuses and set(statuses) <= {303}, statuses
    shown = session.get(f"{live_server.url}/schedule/{visit}", timeout=10).text
    assert "Something went wrong" not in shown


def test_a_step_removed_while_it_was_edited_says_the_steps_changed_and_keeps_the_text(
        signed_in, db, world):
    from support import post_form

    visit, step = world.visits["today"], world.others["step"]
    client = signed_in("officer")
    page = client.get(f"/schedule/{visit}/steps/{step}/edit").get_data(as_text=True)
    db.execute("DELETE FROM work_steps WHERE id = ?", (step,))
    answer = client.post(f"/schedule/{visit}/steps/{step}/edit", data={
        "csrf_token": csrf_token_from(page), "description": "Turn the water off first"})
    assert answer.status_code == 303
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "The steps changed while you were working on them" in shown
    assert "Turn the water off first" in shown
    for action in ("move", "delete"):
        gone = post_form(client, f"/schedule/{visit}/steps/{step}/{action}",
                         {"direction": "up"}, page_url=f"/schedule/{visit}")
        assert gone.status_code == 303
        assert "The steps changed" in client.get(gone.headers["Location"]).get_data(
            as_text=True)
