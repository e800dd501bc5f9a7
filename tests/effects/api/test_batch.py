"""POST /api/effects/apply/batch: every item checked before anything is charged, all or nothing."""

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.settings import api_settings

from billing.models import CreditTransaction
from effects.api.batch import BatchApplyView
from effects.models import Job
from tests.support.api import PUBLIC_IMAGE_URL, assert_error
from tests.support.factories import EffectFactory
from tests.support.images import image_bytes, truncated_jpeg

URL = "/api/effects/apply/batch"


def _urls(count: int) -> list[dict]:
    return [{"imageUrl": f"https://93.184.215.14/photos/{i}.jpg"} for i in range(count)]


def _batch(client, headers=None, **body):
    return client.post(URL, body, format="json", headers=headers or {})


def _upload(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else image_bytes("PNG"), content_type="image/png")


def _charges():
    return CreditTransaction.objects.filter(kind=CreditTransaction.Kind.EFFECT_CHARGE)


def test_a_batch_of_urls_queues_one_job_per_item_in_order_each_charged_once(user_client, user, effect):
    response = _batch(user_client, effectId=effect.slug, items=_urls(3))

    assert response.status_code == 202, response.content
    jobs = response.json()["data"]["jobs"]
    assert [job["status"] for job in jobs] == ["PENDING"] * 3
    stored = {str(job.pk): job.source_url for job in Job.objects.all()}
    assert [stored[job["jobId"]] for job in jobs] == [item["imageUrl"] for item in _urls(3)]
    assert sorted(str(c.job_id) for c in _charges()) == sorted(job["jobId"] for job in jobs)
    assert (response["X-Credits-Charged"], response["X-Credits-Remaining"]) == ("6", "4")
    user.refresh_from_db()
    assert user.credits == 4


def test_a_multipart_batch_stores_each_uploaded_photo_for_its_own_job(user_client, effect):
    photos = [image_bytes("PNG", (40, 30), color=(i * 60, 0, 0)) for i in range(3)]

    response = user_client.post(
        URL, {"effectId": effect.slug, "image": [_upload(f"{i}.png", data) for i, data in enumerate(photos)]}
    )

    assert response.status_code == 202, response.content
    for job_ref, data in zip(response.json()["data"]["jobs"], photos, strict=True):
        job = Job.objects.get(pk=job_ref["jobId"])
        with job.source.open("rb") as handle:
            assert handle.read() == data


def test_a_bad_url_is_reported_by_its_index_and_nothing_is_charged(user_client, user, effect):
    items = _urls(3)
    items[1] = {"imageUrl": "http://127.0.0.1/private.jpg"}

    response = _batch(user_client, effectId=effect.slug, items=items)

    details = assert_error(response, 400, "VALIDATION_ERROR")["error"]["details"]
    assert list(details) == ["items.1.imageUrl"]
    assert not Job.objects.exists() and not _charges().exists()


def test_bad_uploads_are_each_reported_by_index_and_nothing_is_stored(user_client, user, effect, media_storage):
    uploads = [_upload("0.png"), _upload("1.jpg", truncated_jpeg()), _upload("2.png"), _upload("3.txt", b"hello")]

    response = user_client.post(URL, {"effectId": effect.slug, "image": uploads})

    details = assert_error(response, 400, "VALIDATION_ERROR")["error"]["details"]
    assert sorted(details) == ["image.1", "image.3"]
    assert not Job.objects.exists() and not _charges().exists()
    assert not [path for path in media_storage.rglob("*") if path.is_file()]


def test_more_than_twenty_items_are_refused(user_client, effect):
    response = _batch(user_client, effectId=effect.slug, items=_urls(21))

    assert "items" in assert_error(response, 400, "VALIDATION_ERROR")["error"]["details"]


def test_a_batch_the_balance_cannot_pay_in_full_is_402_with_its_total_and_creates_nothing(user_client, user, effect):
    response = _batch(user_client, effectId=effect.slug, items=_urls(6))  # 6 x 2 credits > 10

    body = assert_error(response, 402, "INSUFFICIENT_CREDITS")
    assert body["error"]["details"] == {"needed": 12, "available": 10}
    assert not Job.objects.exists() and not _charges().exists()


def test_a_replayed_batch_returns_the_same_jobs_and_charges_nothing_more(user_client, user, effect):
    key = {"Idempotency-Key": "batch-1"}
    first = _batch(user_client, key, effectId=effect.slug, items=_urls(2))

    again = _batch(user_client, key, effectId=effect.slug, items=_urls(2))

    assert again.status_code == 202
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert (again["X-Credits-Charged"], again["X-Credits-Remaining"]) == ("0", "6")
    assert Job.objects.count() == 2 and _charges().count() == 2


def test_the_same_key_with_other_items_is_an_idempotency_conflict(user_client, effect):
    key = {"Idempotency-Key": "batch-2"}
    _batch(user_client, key, effectId=effect.slug, items=_urls(2))

    response = _batch(user_client, key, effectId=effect.slug, items=_urls(3))

    assert_error(response, 422, "IDEMPOTENCY_CONFLICT")
    assert Job.objects.count() == 2


def test_each_item_counts_as_one_apply_in_the_apply_rate_limit(user_client, effect, settings):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "apply": "4/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    assert _batch(user_client, effectId=effect.slug, items=_urls(3)).status_code == 202
    assert (
        user_client.post(
            URL.rsplit("/", 1)[0], {"effectId": effect.slug, "imageUrl": PUBLIC_IMAGE_URL}, format="json"
        ).status_code
        == 200
    )
    response = _batch(user_client, effectId=effect.slug, items=_urls(1))

    assert_error(response, 429, "RATE_LIMITED")
    assert Job.objects.count() == 4


def test_a_batch_larger_than_the_apply_rate_limit_is_refused_whole(user_client, effect, settings):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "apply": "4/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    assert_error(_batch(user_client, effectId=effect.slug, items=_urls(5)), 429, "RATE_LIMITED")
    assert not Job.objects.exists()


def test_each_file_counts_as_one_upload_in_the_upload_rate_limit(user_client, effect, settings):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "upload": "2/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    response = user_client.post(URL, {"effectId": effect.slug, "image": [_upload(f"{i}.png") for i in range(3)]})

    assert_error(response, 429, "RATE_LIMITED")
    assert not Job.objects.exists()


def test_output_options_apply_to_every_job_of_the_batch(user_client, effect):
    response = _batch(user_client, effectId=effect.slug, items=_urls(2), outputFormat="png", maxSide=300)

    assert response.status_code == 202
    assert set(Job.objects.values_list("output_format", "output_max_side")) == {("png", 300)}


def test_a_cut_out_batch_as_jpeg_is_refused_before_anything_is_charged(user_client):
    EffectFactory(slug="cut-out", model_id="local:remove-background")

    response = _batch(user_client, effectId="cut-out", items=_urls(2), outputFormat="jpeg")

    assert "outputFormat" in assert_error(response, 400, "VALIDATION_ERROR")["error"]["details"]
    assert not _charges().exists()


def test_the_batch_view_declares_the_apply_api_key_scope():
    assert BatchApplyView.api_key_scope == "apply"
