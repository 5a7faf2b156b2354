"""Addresses built with less work (core.urls) are the addresses url_for builds."""

from flask import url_for

from fieldapp.core.urls import fixed_url, url_for_each


def test_a_rows_address_is_the_one_url_for_builds(app):
    with app.test_request_context("/inbox"):
        alert_url = url_for_each("alerts.alert", "alert_id")
        for alert_id in (1, 7, 42, 987654, 12345678901):
            assert alert_url(alert_id) == url_for("alerts.alert", alert_id=alert_id)


def test_a_fixed_address_keeps_the_path_prefix_of_each_request(app):
    with app.test_request_context("/today"):
        assert fixed_url("static", filename="css/app.css") == "/static/css/app.css"
    with app.test_request_context("/today", base_url="http://localhost/repairs/"):
        assert fixed_url("static", filename="css/app.css") == "/repairs/static/css/app.css"
        assert fixed_url("operative.today") == url_for("operative.today") == "/repairs/today"
    with app.test_request_context("/today"):
        assert fixed_url("operative.today") == "/today"
