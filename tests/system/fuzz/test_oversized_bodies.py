"""Oversized bodies through the real WSGI handler: refused with 413 before they are read in full.

The request body is a WSGI input stream that produces bytes on demand and counts what was read,
so "refused before reading" is measured, not assumed.
"""

import json

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

pytestmark = pytest.mark.django_db

GIGABYTE = 1024**3


class EndlessBody:
    """A WSGI input stream of ``total`` bytes, made on demand; ``consumed`` counts what was read."""

    def __init__(self, total: int, prefix: bytes = b""):
        self.total = total
        self.prefix = prefix
        self.consumed = 0

    def _take(self, size: int) -> bytes:
        size = min(size, self.total - self.consumed)
        head = self.prefix[self.consumed : self.consumed + size]
        chunk = head + b"x" * (size - len(head))
        self.consumed += size
        return chunk

    def read(self, size: int = -1) -> bytes:
        return self._take(self.total - self.consumed if size is None or size < 0 else size)

    def readline(self, size: int = -1) -> bytes:
        return self.read(64 * 1024 if size is None or size < 0 else size)


def _call(path: str, body, *, content_type: str, content_length: int | None) -> tuple[int, dict, bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": content_type,
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": None,
        "wsgi.input_terminated": True,
    }
    if content_length is None:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    else:
        environ["CONTENT_LENGTH"] = str(content_length)
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"] = int(status.split()[0])
        started["headers"] = dict(headers)

    # As Django's test client does: the test's transaction must outlive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, start_response)
        content = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return started["status"], started["headers"], content


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/admin/login/", "/billing/checkout/"])
def test_declared_gigabyte_multipart_post_to_a_page_is_refused_without_reading_it(path):
    body = EndlessBody(GIGABYTE)

    status, headers, _ = _call(path, body, content_type="multipart/form-data; boundary=x", content_length=GIGABYTE)

    assert status == 413
    assert headers["Content-Type"].startswith("text/html")
    assert body.consumed == 0


def test_chunked_gigabyte_post_to_the_sign_in_page_is_refused_after_the_limit(settings):
    body = EndlessBody(GIGABYTE)

    status, _, _ = _call("/accounts/login/", body, content_type="multipart/form-data; boundary=x", content_length=None)

    assert status == 413
    assert body.consumed <= settings.REQUEST_MAX_FORM_BYTES + 1


def test_chunked_oversized_json_to_the_api_gets_the_envelope(settings):
    body = EndlessBody(14 * 1024 * 1024, prefix=b'{"imageUrl": "')

    status, headers, content = _call("/api/effects/apply", body, content_type="application/json", content_length=None)

    assert status == 413
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(content)["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert body.consumed <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1


def test_chunked_oversized_body_to_allauths_api_is_refused(settings):
    body = EndlessBody(GIGABYTE, prefix=b'{"email": "')

    status, _, _ = _call("/_allauth/app/v1/auth/login", body, content_type="application/json", content_length=None)

    assert status == 413
    assert body.consumed <= settings.REQUEST_MAX_FORM_BYTES + 1


def test_chunked_body_within_the_limit_reaches_the_view():
    payload = json.dumps({"email": "nobody@example.com", "password": "wrong-password"}).encode()
    body = EndlessBody(len(payload), prefix=payload)

    status, _, content = _call(
        "/_allauth/app/v1/auth/login", body, content_type="application/json", content_length=None
    )

    assert status == 400
    assert json.loads(content)["errors"][0]["param"] in {"email", "password"}
