"""A local server that speaks the published GOV.UK Notify API, for tests and the bench: POST
/v2/notifications/sms, /email and /letter (precompiled), GET /v2/notifications/{id}. It checks
the client's JWT as Notify does (HS256 with the key's secret, iss = the service id, iat within
30 s), records every body it accepted, and can be told to answer the next requests with an
error (429, 500, 400) to test retries and refusals."""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"fieldapp_test-{SERVICE_ID}-{SECRET}"
IAT_WINDOW_SECONDS = 30


class NotifyServer:
    def __init__(self):
        self.accepted: list[tuple[str, dict]] = []  # (kind, body) of each accepted send
        self.requests: list[str] = []  # every request path, refused ones too
        self.statuses: dict[str, str] = {}  # notification id -> status GET answers
        self.next_answers: list[tuple[int, dict]] = []  # forced answers, in order
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.notify = self
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.server.shutdown()
        self.server.server_close()

    def refuse_next(self, status: int, message: str = "", error: str = "BadRequestError"):
        self.next_answers.append((status, {"errors": [{"error": error, "message": message}],
                                           "status_code": status}))


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *_args):
        pass

    def _answer(self, status: int, body: dict):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _token_problem(self) -> str | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return "Unauthorized: authentication token must be provided"
        token = header[len("Bearer "):]
        try:
            if jwt.get_unverified_header(token).get("alg") != "HS256":
                return "Invalid token: algorithm used is not HS256"
            claims = jwt.decode(token, SECRET, algorithms=["HS256"],
                                options={"verify_iat": False, "require": ["iss", "iat"]})
        except jwt.PyJWTError:
            return "Invalid token: signature, api token not found"
        if claims["iss"] != SERVICE_ID:
            return "Invalid token: service not found"
        if abs(time.time() - claims["iat"]) > IAT_WINDOW_SECONDS:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return None

    def _refused(self) -> bool:
        notify = self.server.notify
        with notify.lock:
            notify.requests.append(self.path)
        problem = self._token_problem()
        if problem:
            self._answer(403, {"errors": [{"error": "AuthError", "message": problem}],
                               "status_code": 403})
            return True
        with notify.lock:
            forced = notify.next_answers.pop(0) if notify.next_answers else None
        if forced:
            self._answer(*forced)
            return True
        return False

    def do_POST(self):
        notify = self.server.notify
        if self._refused():
            return
        kind = self.path.rsplit("/", 1)[-1]
        if kind not in ("sms", "email", "letter"):
            return self._answer(404, {"errors": [{"error": "NotFound"}]})
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        notification_id = str(uuid.uuid4())
        with notify.lock:
            notify.accepted.append((kind, body))
            notify.statuses[notification_id] = "sending"
        self._answer(201, {"id": notification_id, "reference": body.get("reference"),
                           "content": {"body": body.get("personalisation", {}).get(
                               "body", "")},
                           "uri": f"{notify.url}/v2/notifications/{notification_id}"})

    def do_GET(self):
        notify = self.server.notify
        if self._refused():
            return
        notification_id = self.path.rsplit("/", 1)[-1]
        with notify.lock:
            status = notify.statuses.get(notification_id)
        if status is None:
            return self._answer(404, {"errors": [{"error": "NoResultFound",
                                                  "message": "No result found"}]})
        self._answer(200, {"id": notification_id, "status": status})

