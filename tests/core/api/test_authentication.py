"""X-Session-Token authentication (core/api/authentication.py): one session load, the user
read fresh, and every way a token stops working still takes effect on the next request."""

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from rest_framework.test import APIClient, APIRequestFactory

from core.api.authentication import SessionTokenAuthentication
from tests.support.api import assert_error

pytestmark = pytest.mark.django_db


def _token(user) -> str:
    """A session the way allauth's app login makes one, through the configured (cached) engine."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _authenticate(token: str):
    request = APIRequestFactory().get("/api/user", HTTP_X_SESSION_TOKEN=token)
    return SessionTokenAuthentication().authenticate(request)


def test_a_live_token_authenticates_its_user_with_the_session(user):
    token = _token(user)

    authenticated_user, session = _authenticate(token)

    assert authenticated_user == user
    assert session.session_key == token


def test_a_cached_session_costs_one_query_the_user_row(user, django_assert_num_queries):
    token = _token(user)

    with django_assert_num_queries(1) as captured:
        _authenticate(token)

    assert "accounts_user" in captured.captured_queries[0]["sql"]


def test_a_session_the_cache_lost_is_read_from_the_database(user):
    token = _token(user)
    import_module(settings.SESSION_ENGINE).SessionStore(session_key=token)._cache.clear()

    authenticated_user, _session = _authenticate(token)

    assert authenticated_user == user


def test_a_made_up_token_authenticates_nobody():
    assert _authenticate("no-such-session-token-0123456789") is None


def test_a_request_without_a_token_is_left_to_the_next_authentication_class():
    request = APIRequestFactory().get("/api/user")

    assert SessionTokenAuthentication().authenticate(request) is None


def test_a_deactivated_users_token_is_refused_on_the_next_request(user):
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=_token(user))
    assert client.get("/api/user").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = client.get("/api/user")

    assert_error(response, 401, "INVALID_TOKEN")


def test_a_password_change_ends_the_tokens_issued_before_it(user):
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=_token(user))
    user.set_password("another-long-and-unusual-passphrase-43")
    user.save(update_fields=["password"])

    response = client.get("/api/user")

    assert_error(response, 401, "INVALID_TOKEN")


def test_the_balance_is_read_fresh_on_every_request(user):
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=_token(user))
    client.get("/api/user/credits")
    type(user).objects.filter(pk=user.pk).update(credits=0)

    response = client.get("/api/user/credits")

    assert response.json()["data"]["credits"] == 0
