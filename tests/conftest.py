"""Suite-wide fixtures. The suite runs against PostgreSQL and Redis (see Makefile `test`)."""

import pytest
from django.conf import settings
from django.core.cache import cache


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


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def staff_user(db):
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True)


pytest_plugins = ["tests.fixtures_pipeline"]


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
