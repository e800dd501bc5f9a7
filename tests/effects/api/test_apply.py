"""POST /api/effects/apply: credit headers, output options and the Prefer: wait header (without a worker).

A job that finishes while its apply waits is tested with a real worker in tests/system/pipeline.
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIRequestFactory

from billing.models import CreditTransaction
from effects.api.apply import wait_preference
from effects.models import Job
from tests.support.api import PUBLIC_IMAGE_URL, assert_error
from tests.support.factories import EffectFactory
from tests.support.images import image_bytes


def _apply(client, headers=None, **body):
    return client.post("/api/effects/apply", body, format="json", headers=headers or {})


def test_apply_answers_what_it_charged_and_the_balance_left(user_client, user, effect):
    response = _apply(user_client, effectId=effect.slug, imageUrl=PUBLIC_IMAGE_URL)

    assert response.status_code == 200
    assert response["X-Credits-Charged"] == "2"
    assert response["X-Credits-Remaining"] == "8"
    charge = CreditTransaction.objects.get(job_id=response.json()["data"]["jobId"])
    assert charge.balance_after == 8


def test_a_replayed_apply_says_it_charged_nothing_and_gives_the_balance_now(user_client, user, effect):
    key = {"Idempotency-Key": "replay-credits"}
    first = _apply(user_client, key, effectId=effect.slug, imageUrl=PUBLIC_IMAGE_URL)

    again = _apply(user_client, key, effectId=effect.slug, imageUrl=PUBLIC_IMAGE_URL)

    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again["X-Credits-Charged"] == "0"
    assert again["X-Credits-Remaining"] == "8"


def test_apply_stores_the_output_options_and_shows_them_in_the_job_json(user_client, effect):
    response = _apply(user_client, effectId=effect.slug, imageUrl=PUBLIC_IMAGE_URL, outputFormat="webp", maxSide=512)

    job_id = response.json()["data"]["jobId"]
    job = Job.objects.get(pk=job_id)
    assert (job.output_format, job.output_max_side) == ("webp", 512)
    assert user_client.get(f"/api/jobs/{job_id}").json()["data"]["output"] == {"format": "webp", "maxSide": 512}


def test_apply_takes_the_output_options_in_a_multipart_body(user_client, effect):
    upload = SimpleUploadedFile("p.png", image_bytes("PNG"), content_type="image/png")

    response = user_client.post(
        "/api/effects/apply", {"effectId": effect.slug, "image": upload, "outputFormat": "jpeg", "maxSide": "64"}
    )

    assert response.status_code == 200, response.content
    job = Job.objects.get(pk=response.json()["data"]["jobId"])
    assert (job.output_format, job.output_max_side) == ("jpeg", 64)


def test_a_cut_out_cannot_be_asked_for_as_jpeg_and_nothing_is_charged(user_client, user):
    EffectFactory(slug="cut-out", name="Cut-out", model_id="local:remove-background")

    response = _apply(user_client, effectId="cut-out", imageUrl=PUBLIC_IMAGE_URL, outputFormat="jpeg")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    [message] = body["error"]["details"]["outputFormat"]
    assert "transparent" in message and "png, webp" in message
    assert not Job.objects.exists()
    user.refresh_from_db()
    assert user.credits == 10


def test_an_unknown_output_format_is_refused(user_client, effect):
    response = _apply(user_client, effectId=effect.slug, imageUrl=PUBLIC_IMAGE_URL, outputFormat="gif")

    assert "outputFormat" in assert_error(response, 400, "VALIDATION_ERROR")["error"]["details"]


@pytest.mark.parametrize("side", [63, 2049, 0])
def test_a_longest_side_outside_64_to_the_effects_largest_is_refused(user_client, effect, side):
    response = _apply(user_client, effectId=effect.slug, imageUrl=PUBLIC_IMAGE_URL, maxSide=side)

    [message] = assert_error(response, 400, "VALIDATION_ERROR")["error"]["details"]["maxSide"]
    assert "between 64 and 2048" in message


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("wait=5", 5),
        ("wait", 60),
        ("WAIT = 7", 7),
        ('wait="3"', 3),
        ("respond-async, wait=12", 12),
        ("wait=60", 60),
        ("wait=0", None),
        ("wait=61", None),
        ("wait=abc", None),
        ("wait=-1", None),
        ("return=minimal", None),
        ("", None),
    ],
)
def test_the_prefer_header_asks_for_1_to_60_seconds_and_anything_else_is_ignored(header, seconds):
    request = APIRequestFactory().post("/api/effects/apply", headers={"Prefer": header} if header else {})

    assert wait_preference(request) == seconds


@pytest.mark.django_db(transaction=True)
def test_a_job_still_queued_when_the_wait_ends_is_answered_202_without_preference_applied(user_client, effect):
    started = time.monotonic()
    response = _apply(user_client, {"Prefer": "wait=1"}, effectId=effect.slug, imageUrl=PUBLIC_IMAGE_URL)

    assert 1 <= time.monotonic() - started < 5
    assert response.status_code == 202
    assert response.json()["data"] == {"jobId": response.json()["data"]["jobId"], "status": "PENDING"}
    assert "Preference-Applied" not in response
    assert response["X-Credits-Charged"] == "2"


@override_settings(SYNC_APPLY_MAX_WAITERS=0)
def test_without_waiting_places_a_waiting_apply_is_answered_202_at_once(user_client, effect):
    started = time.monotonic()
    response = _apply(user_client, {"Prefer": "wait=30"}, effectId=effect.slug, imageUrl=PUBLIC_IMAGE_URL)

    assert time.monotonic() - started < 5
    assert response.status_code == 202
    assert "Preference-Applied" not in response


def test_an_ignored_prefer_value_answers_as_without_the_header(user_client, effect):
    response = _apply(user_client, {"Prefer": "wait=600"}, effectId=effect.slug, imageUrl=PUBLIC_IMAGE_URL)

    assert response.status_code == 200
    assert set(response.json()["data"]) == {"jobId", "status"}
