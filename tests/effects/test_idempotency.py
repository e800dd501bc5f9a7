"""Idempotency-Key on POST /api/effects/apply: Stripe's semantics, per user, kept 24 h."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from billing.models import CreditTransaction
from effects.idempotency import idempotency_keys_purge
from effects.models import IdempotencyKey, Job
from tests.support.api import PUBLIC_IMAGE_URL, assert_error, token_client
from tests.support.concurrency import run_concurrently
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

BODY = {"effectId": "sepia-dream", "imageUrl": PUBLIC_IMAGE_URL}


def _apply(client, key, body=BODY):
    return client.post("/api/effects/apply", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _charges(user) -> int:
    return CreditTransaction.objects.filter(user=user, kind=CreditTransaction.Kind.EFFECT_CHARGE).count()


@pytest.mark.django_db
def test_repeat_with_same_key_and_body_returns_the_same_response_and_charges_once(user_client, user, effect):
    first = _apply(user_client, "key-1")

    second = _apply(user_client, "key-1")

    assert second.status_code == 200
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Job.objects.count() == 1
    assert _charges(user) == 1


@pytest.mark.django_db
def test_a_repeat_after_the_balance_was_spent_replays_the_charged_answer_instead_of_402(user_client, user, effect):
    # The client lost the first answer; meanwhile the balance went to zero.
    first = _apply(user_client, "key-1")
    user.__class__.objects.filter(pk=user.pk).update(credits=0)

    repeat = _apply(user_client, "key-1")

    assert repeat.status_code == 200
    assert repeat.json() == first.json()
    assert repeat["Idempotent-Replayed"] == "true"
    assert _charges(user) == 1


@pytest.mark.django_db
def test_an_upload_repeat_after_the_balance_was_spent_replays_the_charged_answer(user_client, user, effect):
    photo = image_bytes("JPEG", color=(10, 120, 200))

    def upload():
        body = {"effectId": effect.slug, "image": SimpleUploadedFile("p.jpg", photo, content_type="image/jpeg")}
        return user_client.post("/api/effects/apply", body, format="multipart", HTTP_IDEMPOTENCY_KEY="up-1")

    first = upload()
    user.__class__.objects.filter(pk=user.pk).update(credits=0)

    repeat = upload()

    assert first.status_code == 200
    assert repeat.status_code == 200
    assert repeat.json() == first.json()
    assert _charges(user) == 1


@pytest.mark.django_db
def test_a_key_reused_for_another_request_is_422_even_when_the_balance_is_spent(user_client, user, effect):
    _apply(user_client, "key-1")
    user.__class__.objects.filter(pk=user.pk).update(credits=0)

    response = _apply(user_client, "key-1", {**BODY, "imageUrl": "https://93.184.215.14/other.jpg"})

    assert_error(response, 422, "IDEMPOTENCY_CONFLICT")


@pytest.mark.django_db
def test_same_key_with_a_different_body_returns_422_idempotency_conflict(user_client, user, effect):
    _apply(user_client, "key-1")

    response = _apply(user_client, "key-1", {**BODY, "imageUrl": "https://93.184.215.14/other.jpg"})

    assert_error(response, 422, "IDEMPOTENCY_CONFLICT")
    assert _charges(user) == 1


@pytest.mark.django_db
def test_keys_are_per_user(user_client, other_client, user, other_user, effect):
    mine = _apply(user_client, "shared-key")

    theirs = _apply(other_client, "shared-key")

    assert theirs.status_code == 200
    assert theirs.json()["data"]["jobId"] != mine.json()["data"]["jobId"]


@pytest.mark.django_db
def test_key_is_remembered_for_24_hours(user_client, user, effect):
    _apply(user_client, "key-1")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=23, minutes=59))

    _apply(user_client, "key-1")

    assert _charges(user) == 1


@pytest.mark.django_db
def test_expired_key_runs_the_request_again(user_client, user, effect):
    _apply(user_client, "key-1")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = _apply(user_client, "key-1")

    assert response.status_code == 200
    assert "Idempotent-Replayed" not in response
    assert _charges(user) == 2


@pytest.mark.django_db
def test_failed_first_attempt_is_not_remembered(user_client, user):
    EffectFactory(slug="pricey", credits=11)
    body = {"effectId": "pricey", "imageUrl": PUBLIC_IMAGE_URL}
    assert _apply(user_client, "key-1", body).status_code == 402

    response = _apply(user_client, "key-1", body)

    assert_error(response, 402, "INSUFFICIENT_CREDITS")
    assert not IdempotencyKey.objects.exists()


@pytest.mark.django_db
def test_overlong_key_is_a_validation_error(user_client, effect):
    response = _apply(user_client, "k" * 256)

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "idempotencyKey" in body["error"]["details"]


@pytest.mark.django_db
def test_purge_deletes_only_expired_keys(user_client, effect):
    _apply(user_client, "old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    _apply(user_client, "new")

    deleted = idempotency_keys_purge()

    assert deleted == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["new"]


def _thread_client(credentials: dict):
    """A client of its own for one thread, signed in with the same session token."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(**credentials)
    return client


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_charge_once_and_return_the_same_job():
    user = UserFactory()
    EffectFactory(slug="sepia-dream", credits=1)
    client_token = token_client(user)._credentials

    def request():
        return _apply(_thread_client(client_token), "race-key")

    responses = run_concurrently(4, lambda _i: request())

    assert [r.status_code for r in responses] == [200] * 4
    assert len({r.json()["data"]["jobId"] for r in responses}) == 1
    assert _charges(user) == 1
    user.refresh_from_db()
    assert user.credits == 9


@pytest.mark.django_db(transaction=True)
def test_concurrent_applies_never_overspend():
    user = UserFactory()
    EffectFactory(slug="sepia-dream", credits=3)
    client_token = token_client(user)._credentials

    def request():
        return _thread_client(client_token).post("/api/effects/apply", BODY, format="json")

    responses = run_concurrently(6, lambda _i: request())

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 200, 402, 402, 402]
    user.refresh_from_db()
    assert user.credits == 1
    assert Job.objects.count() == 3
