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


def test_json_body_over_the_in_memory_limit_returns_413_before_parsing(user_client):
    body = b'{"imageUrl": "' + b"a" * (14 * 1024 * 1024) + b'"}'

    response = user_client.generic("POST", "/api/effects/apply", data=body, content_type="application/json")

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_sign_in_page_body_over_the_form_limit_returns_a_413_page(client, settings):
    body = "login=a%40b.example&password=" + "x" * settings.REQUEST_MAX_FORM_BYTES

    response = client.post("/accounts/login/", data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert b"too large" in response.content


def test_allauth_api_body_over_the_form_limit_returns_413(client, settings):
    response = client.generic(
        "POST",
        "/_allauth/app/v1/auth/login",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_FORM_BYTES + 1),
    )

    assert response.status_code == 413


def test_multipart_upload_within_the_image_cap_is_let_through_on_upload_paths(user_client, settings):
    settings.REQUEST_MAX_FORM_BYTES = 10

    response = user_client.generic(
        "POST",
        "/api/effects/apply",
        data=b"--b--\r\n",
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
    )

    assert response.status_code != 413


def test_malformed_content_length_returns_400(client):
    response = client.generic("POST", "/accounts/login/", data=b"", CONTENT_LENGTH="12abc")

    assert response.status_code == 400
