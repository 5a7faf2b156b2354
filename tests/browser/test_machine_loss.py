"""A log the server acknowledged but lost with its machine (restored from a copy made a moment
before the log arrived) is sent again by the phone's outbox and stored once, in Debian's
Chromium against the real app."""

import time

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from test_offline import SENDS, logs_with, open_my_day, status, visits, write_log  # noqa: F401

# The phone sends each acknowledged log once more after 10 s (static/js/outbox.js); the test
# makes the phone's record of the send that old instead of waiting.
AGE_THE_SENT_LOGS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("fieldapp");
  open.onsuccess = () => {
    const tx = open.result.transaction(["sent"], "readwrite");
    const sent = tx.objectStore("sent");
    sent.getAll().onsuccess = (event) => {
      for (const entry of event.target.result) {
        sent.put(Object.assign(entry, {sent_at: entry.sent_at - 11000}));
      }
    };
    tx.oncomplete = () => resolve(true);
    tx.onerror = () => reject(tx.error);
  };
  open.onerror = () => reject(open.error);
})"""

KEPT_WORDS = """() => new Promise((resolve) => {
  const open = indexedDB.open("fieldapp");
  open.onsuccess = () => {
    const request = open.result.transaction(["sent"]).objectStore("sent").getAll();
    request.onsuccess = () => resolve(request.result.filter((e) => e.payload).length);
  };
})"""


def settled(page, script):
    """Evaluates on the page the phone ends up on: a sent log takes the phone to its "Log sent"
    page, and on a busy machine that navigation can still be under way."""
    for _ in range(50):
        try:
            return page.evaluate(script)
        except PlaywrightError as error:
            if "context was destroyed" not in str(error):
                raise
            page.wait_for_load_state()
    raise AssertionError("the page did not settle")


def until(ready, seconds=30):
    deadline = time.monotonic() + seconds
    while not ready():
        assert time.monotonic() < deadline, "it did not happen in time"
        time.sleep(0.1)


def test_a_log_lost_with_the_servers_machine_is_sent_again_and_stored_once(
        page, live_server, db, visits):  # noqa: F811
    open_my_day(page, live_server)
    client_id = write_log(page, live_server, visits["today"])
    expect(status(page)).to_have_text("Logs: All sent", timeout=SENDS)
    until(lambda: len(logs_with(db, client_id)) == 1)
    assert settled(page, KEPT_WORDS) == 1  # kept until the server confirms it once more

    # The server's machine is lost and restored from a copy taken just before the log arrived.
    db.execute("DELETE FROM visit_logs WHERE client_id = ?", (client_id,))
    settled(page, AGE_THE_SENT_LOGS)
    settled(page, "dispatchEvent(new Event('online'))")  # any send: page load, timer, signal
    until(lambda: len(logs_with(db, client_id)) == 1)
    until(lambda: settled(page, KEPT_WORDS) == 0)  # confirmed: the phone forgets the words

    settled(page, AGE_THE_SENT_LOGS)
    settled(page, "dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    assert len(logs_with(db, client_id)) == 1, "a confirmed log is not sent again"
