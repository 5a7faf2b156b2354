"""Handing a written message to the resident's channel: GOV.UK Notify (text, email and
precompiled PDF letters, through its official client), SMTP email where a landlord has no
Notify, and in the office otherwise (a letter to print, a call to make). With neither Notify
nor SMTP set up (a demo) messages are kept in the app, marked "demo: not sent", so nobody is
told a message went when it did not.

A Notify 429 or 5xx raises, so the worker tries again later with backoff; a 400 or 403 (a bad
number, a bad key) is final: the officer reads "could not send" and the reason.
"""

import io
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from flask import current_app
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from fieldapp.messages import letters

TIMEOUT_SECONDS = 10
STATUS_AFTER = timedelta(minutes=5)
STATUS_CHECKS = 12  # about an hour of asking; Notify knows within minutes for texts and email
FINAL = (400, 403)
# Notify's statuses (its API documentation) in our words.
NOTIFY_DELIVERED = ("delivered", "received", "accepted")
NOTIFY_FAILED = {"permanent-failure": "the number or address does not exist",
                 "temporary-failure": "the phone or inbox did not accept it",
                 "technical-failure": "Notify had a technical problem",
                 "validation-failed": "Notify could not accept it"}


@dataclass(frozen=True)
class Outcome:
    status: str
    error: str = ""
    provider_id: str = ""


def notify_client() -> NotificationsAPIClient | None:
    key = current_app.config.get("NOTIFY_API_KEY")
    if not key:
        return None
    base_url = current_app.config.get("NOTIFY_BASE_URL") or "https://api.notifications.service.gov.uk"
    return NotificationsAPIClient(key, base_url=base_url, timeout=TIMEOUT_SECONDS)


def deliver(db, message) -> Outcome:
    channel = message["channel"]
    if channel == "phone":
        return Outcome("to_call")
    client = notify_client()
    if channel == "letter":
        if client is None:
            return Outcome("to_print")
        return _by_notify(client, message, lambda: letters.letter_pdf(db, message))
    if client is not None:
        return _by_notify(client, message)
    if channel == "email" and current_app.config.get("FIELDAPP_SMTP_URL"):
        return _by_smtp(current_app.config["FIELDAPP_SMTP_URL"], message)
    if current_app.config.get("FIELDAPP_SMTP_URL"):  # a text, with email by SMTP only
        return Outcome("could_not_send", "text messages need GOV.UK Notify, which is not set up")
    return Outcome("demo_not_sent")


def _by_notify(client, message, pdf=None) -> Outcome:
    config = current_app.config
    body = {"body": message["body"]}
    try:
        if pdf is not None:
            answer = client.send_precompiled_letter_notification(
                reference=message["key"], pdf_file=io.BytesIO(pdf()))
        elif message["channel"] == "sms":
            answer = client.send_sms_notification(
                message["recipient"], config["NOTIFY_SMS_TEMPLATE_ID"], personalisation=body,
                reference=message["key"])
        else:
            answer = client.send_email_notification(
                message["recipient"], config["NOTIFY_EMAIL_TEMPLATE_ID"],
                personalisation={**body, "subject": message["subject"]},
                reference=message["key"])
    except APIError as error:
        if error.status_code in FINAL:
            return Outcome("could_not_send", reason(error))
        raise  # 429, 5xx, no answer: tried again later
    return Outcome("sent", provider_id=answer["id"])


def reason(error: APIError) -> str:
    """Notify's own words for why it refused, e.g. "phone_number Not a UK mobile number"."""
    found = error.message
    if isinstance(found, list):
        found = "; ".join(str(e.get("message", e)) for e in found if isinstance(e, dict))
    return (str(found) or f"Notify answered {error.status_code}")[:300]


def _by_smtp(url: str, message) -> Outcome:
    """FIELDAPP_SMTP_URL: smtp://user:password@host:port (smtps:// for TLS from the start)."""
    parts = urlsplit(url)
    mail = EmailMessage()
    mail["From"] = current_app.config.get("FIELDAPP_MAIL_FROM") or "fieldapp@localhost"
    mail["To"] = message["recipient"]
    mail["Subject"] = message["subject"]
    mail["Message-ID"] = f"<{message['key'].replace(':', '.')}@fieldapp>"
    mail.set_content(message["body"])
    connect = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    try:
        with connect(parts.hostname, parts.port or 0, timeout=TIMEOUT_SECONDS) as smtp:
            if parts.username:
                smtp.login(unquote(parts.username), unquote(parts.password or ""))
            smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as error:
        return Outcome("could_not_send", f"the mail server refused the address: {error}"[:300])
    return Outcome("sent")


def fetch_status(provider_id: str) -> tuple[str, str]:
    """("delivered" | "could_not_send" | "sent", the reason it failed)."""
    client = notify_client()
    if client is None:
        return "sent", ""
    status = client.get_notification_by_id(provider_id).get("status", "")
    if status in NOTIFY_DELIVERED:
        return "delivered", ""
    if status in NOTIFY_FAILED:
        return "could_not_send", NOTIFY_FAILED[status]
    return "sent", ""
