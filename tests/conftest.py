"""Suite-wide fixtures. The suite runs against PostgreSQL and Redis (see Makefile `test`).

Shared helpers live in ``tests/support/``; the fixtures defined there are registered below.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from rest_framework.test import APIClient

# Order matters: factories uses the fake servers' fixtures, so fake_servers is registered first.
pytest_plugins = ["tests.support.fake_servers", "tests.support.concurrency", "tests.support.factories"]


SYSTEM_TESTS = Path(__file__).parent / "system"


def pytest_collection_modifyitems(config, items):
    # `-m "not system"` runs the unit and integration tests alone (the fast loop).
    for item in items:
        if SYSTEM_TESTS in item.path.parents:
            item.add_marker(pytest.mark.system)


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if not engine.endswith("postgresql"):
        raise pytest.UsageError(
            "The suite runs against PostgreSQL: set DATABASE_URL (e.g. `make test` does), got " + engine
        )


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters and cached reads live in Redis; each test starts from a clean slate.
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def media_storage(settings, tmp_path):
    """Stored uploads and results go to the test's own folder (returned), never the development var/media.

    Under pytest-xdist each worker has its own temporary folders, so workers never share media.
    """
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "effects.storage.SignedFileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


@pytest.fixture
def user(db):
    from tests.support.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from tests.support.factories import UserFactory

    return UserFactory()


@pytest.fixture
def staff_user(db):
    """A superuser with an authenticator app (TOTP) set up, as the admin requires of staff."""
    from tests.support.factories import UserFactory, totp_activate

    user = UserFactory(is_staff=True, is_superuser=True)
    totp_activate(user=user)
    return user


@pytest.fixture
def staff_client(client, staff_user):
    """Django's test client signed in as a superuser with password and TOTP code (for the admin)."""
    from tests.support.factories import staff_force_login

    staff_force_login(client, staff_user)
    return client


@pytest.fixture
def anon_client():
    """An API client without credentials."""
    return APIClient()


@pytest.fixture
def user_client(user):
    """An API client authenticated as ``user`` with a real allauth session token."""
    from tests.support.api import token_client

    return token_client(user)


@pytest.fixture
def other_client(other_user):
    from tests.support.api import token_client

    return token_client(other_user)


@pytest.fixture
def effect(db):
    from tests.support.factories import EffectFactory

    return EffectFactory(slug="sepia-dream", name="Sepia Dream", credits=2, category="Vintage")


@pytest.fixture
def jpeg_upload():
    from tests.support.images import image_bytes

    return SimpleUploadedFile("photo.jpg", image_bytes("JPEG", color=(200, 80, 40)), content_type="image/jpeg")


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


@pytest.fixture
def wsgi_keeps_test_connection():
    """For tests that call the real WSGI app in-process (schemathesis): keep the test's connection.

    As Django's test client does: the real handler would close the test's connection (and with
    it the test's transaction) at the end of every request.
    """
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
