"""A local fake of Replicate's predictions API (the parts we use), over real HTTP.

Speaks the same protocol as https://api.replicate.com/v1: Bearer auth, POST
/models/{owner}/{name}/predictions and /predictions (with ``version``), GET
/predictions/{id}, POST /predictions/{id}/cancel, and the files API: POST /files (a multipart
``content`` part, answered with a file object whose ``urls.get`` a prediction input may name),
GET /files (the files it still holds) and DELETE /files/{id} (204; 404 for a file it does not
hold). ``uploads`` holds the files not deleted; ``file_deletes`` lists every delete asked for, in
order; ``delete_failures`` answers that many deletes with a 503 first. ``requests`` keeps every
POST as it arrived (headers and raw body), to check what the provider is told; ``cancel_afters``
the ``Cancel-After`` header of each create. Like Replicate, a
prediction object echoes its ``input``.
Each GET advances the prediction along ``statuses`` (e.g. starting → processing → succeeded).
Outputs are served from /files/. Like Replicate, it fetches an ``http(s)`` image input when the
prediction is created (``fetched``: URL → HTTP status and size), and reads every image input (a data
URI, one of its uploaded files, or a fetched URL): ``received`` maps a prediction id to the images
it was given (``(width, height, format, bytes)`` by input name). ``max_input_pixels`` (keyed by
``owner/name`` or version id) makes a model refuse larger images as Real-ESRGAN does: the
prediction fails with its "greater than the max size that fits in GPU memory" error.
Tests steer it through attributes: ``statuses``, ``create_status`` (an HTTP error to answer
creates with), ``get_status`` (an HTTP error for GETs), ``cancel_status`` (an HTTP error for
cancels), ``delay`` (slow responses), ``error``,
``output_shape`` (how the output is documented: ``"uri"`` a string, ``"list"`` of URIs, or
``"object"`` with an ``image`` key), ``logs`` (the ``logs`` text a prediction reports once it
runs, progress bars included). ``cancels`` lists the prediction ids it was asked to cancel, in order.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import io
import json
import re
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

from effects.engines.replicate import webhook_signature

TOKEN = "r8_test_token"
# The statuses a prediction ends in: ``aborted`` when its deadline passed before it started.
TERMINAL = ("succeeded", "failed", "canceled", "aborted")
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"replicate-webhook-secret-for-tests").decode()


class FakeReplicate:
    def __init__(self, output_image: bytes):
        self.output_image = output_image
        self.statuses: list[str] = ["starting", "processing", "succeeded"]
        self.create_status: int | None = None
        self.get_status: int | None = None
        self.cancel_status: int | None = None
        self.delay = 0.0
        # Called (in the server's thread) before a create is answered: a test's "meanwhile".
        self.before_create = None
        self.error = "CUDA out of memory"
        self.output_shape = "list"
        self.logs: str | None = None
        self.predictions: dict[str, dict] = {}
        self.created: list[dict] = []
        self.cancels: list[str] = []
        self.uploads: dict[str, dict] = {}
        self.file_deletes: list[str] = []
        # The Cancel-After header of each create, in order (None when it had none).
        self.cancel_afters: list[str | None] = []
        # Every POST as it arrived (method, path, headers, raw body): what the provider was told.
        self.requests: list[dict] = []
        self.delete_failures = 0
        self.fetched: dict[str, tuple[int, int]] = {}
        self.fetched_data: dict[str, bytes] = {}
        self.received: dict[str, dict[str, tuple[int, int, str, bytes]]] = {}
        self.max_input_pixels: dict[str, int] = {}
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
                if self.path == "/v1/files":
                    with fake.lock:
                        files = [
                            {k: v for k, v in f.items() if k not in ("data", "parts")} for f in fake.uploads.values()
                        ]
                    self._json(200, {"next": None, "previous": None, "results": files})
                    return
                match = re.fullmatch(r"/v1/predictions/([\w-]+)", self.path)
                if not match or match[1] not in fake.predictions:
                    self._json(404, {"detail": "Not found.", "status": 404})
                    return
                if fake.get_status:
                    self._json(fake.get_status, {"detail": "Internal server error", "status": fake.get_status})
                    return
                self._json(200, fake.advance(match[1]))

            def do_DELETE(self):
                if not self._authorised():
                    return
                match = re.fullmatch(r"/v1/files/([\w-]+)", self.path)
                with fake.lock:
                    if match:
                        fake.file_deletes.append(match[1])
                    failing = fake.delete_failures > 0
                    if failing:
                        fake.delete_failures -= 1
                    found = bool(match) and not failing and fake.uploads.pop(match[1], None) is not None
                if failing:
                    self._json(503, {"detail": "Service unavailable", "status": 503})
                elif not found:
                    self._json(404, {"detail": "Not found.", "status": 404})
                else:
                    self.send_response(204)
                    self.end_headers()

            def do_POST(self):
                if fake.delay:
                    time.sleep(fake.delay)
                if not self._authorised():
                    return
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with fake.lock:
                    fake.requests.append(
                        {"method": "POST", "path": self.path, "headers": dict(self.headers), "body": raw}
                    )
                if self.path == "/v1/files":
                    upload = fake.upload(self.headers.get("Content-Type", ""), raw)
                    if upload is None:
                        self._json(400, {"detail": "a multipart 'content' part is required", "status": 400})
                    else:
                        self._json(201, upload)
                    return
                body = json.loads(raw or b"{}")
                cancel = re.fullmatch(r"/v1/predictions/([\w-]+)/cancel", self.path)
                if cancel:
                    with fake.lock:
                        fake.cancels.append(cancel[1])
                    if fake.cancel_status:
                        self._json(
                            fake.cancel_status, {"detail": "Internal server error", "status": fake.cancel_status}
                        )
                        return
                if cancel and cancel[1] in fake.predictions:
                    with fake.lock:
                        # Like Replicate, cancelling a prediction that has ended leaves it as it is.
                        if fake.predictions[cancel[1]]["status"] not in TERMINAL:
                            fake.predictions[cancel[1]]["status"] = "canceled"
                    self._json(200, fake._public(cancel[1]))
                    return
                model = re.fullmatch(r"/v1/models/([\w.-]+)/([\w.-]+)/predictions", self.path)
                if not model and not (self.path == "/v1/predictions" and "version" in body):
                    self._json(404, {"detail": "Not found.", "status": 404})
                    return
                with fake.lock:
                    fake.cancel_afters.append(self.headers.get("Cancel-After"))
                if fake.before_create is not None:
                    fake.before_create()
                if fake.create_status:
                    self._json(fake.create_status, {"detail": "Invalid input", "status": fake.create_status})
                    return
                if not isinstance(body.get("input"), dict) or not body["input"]:
                    self._json(422, {"detail": "input is required", "status": 422})
                    return
                self._json(201, fake.create(body, model=f"{model[1]}/{model[2]}" if model else body["version"]))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def upload(self, content_type: str, raw: bytes) -> dict | None:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + raw
        )
        parts = list(message.iter_parts()) if message.is_multipart() else []
        for part in parts:
            if part.get_param("name", header="content-disposition") == "content":
                file_id = uuid.uuid4().hex[:16]
                data = part.get_payload(decode=True)
                upload = {
                    "id": file_id,
                    "name": part.get_filename(),
                    "content_type": part.get_content_type(),
                    "size": len(data),
                    "urls": {"get": f"{self.base}/files/{file_id}"},
                }
                with self.lock:
                    self.uploads[file_id] = {
                        **upload,
                        "data": data,
                        "parts": [p.get_param("name", header="content-disposition") for p in parts],
                    }
                return upload
        return None

    def _fetch_url_inputs(self, inputs: dict) -> None:
        for value in inputs.values():
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                try:
                    with urllib.request.urlopen(value, timeout=5) as response:
                        data = response.read()
                        self.fetched[value] = (response.status, len(data))
                        self.fetched_data[value] = data
                except OSError as exc:
                    self.fetched[value] = (getattr(exc, "code", 0), 0)

    def _input_bytes(self, value: object) -> bytes | None:
        """The bytes an input names, as the model would read them: inline, uploaded here, or fetched."""
        if not isinstance(value, str):
            return None
        if value.startswith("data:") and ";base64," in value:
            return base64.b64decode(value.partition(";base64,")[2])
        if value.startswith(f"{self.base}/files/"):
            upload = self.uploads.get(value.rsplit("/", 1)[1])
            return upload["data"] if upload else None
        return self.fetched_data.get(value)

    def _read_images(self, inputs: dict) -> dict[str, tuple[int, int, str, bytes]]:
        images = {}
        for name, value in inputs.items():
            data = self._input_bytes(value)
            if data is None:
                continue
            try:
                with Image.open(io.BytesIO(data)) as image:
                    images[name] = (image.width, image.height, image.format, data)
            except (OSError, ValueError):
                continue
        return images

    def output(self, prediction_id: str):
        url = f"http://127.0.0.1:{self.port}/files/{prediction_id}.png"
        return {"uri": url, "list": [url], "object": {"image": url}}[self.output_shape]

    def create(self, body: dict, *, model: str = "") -> dict:
        self._fetch_url_inputs(body["input"])
        images = self._read_images(body["input"])
        prediction_id = uuid.uuid4().hex[:20]
        refusal = None
        limit = self.max_input_pixels.get(model)
        for width, height, _format, _data in images.values():
            if limit is not None and width * height > limit:
                refusal = (
                    f"Input image of dimensions ({height}, {width}, 3) has a total number of pixels "
                    f"{width * height} greater than the max size that fits in GPU memory on this hardware, "
                    f"{limit}. Resize input image and try again."
                )
        with self.lock:
            self.created.append(body)
            self.received[prediction_id] = images
            self.predictions[prediction_id] = {
                "id": prediction_id,
                "status": self.statuses[0],
                "input": dict(body["input"]),
                "output": None,
                "error": None,
                "step": 0,
                "refusal": refusal,
                "urls": {"get": f"{self.base}/predictions/{prediction_id}"},
            }
            return self._public(prediction_id)

    def advance(self, prediction_id: str) -> dict:
        with self.lock:
            prediction = self.predictions[prediction_id]
            if prediction["status"] not in TERMINAL:
                prediction["step"] = min(prediction["step"] + 1, len(self.statuses) - 1)
                prediction["status"] = self.statuses[prediction["step"]]
                if prediction["refusal"] and prediction["status"] not in ("starting", "canceled"):
                    prediction["status"], prediction["error"] = "failed", prediction["refusal"]
            if prediction["status"] != "starting":
                prediction["logs"] = self.logs
            if prediction["status"] == "succeeded":
                prediction["output"] = self.output(prediction_id)
            if prediction["status"] == "failed" and not prediction["error"]:
                prediction["error"] = self.error
            return self._public(prediction_id)

    def _public(self, prediction_id: str) -> dict:
        return {k: v for k, v in self.predictions[prediction_id].items() if k not in ("step", "refusal")}

    def webhook_headers(self, body: bytes, *, timestamp: int | None = None, secret: str = WEBHOOK_SECRET) -> dict:
        """Headers Replicate sends with a webhook, signed as it signs them."""
        webhook_id = f"msg_{uuid.uuid4().hex}"
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = webhook_signature(secret=secret, webhook_id=webhook_id, timestamp=ts, body=body)
        return {"webhook-id": webhook_id, "webhook-timestamp": ts, "webhook-signature": f"v1,{signature}"}

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
