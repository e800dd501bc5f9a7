"""A local fake of Replicate's predictions API (the parts we use), over real HTTP.

Speaks the same protocol as https://api.replicate.com/v1: Bearer auth, POST
/models/{owner}/{name}/predictions and /predictions (with ``version``), GET
/predictions/{id}, POST /predictions/{id}/cancel. Each GET advances the prediction along
``statuses`` (e.g. starting → processing → succeeded). Outputs are served from /files/.
Tests steer it through attributes: ``statuses``, ``create_status`` (an HTTP error to answer
creates with), ``get_status`` (an HTTP error for GETs), ``delay`` (slow responses), ``error``,
``logs`` (the ``logs`` text a prediction reports once it runs, progress bars included).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from effects.engines.replicate import webhook_signature

TOKEN = "r8_test_token"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"replicate-webhook-secret-for-tests").decode()


class FakeReplicate:
    def __init__(self, output_image: bytes):
        self.output_image = output_image
        self.statuses: list[str] = ["starting", "processing", "succeeded"]
        self.create_status: int | None = None
        self.get_status: int | None = None
        self.delay = 0.0
        self.error = "CUDA out of memory"
        self.logs: str | None = None
        self.predictions: dict[str, dict] = {}
        self.created: list[dict] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status: int, payload: dict):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _authorised(self) -> bool:
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._json(
                        401,
                        {
                            "title": "Unauthenticated",
                            "detail": "You did not pass a valid authentication token",
                            "status": 401,
                        },
                    )
                    return False
                return True

            def do_GET(self):
                if fake.delay:
                    time.sleep(fake.delay)
                if self.path.startswith("/files/"):
                    self.send_response(200)
                    self.send_header("Content-Type", "image/png")
                    self.send_header("Content-Length", str(len(fake.output_image)))
                    self.end_headers()
                    self.wfile.write(fake.output_image)
                    return
                if not self._authorised():
                    return
                match = re.fullmatch(r"/v1/predictions/([\w-]+)", self.path)
                if not match or match[1] not in fake.predictions:
                    self._json(404, {"detail": "Not found.", "status": 404})
                    return
                if fake.get_status:
                    self._json(fake.get_status, {"detail": "Internal server error", "status": fake.get_status})
                    return
                self._json(200, fake.advance(match[1]))

            def do_POST(self):
                if fake.delay:
                    time.sleep(fake.delay)
                if not self._authorised():
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                cancel = re.fullmatch(r"/v1/predictions/([\w-]+)/cancel", self.path)
                if cancel and cancel[1] in fake.predictions:
                    with fake.lock:
                        fake.predictions[cancel[1]]["status"] = "canceled"
                    self._json(200, fake.predictions[cancel[1]])
                    return
                model = re.fullmatch(r"/v1/models/([\w.-]+)/([\w.-]+)/predictions", self.path)
                if not model and not (self.path == "/v1/predictions" and "version" in body):
                    self._json(404, {"detail": "Not found.", "status": 404})
                    return
                if fake.create_status:
                    self._json(fake.create_status, {"detail": "Invalid input", "status": fake.create_status})
                    return
                if not isinstance(body.get("input"), dict) or not body["input"]:
                    self._json(422, {"detail": "input is required", "status": 422})
                    return
                self._json(201, fake.create(body))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def create(self, body: dict) -> dict:
        prediction_id = uuid.uuid4().hex[:20]
        with self.lock:
            self.created.append(body)
            self.predictions[prediction_id] = {
                "id": prediction_id,
                "status": self.statuses[0],
                "input": {k: "(omitted)" for k in body["input"]},
                "output": None,
                "error": None,
                "step": 0,
                "urls": {"get": f"{self.base}/predictions/{prediction_id}"},
            }
            return self._public(prediction_id)

    def advance(self, prediction_id: str) -> dict:
        with self.lock:
            prediction = self.predictions[prediction_id]
            if prediction["status"] not in ("succeeded", "failed", "canceled"):
                prediction["step"] = min(prediction["step"] + 1, len(self.statuses) - 1)
                prediction["status"] = self.statuses[prediction["step"]]
            if prediction["status"] != "starting":
                prediction["logs"] = self.logs
            if prediction["status"] == "succeeded":
                prediction["output"] = [f"http://127.0.0.1:{self.port}/files/{prediction_id}.png"]
            if prediction["status"] == "failed":
                prediction["error"] = self.error
            return self._public(prediction_id)

    def _public(self, prediction_id: str) -> dict:
        return {k: v for k, v in self.predictions[prediction_id].items() if k != "step"}

    def webhook_headers(self, body: bytes, *, timestamp: int | None = None, secret: str = WEBHOOK_SECRET) -> dict:
        """Headers Replicate sends with a webhook, signed as it signs them."""
        webhook_id = f"msg_{uuid.uuid4().hex}"
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = webhook_signature(secret=secret, webhook_id=webhook_id, timestamp=ts, body=body)
        return {"webhook-id": webhook_id, "webhook-timestamp": ts, "webhook-signature": f"v1,{signature}"}

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
