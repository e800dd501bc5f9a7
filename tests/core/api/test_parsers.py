"""The API's JSON parser: bodies Python cannot parse are 400s with the envelope, never 500s."""

import pytest

from tests.support.api import assert_error

pytestmark = pytest.mark.django_db


def test_deeply_nested_json_returns_400(user_client):
    body = b"[" * 100_000 + b"]" * 100_000

    response = user_client.generic("POST", "/api/effects/apply", data=body, content_type="application/json")

    body = assert_error(response, 400, "INVALID_INPUT")
    assert body["error"]["message"] == "Malformed request body"


def test_number_with_100000_digits_returns_400(user_client):
    body = b'{"effectId": ' + b"9" * 100_000 + b"}"

    response = user_client.generic("POST", "/api/effects/apply", data=body, content_type="application/json")

    assert_error(response, 400, "INVALID_INPUT")
