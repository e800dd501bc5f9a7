"""An API key in a URL is refused (400) on every path, before any view runs, and never logged."""

import logging

import pytest

from core.credentials import query_carries_api_key, redact_api_keys
from core.sentry import scrub_event
from tests.support.api import assert_error
from tests.support.api_keys import api_key_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["api_key", "key", "apiKey", "API_KEY"])
def test_a_key_parameter_is_refused(anon_client, name, user):
    key = api_key_for(user)

    response = anon_client.get(f"/api/user?{name}={key}")

    assert_error(response, 400, "INVALID_INPUT")
    assert key not in response.content.decode()


def test_any_value_that_looks_like_a_key_is_refused_even_on_pages(client, user):
    key = api_key_for(user)

    response = client.get(f"/effects/?q={key}")

    assert response.status_code == 400


def test_a_refused_key_is_in_no_log_line(anon_client, user, caplog):
    key = api_key_for(user)
    secret = key.partition(".")[2]
    caplog.set_level(logging.DEBUG)

    anon_client.get(f"/api/user?api_key={key}")

    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "Bad Request" in logged or "API key" in logged  # the refusal was logged...
    assert secret not in logged  # ...without the key


def test_the_same_key_in_the_header_still_works(anon_client, user):
    anon_client.credentials(HTTP_X_API_KEY=api_key_for(user))

    assert anon_client.get("/api/user/credits").status_code == 200


def test_ordinary_query_strings_are_left_alone():
    assert not query_carries_api_key({"page": ["2"], "status": ["COMPLETED"]}, "page=2&status=COMPLETED")
    assert query_carries_api_key({"q": ["x pmk_AbCdEfGh.zzz"]}, "")


def test_error_reports_drop_query_strings_and_redact_keys():
    key = "pmk_AbCdEfGh." + "s" * 32
    event = {
        "request": {
            "url": f"https://photomania.example/api/user?api_key={key}",
            "query_string": f"api_key={key}",
            "headers": {"X-Api-Key": key, "Authorization": f"Api-Key {key}", "Accept": "application/json"},
        },
        "logentry": {"message": f"saw {key}"},
        "exception": {"values": [{"type": "ValueError", "value": f"bad {key}"}]},
    }

    scrubbed = scrub_event(event, {})

    assert key not in repr(scrubbed)
    assert scrubbed["request"]["headers"]["Accept"] == "application/json"
    assert redact_api_keys(f"a {key} b") == "a [redacted api key] b"
