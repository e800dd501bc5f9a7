"""Schemathesis beyond tests/api/test_schema.py: negative (malformed) data on every operation,
the Stripe webhook included, with authentication that must be enforced (ignored_auth)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import ignored_auth

from tests.support.api import session_token_for
from tests.support.factories import EffectFactory, JobFactory


def _schema():
    from photomania.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema?format=json", application)
    # Both modes: operations without parameters have no negative form, and would be skipped.
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return schema


@pytest.fixture
def token(db, user, settings):
    # Webhooks are fuzzed with a signing secret configured (unsigned garbage must be a 400).
    settings.STRIPE_WEBHOOK_SECRET = "whsec_fuzz_only_0123456789"
    settings.STRIPE_SECRET_KEY = "sk_test_fuzz_only_never_sent"
    # ignored_auth probes every operation with a wrong API key, all from one address: the wrong-key
    # throttle (tested in tests/accounts/test_key_auth.py) would answer them 429 instead of 401.
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "api_key_failed": "10000/min"},
    }
    JobFactory(user=user, effect=EffectFactory(slug="abuse-effect"))
    return session_token_for(user)


# Checkout and the billing portal call Stripe's API for any valid body; the billing suite fuzzes
# them against its fake Stripe server, not here (no test talks to the internet).
abused = _schema().exclude(path_regex=r"^/api/(billing/portal|checkout)$")


@abused.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_malformed_requests_get_a_4xx_never_a_5xx_and_auth_is_enforced(case, wsgi_keeps_test_connection, token):
    case.call_and_validate(headers={"X-Session-Token": token}, checks=[not_a_server_error, ignored_auth])
