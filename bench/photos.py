"""Photos of the work: how long a log with three photos takes to send from a phone on a slow
signal, and whether the server's memory grows with the number or size of photos it stores.

Run: .venv/bin/python bench/photos.py [--runs 3] [--uploads 1,50]

1. Sending: Debian's Chromium, the operative's log form, three camera photos (12 MP, with EXIF)
   chosen and made small on the phone; then the network is throttled through the DevTools
   protocol (Network.emulateNetworkConditions: 150 ms latency, 1.6 Mbps each way, as
   Lighthouse's Slow 4G; then again with DevTools' Slow 4G upload of 750 kbps) and the time
   from tapping "Send the log" to the "Log sent" page is measured, with the bytes sent.
   The demo data on a new database, served by `fieldapp serve` (gunicorn) on a loopback port.
2. Memory: for each case a server of its own (gunicorn, one worker, one thread) takes N logs,
   each with one photo of a given size, on /api/logs; prints the worker's peak RSS (VmHWM)
   before and after. A peak that does not grow from 1 to 50 uploads, or from a 300 KB to a
   3 MB photo, means photos are streamed in chunks, never held all at once.
Prints figures; asserts nothing.
"""

import argparse
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import PASSWORD, free_port, start_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OPERATIVE = "operative@demo.test"
SLOW_4G = {"latency": 150, "down": 1.6e6, "up": 1.6e6}
SLOW_4G_DEVTOOLS_UPLOAD = {"latency": 150, "down": 1.6e6, "up": 750e3}


def demo_database(folder: Path) -> Path:
    db = folder / "photos.db"
    subprocess.run([str(ROOT / ".venv/bin/fieldapp"), "demo"], check=True,
                   env={**os.environ, "FIELDAPP_DB": str(db), "FIELDAPP_ENV": "development"},
                   stdout=subprocess.DEVNULL)
    return db


def camera_photo(path: Path, size=(4000, 3000)) -> None:
    """A textured 12 MP photo with the camera's make and a location in its EXIF."""
    from PIL import Image, ImageFilter

    exif = Image.Exif()
    exif[0x010F] = "Phonecam"
    exif.get_ifd(0x8825)[2] = (51.0, 30.0, 12.5)
    texture = Image.merge("RGB", [Image.effect_noise((size[0] // 5, size[1] // 5), 60)
                                  for _ in range(3)]).filter(ImageFilter.GaussianBlur(1))
    texture.resize(size, Image.BILINEAR).save(path, format="JPEG", quality=85, exif=exif)


def photo_bytes(db: Path) -> int:
    """The bytes of the photos of the log stored last: what the phone sent."""
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT sum(size) FROM log_photos WHERE log_id ="
                            " (SELECT max(id) FROM visit_logs)").fetchone()[0] or 0


def send_with_photos(runs: int) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        db = demo_database(folder)
        photos = [folder / f"photo-{n}.jpg" for n in range(3)]
        for photo in photos:
            camera_photo(photo)
        port = free_port()
        server = start_server(db, port, workers=2, threads=4)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium")
                context = browser.new_context(service_workers="block",
                                              viewport={"width": 390, "height": 844})
                page = context.new_page()
                page.goto(f"{base}/login")
                page.get_by_label("Email address").fill(OPERATIVE)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url("**/today")
                visit = re.search(r'href="/visits/(\d+)"', page.content())[1]
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                print(f"{'network':<42} {'made small':>10} {'sent in':>8} {'photo bytes':>11}"
                      f" {'answer':>7}")
                for name, network in [("Slow 4G (150 ms, 1.6 Mbps each way)", SLOW_4G),
                                      ("Slow 4G, DevTools upload (750 kbps up)",
                                       SLOW_4G_DEVTOOLS_UPLOAD)]:
                    for _ in range(runs):
                        cdp.send("Network.emulateNetworkConditions",
                                 {"offline": False, "latency": 0, "downloadThroughput": -1,
                                  "uploadThroughput": -1})
                        page.goto(f"{base}/visits/{visit}/log")
                        page.get_by_label("Completed", exact=True).check()
                        started = time.perf_counter()
                        page.get_by_label("Photos of the work (optional)").set_input_files(
                            photos)
                        page.locator("#photo-list li").nth(2).wait_for()
                        made_small = time.perf_counter() - started
                        cdp.send("Network.emulateNetworkConditions", {
                            "offline": False, "latency": network["latency"],
                            "downloadThroughput": network["down"] / 8,
                            "uploadThroughput": network["up"] / 8})
                        started = time.perf_counter()
                        with page.expect_response("**/api/logs", timeout=120_000) as answer:
                            page.get_by_role("button", name="Send the log").click()
                        # Sent: the server has stored the log and its photos and said so.
                        sent = time.perf_counter() - started
                        status = answer.value.status
                        # The "Log sent" page, or (sent after 6 s) "Saved on this phone".
                        page.locator("h1:has-text('Log sent'), #log-saved:visible").first.wait_for(
                            timeout=60_000)
                        print(f"{name:<42} {made_small:>9.1f}s {sent:>7.1f}s "
                              f"{photo_bytes(db):>11,} {status:>7}")
                browser.close()
        finally:
            server.terminate()
            server.wait()


def worker_pid(server) -> int:
    """The gunicorn worker (the one process answering) under the server's master."""
    for _ in range(100):
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("no gunicorn worker")


def peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024


def memory_case(uploads: int, kilobytes: int) -> None:
    """A server of its own (one worker, one thread), warmed by one log; then N logs, each with
    one plain JPEG of about `kilobytes`: the worker's peak RSS before and after."""
    from http.cookiejar import CookieJar
    from urllib.request import HTTPCookieProcessor, Request, build_opener

    from PIL import Image

    sys.path.insert(0, str(ROOT / "tests"))
    from test_faults import multipart

    with tempfile.TemporaryDirectory() as folder:
        db = demo_database(Path(folder))
        port = free_port()
        server = start_server(db, port, workers=1, threads=1)
        base = f"http://127.0.0.1:{port}"
        try:
            opener = build_opener(HTTPCookieProcessor(CookieJar()))
            page = opener.open(f"{base}/login").read().decode()
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
            opener.open(f"{base}/login", data=urlencode(
                {"csrf_token": token, "email": OPERATIVE, "password": PASSWORD}).encode())
            today = opener.open(f"{base}/today").read().decode()
            visit = int(re.search(r'href="/visits/(\d+)"', today)[1])
            token = re.search(r'"X-CSRFToken": "([^"]+)"', today)[1]
            side = int((kilobytes * 1024 / 0.5) ** 0.5)
            out = io.BytesIO()
            Image.effect_noise((side, side), 60).convert("RGB").save(out, "JPEG", quality=75)
            photo = out.getvalue()

            def send(photos) -> None:
                log = {"client_id": str(uuid.uuid4()), "visit_id": visit,
                       "outcome": "completed", "distress": "none", "concerns": [],
                       "note": "", "follow_up": ""}
                body, content_type = (multipart(log, photos) if photos
                                      else (json.dumps(log).encode(), "application/json"))
                headers = {"Content-Type": content_type, "X-CSRFToken": token}
                # Our own server on a loopback port.
                request = Request(f"{base}/api/logs", data=body, headers=headers)  # noqa: S310
                opener.open(request).read()

            send(())
            pid = worker_pid(server)
            before = peak_rss_mb(pid)
            started = time.perf_counter()
            for _ in range(uploads):
                send((photo,))
            elapsed = time.perf_counter() - started
            after = peak_rss_mb(pid)
        finally:
            server.terminate()
            server.wait()
    print(f"{uploads:>7} {len(photo) / 1024:>8.0f} KB {before:>12.1f} MB {after:>11.1f} MB "
          f"{after - before:>8.1f} MB {elapsed / uploads * 1000:>8.0f} ms")


def memory(uploads: list[int]) -> None:
    print(f"{'uploads':>7} {'photo':>11} {'peak before':>15} {'peak after':>14} "
          f"{'growth':>11} {'per upload':>11}")
    for kilobytes in (300, 3000):
        for count in uploads:
            subprocess.run([sys.executable, __file__, "--memory-case",
                            f"{count},{kilobytes}"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--uploads", default="1,50")
    parser.add_argument("--memory-case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_case:
        count, kilobytes = map(int, args.memory_case.split(","))
        memory_case(count, kilobytes)
        return
    print("A log with three photos from a phone (Chromium, throttled through DevTools)")
    send_with_photos(args.runs)
    print("\nThe server storing photos (one process per line)")
    memory([int(n) for n in args.uploads.split(",")])


if __name__ == "__main__":
    main()
