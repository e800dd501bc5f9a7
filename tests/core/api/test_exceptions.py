"""The one exception handler: every error under /api/ (ours, DRF's, the database's) becomes the envelope."""

import pytest
from django.test import override_settings
from rest_framework.settings import api_settings

from tests.support.api import assert_error

pytestmark = pytest.mark.django_db


def test_unknown_api_route_returns_json_404(anon_client):
    response = anon_client.get("/api/no-such-thing")

    assert_error(response, 404, "NOT_FOUND")


def test_unknown_api_route_with_post_returns_json_404_not_405(anon_client):
    response = anon_client.post("/api/no/such/thing", {"a": 1}, format="json")

    assert_error(response, 404, "NOT_FOUND")


def test_trailing_slash_variant_of_a_route_is_a_json_404(anon_client):
    response = anon_client.get("/api/effects/")

    assert_error(response, 404, "NOT_FOUND")


def test_wrong_method_returns_405_envelope_naming_the_allowed_methods(anon_client):
    response = anon_client.put("/api/effects", {}, format="json")

    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in response["Allow"]


def test_malformed_json_returns_400_invalid_input(user_client):
    response = user_client.post("/api/effects/apply", data="{not json", content_type="application/json")

    assert_error(response, 400, "INVALID_INPUT")


def test_unsupported_content_type_returns_415_unsupported_media_type(user_client):
    response = user_client.post("/api/effects/apply", data="<x/>", content_type="application/xml")

    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_validation_error_lists_camelcase_fields(user_client):
    response = user_client.post("/api/effects/apply", {"imageUrl": "not a url"}, format="json")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert set(body["error"]["details"]) >= {"effectId", "imageUrl"}


def test_throttled_request_returns_429_with_retry_after(anon_client):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/min"}
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        anon_client.get("/api/effects")
        anon_client.get("/api/effects")
        response = anon_client.get("/api/effects")

    assert_error(response, 429, "RATE_LIMITED")
    assert int(response["Retry-After"]) >= 1


def _rest_framework():
    from django.conf import settings

    return settings.REST_FRAMEWORK


@pytest.mark.urls("tests.photomania.urls_failing")
def test_unhandled_error_in_an_api_view_returns_500_with_request_id_and_no_internals(anon_client):
    response = anon_client.get("/api/explode", HTTP_X_REQUEST_ID="req-500-abcdef")

    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert body["error"]["details"] == {"requestId": "req-500-abcdef"}
    assert b"secret-internal-detail" not in response.content
    assert b"Traceback" not in response.content


@pytest.mark.urls("tests.photomania.urls_failing")
def test_unhandled_error_is_logged_with_the_request_id_the_response_carries(anon_client, caplog):
    anon_client.get("/api/explode", HTTP_X_REQUEST_ID="req-500-logged")

    records = [r for r in caplog.records if r.name == "photomania.api" and r.levelname == "ERROR"]
    assert [r.request_id for r in records] == ["req-500-logged"]
    assert records[0].exc_info is not None


@pytest.mark.django_db(transaction=True)
def test_database_down_returns_503_service_unavailable(anon_client, database_down):
    response = anon_client.get("/api/effects")

    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert response["Retry-After"]


def test_form_field_over_the_in_memory_limit_returns_413(user_client, settings):
    # A multipart body is within the upload cap, but one text field is over Django's in-memory limit.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = user_client.post("/api/effects/apply", {"effectId": "x", "imageUrl": "a" * 5000}, format="multipart")

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")
