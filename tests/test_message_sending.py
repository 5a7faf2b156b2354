"""Sending messages for real: through GOV.UK Notify's published API (a local server that checks
the JWT as Notify does) and by SMTP (a real SMTP server, aiosmtpd). Retried on 429 and 5xx,
shown to the officer as "could not send" on 400 and 403, never sent twice, delivery status
fetched."""

import socket
import uuid
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from fieldapp.core import jobs
from fieldapp.messages import outbox

from factories import add_resident
from notify_server import API_KEY, SERVICE_ID, NotifyServer
from support import post_form
from test_messages import boiler_visit, messages_of

SMS_TEMPLATE = str(uuid.uuid4())
EMAIL_TEMPLATE = str(uuid.uuid4())


def run_jobs(app, db, hours: float = 2) -> int:
    """Run jobs as the worker would while the hours pass; how many ran."""
    runs, now = 0, datetime.now(UTC)
    end = now + timedelta(hours=hours)
    with app.app_context():
        while now < end:
            if not jobs.run_one(db, now=now):
                now += timedelta(minutes=1)
            else:
                runs += 1
    return runs


@pytest.fixture
def notify(app):
    with NotifyServer() as server:
        app.config.update(NOTIFY_API_KEY=API_KEY, NOTIFY_BASE_URL=server.url,
                          NOTIFY_SMS_TEMPLATE_ID=SMS_TEMPLATE,
                          NOTIFY_EMAIL_TEMPLATE_ID=EMAIL_TEMPLATE)
        yield server


def resident_who_prefers(db, world, preference: str, **fields) -> int:
    return add_resident(db, world.orgs["riverside"], world.users["officer"],
                        preferred_contact=preference, phone="07700 900444",
                        email="ada@example.test", **fields)


def queued(db, world, preference: str, event: str = "not_attended") -> int:
    resident = resident_who_prefers(db, world, preference)
    visit = boiler_visit(db, world, resident, [world.users["operative"]])
    outbox.queue_for_visit(db, visit, event)
    return visit


def test_a_text_goes_through_notify_with_the_words_in_the_body_placeholder(app, db, world,
                                                                           notify):
    visit = queued(db, world, "text")
    run_jobs(app, db, hours=0.05)
    [(kind, body)] = notify.accepted
    [message] = messages_of(db, visit)
    assert kind == "sms"
    assert body == {"phone_number": "07700 900444", "template_id": SMS_TEMPLATE,
                    "personalisation": {"body": message["body"]}, "reference": message["key"]}
    assert message["status"] == "sent" and message["provider_id"]
    assert "We are sorry. We did not come to your home" in message["body"]


def test_delivery_status_is_fetched_from_notify(app, db, world, notify):
    visit = queued(db, world, "email")
    run_jobs(app, db, hours=0.05)
    [message] = messages_of(db, visit)
    assert notify.accepted[0][0] == "email"
    assert notify.accepted[0][1]["personalisation"]["subject"] == message["subject"]
    notify.statuses[message["provider_id"]] = "delivered"
    run_jobs(app, db, hours=1)
    assert messages_of(db, visit)[0]["status"] == "delivered"
    assert any(path.startswith("/v2/notifications/") and path.count("/") == 3
               for path in notify.requests)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_or_broken_notify_is_tried_again_and_sends_once(app, db, world, notify, status):
    visit = queued(db, world, "text")
    notify.refuse_next(status, "Exceeded rate limit", "RateLimitError")
    notify.refuse_next(status, "Exceeded rate limit", "RateLimitError")
    run_jobs(app, db, hours=0.5)
    assert len([p for p in notify.requests if p.endswith("/sms")]) == 3
    assert len(notify.accepted) == 1
    assert messages_of(db, visit)[0]["status"] == "sent"


def test_a_bad_number_is_shown_to_the_officer_with_notifys_reason(app, db, world, notify,
                                                                 signed_in):
    visit = queued(db, world, "text")
    notify.refuse_next(400, "phone_number Not a UK mobile number")
    run_jobs(app, db, hours=0.5)
    [message] = messages_of(db, visit)
    assert (message["status"], message["error"]) == (
        "could_not_send", "phone_number Not a UK mobile number")
    assert len(notify.requests) == 1  # final: not tried again
    page = signed_in("officer").get(f"/messages/{message['id']}").get_data(as_text=True)
    assert "Could not send</strong>: phone_number Not a UK mobile number" in page


def test_a_wrong_key_is_refused_by_notify_and_shown(app, db, world, notify):
    app.config["NOTIFY_API_KEY"] = f"fieldapp_test-{SERVICE_ID}-{uuid.uuid4()}"
    visit = queued(db, world, "text")
    run_jobs(app, db, hours=0.5)
    [message] = messages_of(db, visit)
    assert message["status"] == "could_not_send"
    assert "Invalid token" in message["error"]
    assert notify.accepted == []


def test_a_call_stays_with_the_office(app, db, world, notify):
    call = queued(db, world, "phone")
    run_jobs(app, db, hours=0.5)
    assert messages_of(db, call)[0]["status"] == "to_call"
    assert notify.accepted == []


def test_without_notify_a_letter_waits_for_the_office_to_print(app, db, world):
    letter = queued(db, world, "letter")
    run_jobs(app, db, hours=0.5)
    assert messages_of(db, letter)[0]["status"] == "to_print"


# SMTP ---------------------------------------------------------------------------------------

class Inbox:
    def __init__(self):
        self.mails = []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config["FIELDAPP_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    app.config["FIELDAPP_MAIL_FROM"] = "repairs@riverside.example"
    yield inbox
    controller.stop()


def test_email_goes_by_smtp_when_there_is_no_notify(app, db, world, smtp):
    visit = queued(db, world, "email")
    run_jobs(app, db, hours=0.05)
    [mail] = smtp.mails
    [message] = messages_of(db, visit)
    assert mail.rcpt_tos == ["ada@example.test"]
    assert mail.mail_from == "repairs@riverside.example"
    received = message_from_bytes(mail.content, policy=policy.default)
    assert received["Subject"] == message["subject"]
    assert received.get_content().replace("\r\n", "\n") == message["body"] + "\n"
    assert message["status"] == "sent"


def test_a_text_with_smtp_only_says_why_it_could_not_go(app, db, world, smtp):
    visit = queued(db, world, "text")
    run_jobs(app, db, hours=0.05)
    assert messages_of(db, visit)[0]["error"] == (
        "text messages need GOV.UK Notify, which is not set up")
    assert smtp.mails == []


def test_an_email_job_run_twice_sends_once(app, db, world, smtp):
    visit = queued(db, world, "email")
    run_jobs(app, db, hours=0.05)
    with app.app_context():
        outbox.send_message(db, {"message_id": messages_of(db, visit)[0]["id"]},
                            datetime.now(UTC))
    assert len(smtp.mails) == 1




def test_a_message_notify_never_takes_says_so_instead_of_waiting(app, db, world, notify,
                                                                 signed_in):
    visit = queued(db, world, "text")
    for _ in range(jobs.MAX_ATTEMPTS):
        notify.refuse_next(500, "Internal server error", "ServerError")
    run_jobs(app, db, hours=3)
    [message] = messages_of(db, visit)
    assert message["status"] == "queued" and notify.accepted == []
    client = signed_in("officer")
    page = client.get(f"/residents/{message['resident_id']}").get_data(as_text=True)
    assert "Could not send</strong>: tried many times without an answer" in page


def test_send_again_goes_to_the_corrected_number(app, db, world, notify, signed_in):
    visit = queued(db, world, "text")
    notify.refuse_next(400, "phone_number Not a UK mobile number")
    run_jobs(app, db, hours=0.1)
    [refused] = messages_of(db, visit)
    db.execute("UPDATE residents SET phone = '07700 900999' WHERE id = ?",
               (refused["resident_id"],))
    post_form(signed_in("officer"), f"/messages/{refused['id']}/again",
              page_url=f"/messages/{refused['id']}")
    run_jobs(app, db, hours=0.1)
    assert [body["phone_number"] for _kind, body in notify.accepted] == ["07700 900999"]
    assert messages_of(db, visit)[1]["body"] == refused["body"]
