"""Security baseline: headers on every response, CSRF on every state change, safe config."""

import re

import pytest

from fieldapp import create_app
from fieldapp.core.config import ConfigError

from support import csrf_token_from

EXPECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.mark.parametrize("path", ["/login", "/static/css/app.css", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers[name] == value
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain http here


def test_content_security_policy_forbids_inline_script_eval_and_framing(client):
    policy = dict(part.strip().split(" ", 1)
                  for part in client.get("/login").headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "unsafe" not in " ".join(policy.values())


def test_pages_have_no_inline_script_or_style(signed_in):
    for person, path in [("admin", "/admin/users"), ("admin", "/admin/users/new"),
                         ("operative", "/today"), ("officer", "/residents")]:
        html = signed_in(person).get(path).get_data(as_text=True)
        assert "<script>" not in html and "<script " not in html.replace(
            '<script src="/static/', "")
        assert " style=" not in html and "<style" not in html


def test_https_adds_hsts_and_secure_cookies(app, db_path):
    secure_app = create_app({"TESTING": True, "FIELDAPP_DB": str(db_path),
                             "SESSION_COOKIE_SECURE": True})
    response = secure_app.test_client().get("/login", base_url="https://fieldapp.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_https_base_url_turns_on_secure_cookies(monkeypatch, db_path):
    monkeypatch.setenv("FIELDAPP_BASE_URL", "https://fieldapp.example")
    assert create_app({"FIELDAPP_DB": str(db_path)}).config["SESSION_COOKIE_SECURE"] is True


def test_session_cookie_is_http_only_and_same_site(client):
    cookie = client.get("/login").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_for_signed_in_people_are_not_cached(signed_in):
    assert signed_in("officer").get("/residents").headers["Cache-Control"] == "no-store"


def test_form_post_without_csrf_token_is_refused_in_plain_english(client):
    response = client.post("/login", data={"email": "a@b.test", "password": "x"})
    assert response.status_code == 400
    assert "Your form was not sent" in response.get_data(as_text=True)


def test_htmx_style_request_with_csrf_header_is_accepted(signed_in):
    client = signed_in("officer")
    token = csrf_token_from(client.get("/residents").get_data(as_text=True))
    response = client.post("/logout", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 303


def test_every_post_route_refuses_a_request_without_csrf(app, signed_in):
    client = signed_in("admin")
    post_rules = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert post_rules
    for rule in post_rules:
        url = re.sub(r"<int:\w+>", "1", rule.rule)
        url = url.replace("<code>", "gentle_knock").replace("<token>", "a-resident-link-token")
        assert "<" not in url, f"add an example value for {rule.rule}"
        assert client.post(url, data={}).status_code == 400, rule.rule


@pytest.mark.parametrize(("path", "status", "words"), [
    ("/no-such-page", 404, "Page not found"),
    ("/admin/users", 403, "You cannot open this page"),
])
def test_error_pages_are_plain_english(signed_in, path, status, words):
    response = signed_in("operative").get(path)
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert words in html and "<h1>" in html


def test_server_error_page_is_plain_english(db_path):
    app = create_app({"FIELDAPP_DB": str(db_path), "PROPAGATE_EXCEPTIONS": False})

    def broken():
        raise RuntimeError("boom")

    broken.access_rule = "public"
    app.add_url_rule("/broken-for-test", view_func=broken)
    response = app.test_client().get("/broken-for-test")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html and "boom" not in html


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("FIELDAPP_ENV", "production")
    monkeypatch.setenv("FIELDAPP_DB", str(tmp_path / "x.db"))
    for weak in ("", "dev", "short-key"):
        monkeypatch.setenv("SECRET_KEY", weak)
        with pytest.raises(ConfigError, match="SECRET_KEY"):
            create_app()
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    assert create_app().config["SECRET_KEY"] == "k" * 48


def test_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("FIELDAPP_ENV", "prod")
    with pytest.raises(ConfigError, match="FIELDAPP_ENV"):
        create_app()


def _public_pages(app, world) -> list[str]:
    """The pages someone with no account opens that hold no form: the QR code's answer (real
    and tampered), a resident's link that no longer works, the no-signal page and a 404."""
    from fieldapp.core.clock import today_local
    from fieldapp.core.signing import make_token
    from fieldapp.voice import tokens

    with app.test_request_context():
        verify = make_token(world.visits["today"], world.users["operative"],
                            today_local().isoformat())
        feedback = tokens.make(tokens.FEEDBACK_SALT, 999999)
        rebook = tokens.make(tokens.REBOOK_SALT, 999999)
    return [f"/verify/{verify}", "/verify/not-a-token", f"/f/{feedback}", "/f/not-a-token",
            f"/r/{rebook}", "/r/not-a-token", "/offline", "/no-such-page"]


def test_public_pages_without_a_form_set_no_cookie(app, world):
    for path in _public_pages(app, world):
        response = app.test_client().get(path)
        assert response.status_code in (200, 404), path
        assert "Set-Cookie" not in response.headers, f"{path} set {response.headers['Set-Cookie']}"
        assert "X-CSRFToken" not in response.get_data(as_text=True), path


def test_a_signed_in_page_carries_the_csrf_header_that_htmx_sends(signed_in):
    client = signed_in("officer")
    html = client.get("/inbox").get_data(as_text=True)
    token = re.search(r"""<body data-hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", html).group(1)
    response = client.post("/logout", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 303


def test_the_operatives_photo_is_not_kept_in_the_browsers_http_cache(signed_in):
    response = signed_in("operative").get("/me/photo")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
