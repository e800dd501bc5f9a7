"""Error reporting: with SENTRY_DSN an unhandled error reaches Sentry (and never the client); without it nothing starts."""

import pytest
import sentry_sdk
from django.test import Client

from core.sentry import sentry_init
from tests.support.concurrency import wait_for

pytestmark = pytest.mark.urls("tests.photomania.urls_failing")


def _reported(server, message: str) -> dict:
    sentry_sdk.flush(timeout=5)
    return wait_for(
        lambda: next((e for e in server.events() if message in str(e.get("exception"))), None),
        message="the error to reach Sentry",
    )


def test_unhandled_error_in_a_page_view_is_reported_and_not_shown(db, sentry_server):
    assert sentry_init()
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert b"secret-internal-detail" not in response.content
    event = _reported(sentry_server, "secret-internal-detail")
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"


def test_unhandled_error_in_an_api_view_is_reported_and_answered_with_the_envelope(db, sentry_server):
    assert sentry_init()
    client = Client(raise_request_exception=False)

    response = client.get("/api/explode")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "INTERNAL_ERROR"
    assert b"secret-internal-detail" not in response.content
    event = _reported(sentry_server, "secret-internal-detail")
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"


def test_reported_event_carries_environment_and_release_but_no_credentials(db, settings, sentry_server):
    settings.SENTRY_ENVIRONMENT = "staging"
    settings.SENTRY_RELEASE = "photomania@1.2.3"
    assert sentry_init()
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "session-cookie-value"

    client.get("/boom/", HTTP_X_SESSION_TOKEN="session-token-value", HTTP_AUTHORIZATION="Bearer bearer-value")

    event = _reported(sentry_server, "secret-internal-detail")
    assert (event["environment"], event["release"]) == ("staging", "photomania@1.2.3")
    sent = str(event)
    for secret in ("session-cookie-value", "session-token-value", "bearer-value"):
        assert secret not in sent
    assert "user" not in event or not event["user"].get("ip_address")


def test_without_a_dsn_nothing_is_initialised(settings):
    settings.SENTRY_DSN = ""

    started = sentry_init()

    assert started is False
    assert not sentry_sdk.get_client().is_active()
