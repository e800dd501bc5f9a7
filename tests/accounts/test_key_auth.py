"""The API-key authentication class: a burst of wrong keys from one address is throttled like failed
sign-ins, and a request made with a key is counted against that key's own budget."""

import pytest
from django.test import override_settings
from rest_framework.settings import api_settings

from tests.support.api import assert_error, token_client
from tests.support.api_keys import api_key_for, key_client

pytestmark = pytest.mark.django_db


def _rates(**rates):
    from django.conf import settings

    merged = {**api_settings.DEFAULT_THROTTLE_RATES, **rates}
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": merged})


def test_a_burst_of_wrong_keys_from_one_address_gets_429(user):
    wrong = key_client("pmk_AAAAAAAA." + "b" * 32)
    with _rates(api_key_failed="3/min"):
        answers = [wrong.get("/api/user", REMOTE_ADDR="203.0.113.7").status_code for _ in range(4)]
        other_address = wrong.get("/api/user", REMOTE_ADDR="203.0.113.8")

    assert answers == [401, 401, 401, 429]
    assert_error(other_address, 401, "INVALID_API_KEY")


def test_the_throttled_answer_says_when_to_retry(user):
    wrong = key_client("pmk_AAAAAAAA." + "b" * 32)
    with _rates(api_key_failed="1/min"):
        wrong.get("/api/user")
        response = wrong.get("/api/user")

    assert_error(response, 429, "RATE_LIMITED")
    assert int(response["Retry-After"]) >= 1


def test_good_keys_do_not_count_as_failures(user):
    client = key_client(api_key_for(user))
    with _rates(api_key_failed="1/min"):
        answers = {client.get("/api/user/credits").status_code for _ in range(3)}

    assert answers == {200}


def test_requests_with_a_key_are_counted_per_key_not_per_user(user):
    first, second = key_client(api_key_for(user, name="a")), key_client(api_key_for(user, name="b"))
    session = token_client(user)
    with _rates(user="2/min"):
        first_answers = [first.get("/api/user/credits").status_code for _ in range(3)]
        second_answer = second.get("/api/user/credits").status_code
        session_answer = session.get("/api/user/credits").status_code

    assert first_answers == [200, 200, 429]
    assert second_answer == 200
    assert session_answer == 200
