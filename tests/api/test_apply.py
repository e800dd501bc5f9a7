"""POST /api/effects/apply: validation, effect lookup, charging, enqueueing, limits."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.settings import api_settings

from billing.models import CreditTransaction
from effects.models import Job
from tests.api.conftest import PUBLIC_IMAGE_URL, png_bytes
from tests.api.test_envelope import assert_error
from tests.factories import EffectFactory

pytestmark = pytest.mark.django_db


def _apply(client, **body):
    return client.post("/api/effects/apply", body, format="json")


def test_apply_with_image_url_creates_a_pending_job_and_charges_the_effect(user_client, user, effect):
    response = _apply(user_client, effectId=str(effect.pk), imageUrl=PUBLIC_IMAGE_URL)

    data = response.json()["data"]
    assert response.status_code == 200
    assert data["status"] == "PENDING"
    job = Job.objects.get(pk=data["jobId"])
    assert (job.user, job.effect, job.source_url) == (user, effect, PUBLIC_IMAGE_URL)
    user.refresh_from_db()
    assert user.credits == 10 - effect.credits


def test_apply_accepts_the_effect_slug(user_client, effect):
    response = _apply(user_client, effectId="sepia-dream", imageUrl=PUBLIC_IMAGE_URL)

    assert Job.objects.get(pk=response.json()["data"]["jobId"]).effect == effect


def test_apply_accepts_a_numeric_effect_id(user_client, effect):
    response = _apply(user_client, effectId=effect.pk, imageUrl=PUBLIC_IMAGE_URL)

    assert response.status_code == 200


def test_apply_enqueues_the_job_only_after_commit(user_client, effect, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = _apply(user_client, effectId="sepia-dream", imageUrl=PUBLIC_IMAGE_URL)

    assert response.status_code == 200
    assert len(callbacks) == 1


def test_apply_with_an_uploaded_image_stores_the_source(user_client, effect):
    upload = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")

    response = user_client.post("/api/effects/apply", {"effectId": "sepia-dream", "image": upload}, format="multipart")

    job = Job.objects.get(pk=response.json()["data"]["jobId"])
    assert response.status_code == 200
    assert job.source.name.startswith(f"jobs/{job.pk}/source")
    assert job.source.read() == png_bytes()


def test_apply_with_a_corrupt_upload_returns_400_and_charges_nothing(user_client, user, effect):
    upload = SimpleUploadedFile("me.png", b"\x89PNG not really", content_type="image/png")

    response = user_client.post("/api/effects/apply", {"effectId": "sepia-dream", "image": upload}, format="multipart")

    assert_error(response, 400, "INVALID_INPUT")
    user.refresh_from_db()
    assert user.credits == 10


@override_settings(IMAGE_MAX_UPLOAD_BYTES=100)
def test_apply_with_an_oversized_upload_returns_413(user_client, effect):
    upload = SimpleUploadedFile("me.png", png_bytes(size=(64, 64)), content_type="image/png")

    response = user_client.post("/api/effects/apply", {"effectId": "sepia-dream", "image": upload}, format="multipart")

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_apply_without_an_image_is_a_validation_error(user_client, effect):
    response = _apply(user_client, effectId="sepia-dream")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "imageUrl" in body["error"]["details"]


def test_apply_with_both_an_url_and_a_file_is_a_validation_error(user_client, effect):
    upload = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")

    response = user_client.post(
        "/api/effects/apply",
        {"effectId": "sepia-dream", "image": upload, "imageUrl": PUBLIC_IMAGE_URL},
        format="multipart",
    )

    assert_error(response, 400, "VALIDATION_ERROR")


def test_apply_with_a_private_image_url_is_refused_and_charges_nothing(user_client, user, effect):
    response = _apply(user_client, effectId="sepia-dream", imageUrl="http://169.254.169.254/latest/meta-data")

    assert_error(response, 400, "INVALID_INPUT")
    user.refresh_from_db()
    assert user.credits == 10


def test_apply_with_a_non_http_image_url_is_refused(user_client, effect):
    response = _apply(user_client, effectId="sepia-dream", imageUrl="ftp://93.184.215.14/cat.jpg")

    assert_error(response, 400, "INVALID_INPUT")


def test_apply_with_a_loopback_callback_url_is_refused(user_client, effect):
    response = _apply(
        user_client, effectId="sepia-dream", imageUrl=PUBLIC_IMAGE_URL, callbackUrl="http://127.0.0.1:8000/hook"
    )

    body = assert_error(response, 400, "INVALID_INPUT")
    assert "callback URL" in body["error"]["message"]
    assert not Job.objects.exists()


def test_apply_stores_a_public_callback_url_on_the_job(user_client, effect):
    response = _apply(
        user_client, effectId="sepia-dream", imageUrl=PUBLIC_IMAGE_URL, callbackUrl="https://93.184.215.14/hook"
    )

    assert Job.objects.get(pk=response.json()["data"]["jobId"]).callback_url == "https://93.184.215.14/hook"


def test_apply_with_an_unknown_effect_returns_404(user_client):
    response = _apply(user_client, effectId="no-such-effect", imageUrl=PUBLIC_IMAGE_URL)

    assert_error(response, 404, "NOT_FOUND")


def test_apply_with_an_inactive_effect_returns_404_and_charges_nothing(user_client, user):
    EffectFactory(slug="retired", is_active=False)

    response = _apply(user_client, effectId="retired", imageUrl=PUBLIC_IMAGE_URL)

    assert_error(response, 404, "NOT_FOUND")
    user.refresh_from_db()
    assert user.credits == 10


def test_apply_with_too_few_credits_returns_402_and_charges_nothing(user_client, user):
    EffectFactory(slug="pricey", credits=11)

    response = _apply(user_client, effectId="pricey", imageUrl=PUBLIC_IMAGE_URL)

    assert_error(response, 402, "INSUFFICIENT_CREDITS")
    user.refresh_from_db()
    assert user.credits == 10
    assert not Job.objects.exists()
    assert not CreditTransaction.objects.filter(kind=CreditTransaction.Kind.EFFECT_CHARGE).exists()


def test_apply_to_an_effect_that_cannot_run_returns_503_and_charges_nothing(user_client, user):
    EffectFactory(slug="broken", model_id="local:no-such-effect")

    response = _apply(user_client, effectId="broken", imageUrl=PUBLIC_IMAGE_URL)

    assert_error(response, 503, "SERVICE_UNAVAILABLE")
    user.refresh_from_db()
    assert user.credits == 10
    assert not Job.objects.exists()


def test_apply_requires_authentication(anon_client, effect):
    response = _apply(anon_client, effectId="sepia-dream", imageUrl=PUBLIC_IMAGE_URL)

    assert_error(response, 401, "UNAUTHORIZED")


def test_apply_is_rate_limited_per_user_with_retry_after(user_client, other_client, effect, settings):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "apply": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    for _ in range(2):
        _apply(user_client, effectId="sepia-dream", imageUrl=PUBLIC_IMAGE_URL)

    limited = _apply(user_client, effectId="sepia-dream", imageUrl=PUBLIC_IMAGE_URL)
    other = _apply(other_client, effectId="sepia-dream", imageUrl=PUBLIC_IMAGE_URL)

    assert_error(limited, 429, "RATE_LIMITED")
    assert int(limited["Retry-After"]) >= 1
    assert other.status_code == 200


def test_uploads_have_their_own_rate_limit(user_client, effect, settings):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "upload": "1/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    def upload():
        image = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")
        return user_client.post("/api/effects/apply", {"effectId": "sepia-dream", "image": image}, format="multipart")

    assert upload().status_code == 200
    assert_error(upload(), 429, "RATE_LIMITED")
    assert _apply(user_client, effectId="sepia-dream", imageUrl=PUBLIC_IMAGE_URL).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_apply_while_the_database_is_down_returns_503(effect, database_down):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN="any-token-the-database-would-have-to-check")

    response = _apply(client, effectId="sepia-dream", imageUrl=PUBLIC_IMAGE_URL)

    assert_error(response, 503, "SERVICE_UNAVAILABLE")
