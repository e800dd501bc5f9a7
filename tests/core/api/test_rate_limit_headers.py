"""X-RateLimit-* headers: every throttled API answer (success, 401, 403, 429) shows the route's tightest
limit, from the counts the throttles already read (no extra round trip); the schema declares them."""

import pytest
from django.test import override_settings
from rest_framework.settings import api_settings

from tests.support.api import assert_error

pytestmark = pytest.mark.django_db


def _rates(**rates):
    from django.conf import settings

    merged = {**api_settings.DEFAULT_THROTTLE_RATES, **rates}
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": merged})


def _headers(response) -> tuple[int, int, int]:
    return (
        int(response["X-RateLimit-Limit"]),
        int(response["X-RateLimit-Remaining"]),
        int(response["X-RateLimit-Reset"]),
    )


def test_a_success_shows_the_limit_what_is_left_and_seconds_to_the_reset(user_client):
    with _rates(user="5/min"):
        first = user_client.get("/api/user/credits")
        second = user_client.get("/api/user/credits")

    assert first.status_code == 200
    limit, remaining, reset = _headers(first)
    assert (limit, remaining) == (5, 4)
    assert 1 <= reset <= 60
    assert _headers(second)[:2] == (5, 3)


def test_the_tightest_throttle_is_shown(user_client):
    with _rates(user="100/min", apply="3/min"):
        response = user_client.post("/api/effects/apply", {}, format="json")

    assert response.status_code == 400
    assert _headers(response)[:2] == (3, 2)


def test_a_401_carries_the_anonymous_limit(anon_client):
    with _rates(anon="7/min"):
        response = anon_client.get("/api/user")

    assert_error(response, 401, "UNAUTHORIZED")
    assert _headers(response)[:2] == (7, 6)


def test_a_wrong_key_401_carries_the_failed_key_limit(anon_client):
    anon_client.credentials(HTTP_X_API_KEY="pmk_AAAAAAAA." + "c" * 32)
    with _rates(api_key_failed="4/min"):
        response = anon_client.get("/api/user")

    assert_error(response, 401, "INVALID_API_KEY")
    assert _headers(response)[:2] == (4, 3)


def test_a_429_shows_nothing_left_and_keeps_retry_after(user_client):
    with _rates(user="1/min"):
        user_client.get("/api/user/credits")
        response = user_client.get("/api/user/credits")

    assert_error(response, 429, "RATE_LIMITED")
    limit, remaining, reset = _headers(response)
    assert (limit, remaining) == (1, 0)
    assert int(response["Retry-After"]) == reset


def test_the_schema_declares_the_headers_on_every_operation():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert set(schema["components"]["headers"]) >= {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                assert "X-RateLimit-Remaining" in response.get("headers", {}), (path, method, status)
