"""Helpers for tests of the PhotoMania API: token-authenticated clients and the error envelope."""

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.test import APIClient

# A public address that needs no DNS lookup (the SSRF guard resolves hosts; the suite is offline).
PUBLIC_IMAGE_URL = "https://93.184.215.14/photos/cat.jpg"


def session_token_for(user) -> str:
    """A server-side session for ``user``; its key is what allauth's app login returns as session token."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(user))
    return client


def assert_error(response, status: int, code: str):
    """The response is the API's error envelope with ``status`` and ``code``; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body
