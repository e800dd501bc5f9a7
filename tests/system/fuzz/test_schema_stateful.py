"""Stateful schemathesis over the OpenAPI links, in-process, with two users as peers.

Alice drives the state machine (apply -> read/delete the job it created, catalog -> apply, ...);
Bob is the second principal of the `object_level_authorization` check, which replays Alice's
successful reads of her own objects with Bob's token and fails if Bob gets them too. The two
tokens reach schemathesis as a Web Fuzzing Commons auth document with both users as `peers`,
the only way the check learns about a second identity (schemathesis/wfc/integration.py).
"""

import json

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.db import transaction
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from billing.models import CreditTransaction
from billing.services import credits_grant
from effects.models import Effect
from tests.support.api import session_token_for
from tests.support.factories import EffectFactory, JobFactory, UserFactory
from tests.support.images import image_bytes

# Applies name this photo; ingestion only resolves the host at apply time (the worker fetches it).
IMAGE_HOST = "127.0.0.1"
IMAGE_URL = f"http://{IMAGE_HOST}/photos/cat.png"
EFFECT_SLUG = "stateful-effect"

# Every response check except the ones that judge the server's choice of accepting or refusing
# generated data (positive_data_acceptance, negative_data_rejection, missing_required_header,
# unsupported_method): tests/fuzz/test_schema_abuse.py covers malformed input.
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "object_level_authorization",
]


@pytest.fixture
def requests_seen():
    """(method, path, session token) of every request the WSGI app handles during the test."""
    seen = []

    def record(sender, environ, **kwargs):
        seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"], environ.get("HTTP_X_SESSION_TOKEN")))

    signals.request_started.connect(record)
    yield seen
    signals.request_started.disconnect(record)


def _user_with_credits():
    user = UserFactory()
    # Enough for every apply a run can make: running out would only turn applies into 402s.
    credits_grant(user=user, amount=500, kind=CreditTransaction.Kind.PURCHASE, reference=f"fuzz-topup:{user.pk}")
    return user


@pytest.fixture
def peers(db, settings, tmp_path):
    """Alice and Bob, each with a job and a session token, written as a WFC auth document."""
    settings.IMAGE_FETCH_ALLOWED_HOSTS = [IMAGE_HOST]
    # Throttles have their own tests; here they would turn most applies into 429s, and the auth
    # probes (refused requests count too: without credentials, or with a wrong API key, all from
    # one address) into 429s instead of 401s.
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **rates,
            "apply": "10000/min",
            "upload": "10000/hour",
            "api_key_failed": "10000/min",
            "anon": "10000/min",
        },
    }
    effect = EffectFactory(slug=EFFECT_SLUG)
    alice, bob = _user_with_credits(), _user_with_credits()
    JobFactory(user=alice, effect=effect)
    JobFactory(user=bob, effect=effect)
    tokens = {"alice": session_token_for(alice), "bob": session_token_for(bob)}
    document = tmp_path / "wfc-auth.json"
    document.write_text(
        json.dumps(
            {
                "auth": [
                    {"name": name, "fixedHeaders": [{"name": "X-Session-Token", "value": token}]}
                    for name, token in tokens.items()
                ]
            }
        )
    )
    return document, tokens


def _state_machine(wfc_document):
    from photomania.wsgi import application

    config = SchemathesisConfig.from_dict(
        {
            "auth": {"wfc": {"path": str(wfc_document), "user": "alice", "peers": ["alice", "bob"]}},
            "generation": {"mode": "all"},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/schema?format=json", application, config=config)
    # Checkout and the billing portal call Stripe's API; the billing suite covers them.
    schema = schema.exclude(path_regex=r"^/api/(billing/portal|checkout|webhooks/)")

    catalog = {ref for effect in Effect.objects.filter(is_active=True) for ref in (effect.slug, str(effect.pk))}

    class AliceAndBob(schema.as_state_machine()):
        def setup(self):
            # Every scenario starts from the fixture's data: Hypothesis replays a scenario's draws
            # and requires responses (and so the links they feed) to be the same on the replay.
            self._savepoint = transaction.savepoint()
            super().setup()

        def teardown(self):
            super().teardown()
            transaction.savepoint_rollback(self._savepoint)

        def before_call(self, case):
            # Valid applies need what generation cannot guess: a host that resolves offline and an
            # effect in the catalog (kept when a link brought one from GET /api/effects).
            positive = case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE
            if positive and case.operation.path == "/api/effects/apply" and isinstance(case.body, dict):
                if case.media_type == "application/json":
                    case.body["imageUrl"] = IMAGE_URL
                else:
                    case.body["image"] = image_bytes("PNG", (16, 12), color=(200, 40, 40))
                if case.body.get("effectId") not in catalog:
                    case.body["effectId"] = EFFECT_SLUG
                case.body.pop("callbackUrl", None)
            super().before_call(case)

    return AliceAndBob


def test_linked_calls_as_alice_never_fail_and_never_leak_to_bob(wsgi_keeps_test_connection, peers, requests_seen):
    wfc_document, tokens = peers
    machine = _state_machine(wfc_document)

    machine.run(
        settings=hypothesis.settings(
            max_examples=50,
            stateful_step_count=8,
            deadline=None,
            phases=[hypothesis.Phase.generate],
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )

    # The peer check did run: it replayed at least one of Alice's job reads with Bob's token.
    read_by_bob = {path for method, path, token in requests_seen if method == "GET" and token == tokens["bob"]}
    assert any(path.startswith("/api/jobs/") for path in read_by_bob), sorted(read_by_bob)
