"""API-key helpers for tests: make a key for a user (through the service) and a client that sends it."""

from rest_framework.test import APIClient

from accounts.api_keys import api_key_create


def api_key_for(user, *, scopes=None, name="test key", expires_at=None) -> str:
    """A new key of ``user`` (every scope unless told); returns the whole key."""
    _row, key = api_key_create(user=user, name=name, scopes=scopes, expires_at=expires_at)
    return key


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    return client
