"""The /api/ guards: the body-size cap answers before parsing, and errors from outside DRF are JSON too."""

import pytest

from tests.support.api import assert_error

pytestmark = pytest.mark.django_db


def test_body_over_the_cap_returns_413_before_parsing(user_client, settings):
    settings.REQUEST_MAX_BODY_BYTES = 1000

    response = user_client.post("/api/effects/apply", data="x" * 1001, content_type="application/json")

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_declared_content_length_over_the_cap_returns_413(user_client, settings):
    response = user_client.generic(
        "POST",
        "/api/effects/apply",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BODY_BYTES + 1),
    )

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.urls("tests.photomania.urls_failing")
def test_unhandled_error_outside_drf_under_api_returns_json_500(anon_client):
    anon_client.raise_request_exception = False

    response = anon_client.get("/api/plain-explode", HTTP_X_REQUEST_ID="req-500-plain")

    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert body["error"]["details"] == {"requestId": "req-500-plain"}
    assert b"secret-internal-detail" not in response.content


@pytest.mark.urls("tests.photomania.urls_failing")
def test_django_404_outside_drf_under_api_is_json(anon_client):
    response = anon_client.get("/api/plain-missing")

    assert_error(response, 404, "NOT_FOUND")
