"""A local HTTP server speaking enough of Stripe's REST API for our code and dj-stripe.

Requests are form-encoded with Stripe's bracket notation (``metadata[user_id]=3``,
``line_items[0][price]=price_x``); responses are JSON objects carrying ``object`` and ``id``,
lists come in Stripe's list envelope, missing objects answer 404 with ``resource_missing``. ``DELETE /v1/subscriptions/{id}`` cancels
(the object stays, ``status`` becomes ``canceled``) and ``POST /v1/checkout/sessions/{id}/expire``
expires an open session, as Stripe does.
Objects live in memory, keyed by collection path (``customers``, ``checkout/sessions``...).
Tests seed them with :meth:`FakeStripe.put` and read the recorded requests back from
:attr:`FakeStripe.requests`. ``Idempotency-Key`` replays the first response, as Stripe does.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

# Collection path → the ``object`` value Stripe gives its members and their id prefix.
COLLECTIONS = {
    "customers": ("customer", "cus"),
    "checkout/sessions": ("checkout.session", "cs_test"),
    "billing_portal/sessions": ("billing_portal.session", "bps"),
    "subscriptions": ("subscription", "sub"),
    "subscription_items": ("subscription_item", "si"),
    "invoices": ("invoice", "in"),
    "invoiceitems": ("invoiceitem", "ii"),
    "prices": ("price", "price"),
    "products": ("product", "prod"),
    "charges": ("charge", "ch"),
    "refunds": ("refund", "re"),
    "payment_intents": ("payment_intent", "pi"),
    "payment_methods": ("payment_method", "pm"),
    "events": ("event", "evt"),
    "webhook_endpoints": ("webhook_endpoint", "we"),
}
ACCOUNT = {
    "id": "acct_fakeplatform",
    "object": "account",
    "business_profile": {"name": "PhotoMania (fake)"},
    "settings": {"dashboard": {"display_name": "PhotoMania"}},
    "charges_enabled": True,
    "country": "US",
    "default_currency": "usd",
    "details_submitted": True,
    "email": "billing@photomania.example",
    "payouts_enabled": True,
    "type": "standard",
    "metadata": {},
    "created": 1_700_000_000,
}


def decode_form(body: str) -> dict:
    """Stripe's bracket notation → nested dicts and lists (``a[0][b]=1`` → ``{"a": [{"b": "1"}]}``)."""
    root: dict = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+|\[\]", key)
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = None if last else parts[i + 1]
            container_for_next: object = [] if (nxt is not None and (nxt.isdigit() or nxt == "[]")) else {}
            if isinstance(node, list):
                if part == "[]":
                    node.append(value if last else container_for_next)
                    node = node[-1]
                    continue
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if last:
                    node[index] = value
                else:
                    if node[index] is None:
                        node[index] = container_for_next
                    node = node[index]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, container_for_next)
    return root


def _coerce(value):
    """Form values are strings; turn the obvious ones back into JSON types."""
    if isinstance(value, dict):
        return {k: _coerce(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_coerce(v) for v in value]
    if value in ("true", "false"):
        return value == "true"
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def _merge(target: dict, patch: dict) -> dict:
    for key, value in patch.items():
        if key == "metadata" and isinstance(value, dict):
            meta = dict(target.get("metadata") or {})
            meta.update({k: str(v) for k, v in value.items()})
            target["metadata"] = {k: v for k, v in meta.items() if v != ""}
        else:
            target[key] = value
    return target


class FakeStripe:
    """The server plus its in-memory state. Use as a context manager or call start()/stop()."""

    def __init__(self) -> None:
        self.objects: dict[str, dict[str, dict]] = {name: {} for name in COLLECTIONS}
        self.requests: list[dict] = []
        self.idempotent: dict[str, tuple[int, dict]] = {}
        self.lock = threading.RLock()
        self._counter = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> FakeStripe:
        fake = self

        class Handler(_Handler):
            stripe = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self) -> None:
        with self.lock:
            for store in self.objects.values():
                store.clear()
            self.requests.clear()
            self.idempotent.clear()

    # --- state helpers for tests ----------------------------------------------------------
    def new_id(self, collection: str) -> str:
        prefix = COLLECTIONS[collection][1]
        return f"{prefix}_{next(self._counter):06d}{secrets.token_hex(6)}"

    def put(self, collection: str, obj: dict) -> dict:
        """Store (or replace) an object as Stripe would return it; fills ``object``/``id``/``created``."""
        with self.lock:
            obj = copy.deepcopy(obj)
            obj.setdefault("id", self.new_id(collection))
            obj.setdefault("object", COLLECTIONS[collection][0])
            obj.setdefault("created", int(time.time()))
            obj.setdefault("livemode", False)
            if "metadata" not in obj and collection not in ("events",):
                obj["metadata"] = {}
            self.objects[collection][obj["id"]] = obj
            return copy.deepcopy(obj)

    def get(self, collection: str, object_id: str) -> dict | None:
        with self.lock:
            obj = self.objects[collection].get(object_id)
            return copy.deepcopy(obj) if obj is not None else None

    def calls(self, method: str, path: str) -> list[dict]:
        """Recorded requests with this method whose path equals ``path`` (form bodies decoded)."""
        with self.lock:
            return [r for r in self.requests if r["method"] == method and r["path"] == path]

    # --- request handling ---------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict, form: dict, headers) -> tuple[int, dict]:
        with self.lock:
            self.requests.append(
                {
                    "method": method,
                    "path": path,
                    "query": query,
                    "form": form,
                    "stripe_version": headers.get("Stripe-Version"),
                }
            )
            if not (headers.get("Authorization") or "").startswith("Bearer sk_"):
                return 401, _error("invalid_request_error", "Invalid API Key provided", code="api_key_invalid")
            key = headers.get("Idempotency-Key")
            if method == "POST" and key and key in self.idempotent:
                return copy.deepcopy(self.idempotent[key])
            status, body = self._route(method, path, query, form)
            if method == "POST" and key and status < 400:
                self.idempotent[key] = (status, copy.deepcopy(body))
            return status, body

    def _route(self, method: str, path: str, query: dict, form: dict) -> tuple[int, dict]:
        if not path.startswith("/v1/"):
            return 404, _error("invalid_request_error", f"Unrecognized request URL ({method}: {path})")
        rest = path[len("/v1/") :].strip("/")
        if rest == "account" and method == "GET":
            return 200, copy.deepcopy(ACCOUNT)
        for collection in sorted(COLLECTIONS, key=len, reverse=True):
            if rest == collection or rest.startswith(collection + "/"):
                object_id = rest[len(collection) + 1 :] or None
                return self._collection(method, collection, object_id, query, form)
        return 404, _error("invalid_request_error", f"Unrecognized request URL ({method}: {path})")

    def _collection(self, method, collection, object_id, query, form) -> tuple[int, dict]:
        store = self.objects[collection]
        kind = COLLECTIONS[collection][0]
        if collection == "checkout/sessions" and object_id and object_id.endswith("/expire") and method == "POST":
            return self._checkout_session_expire(object_id.removesuffix("/expire"))
        if collection == "subscriptions" and object_id and "/" not in object_id and method == "DELETE":
            return self._subscription_cancel(object_id)
        if object_id and "/" in object_id:
            # A sub-list such as /v1/invoices/<id>/lines or /v1/products/<id>/features.
            parent_id, _, sub = object_id.partition("/")
            parent = store.get(parent_id)
            if method != "GET" or "/" in sub:
                return 404, _error("invalid_request_error", f"Unrecognized request URL ({method})")
            if parent is None:
                return 404, _missing(kind, parent_id)
            nested = parent.get(sub)
            data = nested.get("data", []) if isinstance(nested, dict) else []
            url = f"/v1/{collection}/{object_id}"
            return 200, {"object": "list", "data": copy.deepcopy(data), "has_more": False, "url": url}
        if method == "GET" and object_id is None:
            items = list(store.values())
            for field in ("customer", "subscription", "product", "invoice", "payment_intent", "type"):
                if field in query:
                    items = [o for o in items if _ref(o.get(field)) == query[field]]
            if "active" in query:
                items = [o for o in items if o.get("active") == (query["active"] == "true")]
            items.sort(key=lambda o: o.get("created", 0), reverse=True)
            limit = int(query.get("limit", 10))
            data = [self._expand(o, query) for o in items[:limit]]
            return 200, {"object": "list", "data": data, "has_more": len(items) > limit, "url": f"/v1/{collection}"}
        if method == "GET":
            obj = store.get(object_id)
            if obj is None:
                return 404, _missing(kind, object_id)
            return 200, self._expand(obj, query)
        if method == "POST" and object_id is None:
            try:
                obj = self._create(collection, _coerce(form))
            except _Refused as refused:
                return refused.status, refused.body
            return 200, copy.deepcopy(obj)
        if method == "POST":
            obj = store.get(object_id)
            if obj is None:
                return 404, _missing(kind, object_id)
            patch = {k: v for k, v in _coerce(form).items() if k != "expand"}
            return 200, copy.deepcopy(_merge(obj, patch))
        if method == "DELETE" and object_id:
            if store.pop(object_id, None) is None:
                return 404, _missing(kind, object_id)
            return 200, {"id": object_id, "object": kind, "deleted": True}
        return 405, _error("invalid_request_error", "Method not allowed")

    def _subscription_cancel(self, subscription_id: str) -> tuple[int, dict]:
        """DELETE /v1/subscriptions/{id}: cancelled at once; the subscription is returned, not removed."""
        obj = self.objects["subscriptions"].get(subscription_id)
        if obj is None:
            return 404, _missing("subscription", subscription_id)
        if obj.get("status") in ("canceled", "incomplete_expired"):
            # Stripe refuses to cancel a subscription twice.
            return 400, _error(
                "invalid_request_error", f"No such subscription: '{subscription_id}'", code="resource_missing"
            )
        now = int(time.time())
        obj.update({"status": "canceled", "canceled_at": now, "ended_at": now, "cancel_at_period_end": False})
        return 200, copy.deepcopy(obj)

    def _checkout_session_expire(self, session_id: str) -> tuple[int, dict]:
        """POST /v1/checkout/sessions/{id}/expire: only an open session can be expired."""
        obj = self.objects["checkout/sessions"].get(session_id)
        if obj is None:
            return 404, _missing("checkout.session", session_id)
        if obj.get("status") != "open":
            message = f"Only Checkout Sessions with a status in [open] can be expired. This one is {obj.get('status')}."
            return 400, _error("invalid_request_error", message)
        obj["status"] = "expired"
        return 200, copy.deepcopy(obj)

    def _expand(self, obj: dict, query: dict) -> dict:
        obj = copy.deepcopy(obj)
        expand = query.get("expand") or []
        for field in expand if isinstance(expand, list) else [expand]:
            field = field.removeprefix("data.")  # list calls expand their members' fields
            value = obj.get(field)
            if isinstance(value, str):
                for collection, (_kind, prefix) in COLLECTIONS.items():
                    if value.startswith(prefix + "_") and value in self.objects[collection]:
                        obj[field] = copy.deepcopy(self.objects[collection][value])
                        break
        return obj

    def _create(self, collection: str, params: dict) -> dict:
        params.pop("expand", None)
        obj_id = self.new_id(collection)
        base: dict = {"id": obj_id, "metadata": {}}
        if collection == "customers":
            base.update(
                {
                    "email": None,
                    "name": None,
                    "balance": 0,
                    "currency": None,
                    "delinquent": False,
                    "default_source": None,
                    "invoice_settings": {"default_payment_method": None, "custom_fields": None, "footer": None},
                    "invoice_prefix": obj_id[-8:].upper(),
                    "preferred_locales": [],
                    "tax_exempt": "none",
                    "address": None,
                    "description": None,
                    "discount": None,
                    "phone": None,
                    "shipping": None,
                }
            )
        elif collection == "checkout/sessions":
            mode = params.get("mode", "payment")
            base.update(
                {
                    "url": f"https://checkout.stripe.com/c/pay/{obj_id}",
                    "status": "open",
                    "payment_status": "unpaid",
                    "subscription": None,
                    "payment_intent": None,
                    "amount_total": None,
                    "currency": "usd",
                    "customer_email": None,
                    "mode": mode,
                }
            )
            # Stripe prices the session from its line items and lists them at /line_items.
            lines = []
            for i, item in enumerate(params.get("line_items") or []):
                price = self.objects["prices"].get(str(item.get("price")))
                if price is None:
                    raise _Refused(400, _missing("price", str(item.get("price"))))
                quantity = int(item.get("quantity") or 1)
                lines.append(
                    {
                        "id": f"li_{obj_id[8:]}{i}",
                        "object": "item",
                        "amount_subtotal": price["unit_amount"] * quantity,
                        "amount_total": price["unit_amount"] * quantity,
                        "currency": price["currency"],
                        "description": None,
                        "price": copy.deepcopy(price),
                        "quantity": quantity,
                    }
                )
            if lines:
                total = sum(line["amount_total"] for line in lines)
                base.update({"amount_total": total, "amount_subtotal": total, "currency": lines[0]["currency"]})
            base["line_items"] = {"object": "list", "data": lines, "has_more": False}
            params = {k: v for k, v in params.items() if k != "line_items"}
        elif collection == "billing_portal/sessions":
            base.update({"url": f"https://billing.stripe.com/p/session/{obj_id}", "configuration": "bpc_fake"})
        _merge(base, {k: v for k, v in params.items() if k != "metadata"})
        _merge(base, {"metadata": params.get("metadata") or {}})
        return self.put(collection, base)


class _Refused(Exception):
    """Stripe refuses the request (e.g. an unknown price in a Checkout Session)."""

    def __init__(self, status: int, body: dict):
        super().__init__(status)
        self.status, self.body = status, body


def _ref(value):
    return value.get("id") if isinstance(value, dict) else value


def _error(kind: str, message: str, code: str | None = None, param: str | None = None) -> dict:
    error = {"type": kind, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    return {"error": error}


def _missing(kind: str, object_id: str) -> dict:
    return _error("invalid_request_error", f"No such {kind}: '{object_id}'", code="resource_missing", param="id")


class _Handler(BaseHTTPRequestHandler):
    stripe: FakeStripe
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        query = _coerce(decode_form(parts.query))
        form = decode_form(raw)
        try:
            status, body = self.stripe.handle(method, parts.path, query, form, self.headers)
        except Exception as exc:  # a bug in the fake must surface as a Stripe-style 500
            status, body = 500, _error("api_error", f"fake stripe error: {exc!r}")
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Request-Id", "req_" + secrets.token_hex(8))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")
