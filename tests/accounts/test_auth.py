"""REST clients authenticate through allauth's headless app API; browsers with cookie + CSRF."""

import pytest
from rest_framework.test import APIClient

from tests.support.api import assert_error

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"


def _signup(client, email="new.user@example.com"):
    return client.post("/_allauth/app/v1/auth/signup", {"email": email, "password": PASSWORD}, format="json")


def test_app_signup_returns_a_session_token_that_opens_the_api():
    client = APIClient()
    token = _signup(client).json()["meta"]["session_token"]

    response = APIClient().get("/api/user", HTTP_X_SESSION_TOKEN=token)

    assert response.status_code == 200
    assert response.json()["data"]["email"] == "new.user@example.com"
    assert response.json()["data"]["credits"] == 10


def test_app_login_returns_a_session_token_that_opens_the_api():
    _signup(APIClient(), email="login.me@example.com")
    login = APIClient().post(
        "/_allauth/app/v1/auth/login", {"email": "login.me@example.com", "password": PASSWORD}, format="json"
    )
    token = login.json()["meta"]["session_token"]

    response = APIClient().get("/api/user/credits", HTTP_X_SESSION_TOKEN=token)

    assert response.status_code == 200
    assert response.json()["data"]["credits"] == 10


def test_logout_invalidates_the_session_token():
    token = _signup(APIClient()).json()["meta"]["session_token"]
    APIClient().delete("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)

    response = APIClient().get("/api/user", HTTP_X_SESSION_TOKEN=token)

    assert_error(response, 401, "INVALID_TOKEN")


def test_a_successful_logout_answers_401_as_allauths_headless_api_does():
    token = _signup(APIClient()).json()["meta"]["session_token"]

    response = APIClient().delete("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)

    # allauth answers "you are no longer authenticated" with 401 and no session token; docs/api.md says so.
    assert response.status_code == 401
    body = response.json()
    assert body["meta"]["is_authenticated"] is False and "session_token" not in body["meta"]


def test_request_with_a_made_up_token_returns_401_invalid_token(anon_client):
    response = anon_client.get("/api/user", HTTP_X_SESSION_TOKEN="not-a-real-session-token")

    assert_error(response, 401, "INVALID_TOKEN")


def test_browser_session_reads_the_api_with_its_cookie(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.get("/api/user")

    assert response.status_code == 200
    assert response.json()["data"]["email"] == user.email


def test_browser_session_write_without_csrf_token_is_403_forbidden(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.patch("/api/user", {"name": "Mallory"}, format="json")

    assert_error(response, 403, "FORBIDDEN")
    user.refresh_from_db()
    assert user.name != "Mallory"


def test_browser_session_write_with_csrf_token_succeeds(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/_allauth/browser/v1/auth/session")
    csrf = client.cookies["csrftoken"].value

    response = client.patch("/api/user", {"name": "Alice"}, format="json", HTTP_X_CSRFTOKEN=csrf)

    assert response.status_code == 200
    assert response.json()["data"]["name"] == "Alice"


def test_signups_are_rate_limited_per_ip_by_allauth(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    for i in range(2):
        assert _signup(APIClient(), email=f"burst{i}@example.com").status_code == 200

    response = _signup(APIClient(), email="burst-over@example.com")

    assert response.status_code == 429
