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
