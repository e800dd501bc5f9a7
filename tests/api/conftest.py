"""Fixtures for the REST API tests: clients authenticated with a real allauth session token."""

import io

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections
from PIL import Image
from rest_framework.test import APIClient

from tests.factories import EffectFactory


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


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Stored uploads and results go to a per-test folder, not the development var/media.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "effects.storage.SignedFileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def user_client(user):
    return token_client(user)


@pytest.fixture
def other_client(other_user):
    return token_client(other_user)


@pytest.fixture
def effect(db):
    return EffectFactory(slug="sepia-dream", name="Sepia Dream", credits=2, category="Vintage")


def png_bytes(size=(16, 12), color=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def database_down():
    """Point the default connection at a closed port, as if PostgreSQL were down; restore afterwards."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = "1"
    connection.settings_dict["OPTIONS"] = {**saved.get("OPTIONS", {}), "connect_timeout": 2}
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


# A public address that needs no DNS lookup (the SSRF guard resolves hosts; the suite is offline).
PUBLIC_IMAGE_URL = "https://93.184.215.14/photos/cat.jpg"
