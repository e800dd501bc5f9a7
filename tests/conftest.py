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
