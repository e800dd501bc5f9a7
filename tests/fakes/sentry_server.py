"""A local fake of Sentry's ingest endpoint (the part the Python SDK uses), over real HTTP.

Speaks the protocol of ``POST /api/<project>/envelope/``: the ``X-Sentry-Auth`` header must
name the DSN's public key (else 401), the body is an envelope (a JSON header line, then items,
each a JSON item header and a payload of its ``length`` or up to the next newline), optionally
gzip- or brotli-compressed (``Content-Encoding``). Received items are kept in ``items`` as
``(item header, payload)``; ``events()`` returns the error events' JSON.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PUBLIC_KEY = "0123456789abcdef0123456789abcdef"
PROJECT_ID = "42"


def parse_envelope(body: bytes) -> tuple[dict, list[tuple[dict, bytes]]]:
    """(envelope header, [(item header, payload)]) of an envelope body."""
    header_line, _, rest = body.partition(b"\n")
    items = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item_header = json.loads(item_line)
        if "length" in item_header:
            length = item_header["length"]
            payload, rest = rest[:length], rest[length:]
            rest = rest.removeprefix(b"\n")
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((item_header, payload))
    return json.loads(header_line), items


class FakeSentry:
    def __init__(self):
        self.items: list[tuple[dict, bytes]] = []
        self.refused = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not re.fullmatch(rf"/api/{PROJECT_ID}/envelope/", self.path.split("?")[0]):
                    return self._answer(404, {"detail": "not found"})
                auth = self.headers.get("X-Sentry-Auth", "")
                if f"sentry_key={PUBLIC_KEY}" not in auth:
                    with fake.lock:
                        fake.refused += 1
                    return self._answer(401, {"detail": "invalid api key"})
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "br":
                    import brotli

                    body = brotli.decompress(body)
                header, items = parse_envelope(body)
                with fake.lock:
                    fake.items.extend(items)
                return self._answer(200, {"id": header.get("event_id")})

            def _answer(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.dsn = f"http://{PUBLIC_KEY}@127.0.0.1:{self.port}/{PROJECT_ID}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[dict]:
        with self.lock:
            return [json.loads(payload) for header, payload in self.items if header.get("type") == "event"]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
