"""The effects API: the catalog (/api/effects), jobs (/api/jobs) and applying an effect (POST /api/effects/apply:
validation, effect lookup, charging, enqueueing, limits)."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from billing.models import CreditTransaction
from billing.services import credits_charge
from effects.catalog import effect_render_preview, effects_set_active
from effects.jobs.refunds import job_goodwill_refund
from effects.jobs.transitions import job_fail
from effects.models import Effect, Job, JobStatus
from tests.support.api import PUBLIC_IMAGE_URL, assert_error, session_token_for
from tests.support.factories import EffectFactory, JobFactory
from tests.support.images import image_bytes, truncated_jpeg

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
    job = Job.objects.get(pk=response.json()["data"]["jobId"])
    published_in_transaction = job.enqueued_at is not None
    for callback in callbacks:
        callback()

    assert response.status_code == 200
    assert not published_in_transaction
    job.refresh_from_db()
    assert job.enqueued_at is not None


def test_apply_with_an_uploaded_image_stores_the_source(user_client, effect):
    upload = SimpleUploadedFile("me.png", image_bytes("PNG", (16, 12), color=(200, 40, 40)), content_type="image/png")

    response = user_client.post("/api/effects/apply", {"effectId": "sepia-dream", "image": upload}, format="multipart")

    job = Job.objects.get(pk=response.json()["data"]["jobId"])
    assert response.status_code == 200
    assert job.source.name.startswith(f"jobs/{job.pk}/source")
    assert job.source.read() == image_bytes("PNG", (16, 12), color=(200, 40, 40))


def test_apply_with_a_corrupt_upload_returns_400_and_charges_nothing(user_client, user, effect):
    upload = SimpleUploadedFile("me.png", b"\x89PNG not really", content_type="image/png")

    response = user_client.post("/api/effects/apply", {"effectId": "sepia-dream", "image": upload}, format="multipart")

    assert_error(response, 400, "INVALID_INPUT")
    user.refresh_from_db()
    assert user.credits == 10


@override_settings(IMAGE_MAX_UPLOAD_BYTES=100)
def test_apply_with_an_oversized_upload_returns_413(user_client, effect):
    upload = SimpleUploadedFile("me.png", image_bytes("PNG", (64, 64), color=(200, 40, 40)), content_type="image/png")

    response = user_client.post("/api/effects/apply", {"effectId": "sepia-dream", "image": upload}, format="multipart")

    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


def test_apply_without_an_image_is_a_validation_error(user_client, effect):
    response = _apply(user_client, effectId="sepia-dream")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "imageUrl" in body["error"]["details"]


def test_a_multipart_apply_without_an_image_reports_the_error_under_image(user_client, effect):
    response = user_client.post("/api/effects/apply", {"effectId": "sepia-dream"}, format="multipart")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert list(body["error"]["details"]) == ["image"]


def test_the_schemas_apply_example_names_an_effect_of_the_demo_catalog():
    import json
    from pathlib import Path

    from drf_spectacular.generators import SchemaGenerator

    import effects

    catalog = json.loads((Path(effects.__file__).parent / "catalogs" / "local.json").read_text())
    slugs = {effect["slug"] for effect in catalog["effects"]}
    schema = SchemaGenerator().get_schema(request=None, public=True)

    examples = schema["paths"]["/api/effects/apply"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    assert {example["value"]["effectId"] for example in examples.values()} <= slugs


def test_apply_with_both_an_url_and_a_file_is_a_validation_error(user_client, effect):
    upload = SimpleUploadedFile("me.png", image_bytes("PNG", (16, 12), color=(200, 40, 40)), content_type="image/png")

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
        image = SimpleUploadedFile(
            "me.png", image_bytes("PNG", (16, 12), color=(200, 40, 40)), content_type="image/png"
        )
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


def test_effect_list_is_public_and_ordered_by_position(anon_client):
    second = EffectFactory(position=2)
    first = EffectFactory(position=1)

    response = anon_client.get("/api/effects")

    body = response.json()
    assert response.status_code == 200
    assert body["success"] is True
    assert [item["id"] for item in body["data"]] == [first.pk, second.pk]
    assert body["meta"] == {"count": 2, "next": None, "previous": None}


def test_effect_list_items_have_the_documented_fields_and_never_the_engine_config(anon_client, settings):
    settings.REPLICATE_API_TOKEN = "r8_token"  # provider effects are listed only with a token
    EffectFactory(model_id="replicate:secret/model", config={"apiKey": "hidden"})

    item = anon_client.get("/api/effects").json()["data"][0]

    assert set(item) == {"id", "name", "slug", "description", "previewUrl", "previewRenditions", "credits", "category"}


def test_effect_offers_signed_renditions_of_its_preview(anon_client):
    effect = EffectFactory(slug="sepia", model_id="local:sepia")
    effect_render_preview(effect=effect)

    item = anon_client.get("/api/effects/sepia").json()["data"]

    copies = Effect.objects.get(pk=effect.pk).preview_renditions
    for name in ("thumbnail", "display"):
        offered = item["previewRenditions"][name]
        assert offered["url"].startswith("http://testserver/") and "sig=" in offered["url"]
        assert copies[name]["name"] in offered["url"]
        assert (offered["width"], offered["height"]) == (copies[name]["width"], copies[name]["height"])


def test_effect_without_a_preview_has_no_renditions(anon_client):
    EffectFactory(slug="bare")

    item = anon_client.get("/api/effects/bare").json()["data"]

    assert item["previewUrl"] == "" and item["previewRenditions"] is None


def test_effect_list_hides_inactive_effects(anon_client):
    EffectFactory(is_active=False)
    active = EffectFactory()

    data = anon_client.get("/api/effects").json()["data"]

    assert [item["id"] for item in data] == [active.pk]


def test_effect_list_filters_by_category(anon_client):
    vintage = EffectFactory(category="Vintage")
    EffectFactory(category="Anime")

    data = anon_client.get("/api/effects?category=vintage").json()["data"]

    assert [item["id"] for item in data] == [vintage.pk]


def test_effect_list_shows_the_category_by_name_and_filters_by_its_slug_too(anon_client):
    effect = EffectFactory(category="Black & White")
    EffectFactory(category="Anime")

    by_slug = anon_client.get("/api/effects?category=black-white").json()["data"]
    by_name = anon_client.get("/api/effects?category=black %26 white").json()["data"]

    assert [item["id"] for item in by_slug] == [item["id"] for item in by_name] == [effect.pk]
    assert by_slug[0]["category"] == "Black & White"


def test_effect_list_shows_a_renamed_category_at_once(anon_client):
    effect = EffectFactory(category="Clasic")
    anon_client.get("/api/effects")  # cached

    effect.category.name = "Classic"
    effect.category.save()

    assert anon_client.get("/api/effects").json()["data"][0]["category"] == "Classic"


def test_effect_list_searches_by_text(anon_client):
    EffectFactory(name="Oil Painting")
    sketch = EffectFactory(name="Pencil Sketch")

    data = anon_client.get("/api/effects?q=sketch").json()["data"]

    assert [item["id"] for item in data] == [sketch.pk]


def test_effect_list_serves_up_to_100_per_page(anon_client):
    EffectFactory.create_batch(105)

    body = anon_client.get("/api/effects?pageSize=100").json()

    assert len(body["data"]) == 100
    assert body["meta"]["count"] == 105
    assert body["meta"]["next"]


def test_effect_list_defaults_to_20_per_page(anon_client):
    EffectFactory.create_batch(21)

    body = anon_client.get("/api/effects").json()

    assert len(body["data"]) == 20


def test_effect_list_query_count_does_not_grow_with_rows(anon_client, django_assert_max_num_queries):
    EffectFactory.create_batch(30)

    with django_assert_max_num_queries(2):
        anon_client.get("/api/effects?pageSize=100")


def test_effect_list_reflects_an_admin_edit_immediately(anon_client):
    effect = EffectFactory(name="Before")
    anon_client.get("/api/effects")
    effect.name = "After"
    effect.save()

    data = anon_client.get("/api/effects").json()["data"]

    assert data[0]["name"] == "After"


def test_effect_list_hides_effects_deactivated_in_bulk_at_once(anon_client):
    keep, hide = EffectFactory(), EffectFactory()
    anon_client.get("/api/effects")

    effects_set_active(effects=Effect.objects.filter(pk=hide.pk), active=False)

    slugs = [e["slug"] for e in anon_client.get("/api/effects").json()["data"]]
    assert slugs == [keep.slug]


def test_a_repeated_catalog_read_is_served_without_database_queries(anon_client, django_assert_num_queries):
    EffectFactory.create_batch(3)
    anon_client.get("/api/effects")

    with django_assert_num_queries(0):
        response = anon_client.get("/api/effects")

    assert len(response.json()["data"]) == 3


def test_effect_detail_by_id(anon_client, effect):
    response = anon_client.get(f"/api/effects/{effect.pk}")

    assert response.status_code == 200
    assert response.json()["data"]["slug"] == "sepia-dream"


def test_effect_detail_by_slug(anon_client, effect):
    response = anon_client.get("/api/effects/sepia-dream")

    assert response.json()["data"]["id"] == effect.pk


def test_inactive_effect_detail_is_404(anon_client):
    effect = EffectFactory(is_active=False)

    response = anon_client.get(f"/api/effects/{effect.slug}")

    assert_error(response, 404, "NOT_FOUND")


def test_unknown_effect_detail_is_404(anon_client):
    response = anon_client.get("/api/effects/99999999999999999999999")

    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize("query", ["q=a%00b", "category=Vintage%00"])
def test_catalog_search_with_a_nul_byte_is_an_empty_page_not_a_500(anon_client, effect, query):
    # Found by tests/fuzz/test_schema_stateful.py: PostgreSQL rejects NUL in text parameters.
    response = anon_client.get(f"/api/effects?{query}")

    assert response.status_code == 200
    assert response.json()["data"] == []


def test_effect_detail_with_a_nul_byte_is_404_not_a_500(anon_client, effect):
    response = anon_client.get("/api/effects/sepia%00dream")

    assert_error(response, 404, "NOT_FOUND")


@pytest.fixture
def job(user, effect):
    job = JobFactory(user=user, effect=effect, credits_charged=2, source_url="https://93.184.215.14/cat.jpg")
    return job


def test_job_list_is_newest_first(user_client, user, effect):
    older = JobFactory(user=user, effect=effect, created_at=timezone.now() - timedelta(hours=1))
    newer = JobFactory(user=user, effect=effect)

    data = user_client.get("/api/jobs").json()["data"]

    assert [item["id"] for item in data] == [str(newer.pk), str(older.pk)]


def test_job_list_shows_only_the_callers_jobs(user_client, job, other_user, effect):
    JobFactory(user=other_user, effect=effect)

    data = user_client.get("/api/jobs").json()["data"]

    assert [item["id"] for item in data] == [str(job.pk)]


def test_job_list_filters_by_status(user_client, user, effect):
    done = JobFactory(user=user, effect=effect, status=JobStatus.COMPLETED)
    JobFactory(user=user, effect=effect, status=JobStatus.PENDING)

    data = user_client.get("/api/jobs?status=COMPLETED").json()["data"]

    assert [item["id"] for item in data] == [str(done.pk)]


def test_job_list_with_an_unknown_status_is_a_validation_error(user_client):
    response = user_client.get("/api/jobs?status=EXPLODED")

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "status" in body["error"]["details"]


def test_job_list_query_count_does_not_grow_with_rows(user_client, user, effect, django_assert_max_num_queries):
    JobFactory.create_batch(25, user=user, effect=effect)

    # Token auth (session exists + load, user), then count and one page query.
    with django_assert_max_num_queries(5):
        response = user_client.get("/api/jobs?pageSize=100")

    assert len(response.json()["data"]) == 25


def test_job_list_requires_authentication(anon_client):
    assert_error(anon_client.get("/api/jobs"), 401, "UNAUTHORIZED")


def test_job_detail_has_the_documented_fields(user_client, job, effect):
    data = user_client.get(f"/api/jobs/{job.pk}").json()["data"]

    assert data == {
        "id": str(job.pk),
        "status": "PENDING",
        "stage": "queued",
        "progress": None,
        "queuePosition": 1,
        "effect": {"id": effect.pk, "slug": effect.slug, "name": effect.name},
        "sourceUrl": "https://93.184.215.14/cat.jpg",
        "resultUrl": None,
        "renditions": None,
        "error": None,
        "creditsCharged": 2,
        "refund": None,
        "createdAt": data["createdAt"],
        "startedAt": None,
        "completedAt": None,
        "expiresAt": None,
        "expired": False,
        "output": None,
    }


def test_job_detail_gives_a_waiting_jobs_place_in_its_own_queue(user_client, user, effect, other_user):
    now = timezone.now()
    JobFactory(user=other_user, effect=effect, queue="default", created_at=now - timedelta(seconds=30))
    JobFactory(user=other_user, effect=effect, queue="default", created_at=now - timedelta(seconds=20))
    JobFactory(user=other_user, effect=effect, queue="priority", created_at=now - timedelta(seconds=25))
    JobFactory(
        user=other_user,
        effect=effect,
        queue="default",
        status=JobStatus.PROCESSING,
        created_at=now - timedelta(seconds=60),
    )
    mine = JobFactory(user=user, effect=effect, queue="default", created_at=now)

    detail = user_client.get(f"/api/jobs/{mine.pk}").json()["data"]
    listed = user_client.get("/api/jobs").json()["data"][0]

    assert detail["queuePosition"] == listed["queuePosition"] == 3
    assert detail["stage"] == "queued"


def test_job_detail_shows_a_running_jobs_stage_and_percentage(user_client, job):
    Job.objects.filter(pk=job.pk).update(status=JobStatus.PROCESSING, stage="processing", progress=42)

    data = user_client.get(f"/api/jobs/{job.pk}").json()["data"]

    assert (data["stage"], data["progress"], data["queuePosition"]) == ("processing", 42, None)


def test_job_detail_result_url_is_signed_and_absolute(user_client, job):
    job.result.save("result.jpg", ContentFile(b"jpeg"), save=True)
    job.status = JobStatus.COMPLETED
    job.save()

    url = user_client.get(f"/api/jobs/{job.pk}").json()["data"]["resultUrl"]

    assert url.startswith(f"http://testserver/media/jobs/{job.pk}/result.jpg?exp=")
    assert "&sig=" in url


def test_job_detail_offers_signed_renditions_of_a_completed_job(user_client, job):
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.COMPLETED,
        renditions={
            "result": {
                n: {"name": f"jobs/{job.pk}/result-{n}.jpg", "width": w, "height": h}
                for n, w, h in [("thumbnail", 320, 240), ("display", 1024, 768)]
            }
        },
    )

    renditions = user_client.get(f"/api/jobs/{job.pk}").json()["data"]["renditions"]

    display = renditions["result"]["display"]
    assert display["url"].startswith(f"http://testserver/media/jobs/{job.pk}/result-display.jpg?exp=")
    assert "&sig=" in display["url"] and (display["width"], display["height"]) == (1024, 768)
    assert renditions["result"]["thumbnail"]["width"] == 320


def test_job_detail_shows_a_failed_jobs_error(user_client, job):
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error_code="ENGINE_ERROR", error_message="Model unavailable"
    )

    data = user_client.get(f"/api/jobs/{job.pk}").json()["data"]

    assert data["error"] == {"code": "ENGINE_ERROR", "message": "Model unavailable"}


def test_another_users_job_is_404_not_403(other_client, job):
    assert_error(other_client.get(f"/api/jobs/{job.pk}"), 404, "NOT_FOUND")


def test_deleting_another_users_job_is_404_and_keeps_it(other_client, job):
    response = other_client.delete(f"/api/jobs/{job.pk}")

    assert_error(response, 404, "NOT_FOUND")
    assert Job.objects.filter(pk=job.pk).exists()


def test_deleting_another_users_saved_effect_is_404_and_keeps_it(other_client, job):
    response = other_client.delete(f"/api/effects/{job.pk}")

    assert_error(response, 404, "NOT_FOUND")
    assert Job.objects.filter(pk=job.pk).exists()


def test_malformed_job_id_is_404(user_client):
    assert_error(user_client.get("/api/jobs/not-a-uuid"), 404, "NOT_FOUND")


def test_job_detail_with_a_token_reads_the_user_then_the_job_and_nothing_else(
    user_client, job, django_assert_num_queries
):
    user_client.get(f"/api/jobs/{job.pk}")  # the token's session is in the cache from now on

    with django_assert_num_queries(2) as captured:
        response = user_client.get(f"/api/jobs/{job.pk}")

    assert response.status_code == 200
    assert response.json()["data"]["id"] == str(job.pk)
    user_sql, job_sql = (query["sql"] for query in captured.captured_queries)
    assert "accounts_user" in user_sql and "effects_job" not in user_sql
    assert "effects_job" in job_sql


def test_job_detail_refuses_a_deactivated_users_token_on_the_next_request(user_client, user, job):
    assert user_client.get(f"/api/jobs/{job.pk}").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = user_client.get(f"/api/jobs/{job.pk}")

    assert_error(response, 401, "INVALID_TOKEN")


def test_job_detail_never_shows_a_refused_tokens_job_to_the_session_cookies_user(user, job, other_user):
    token = session_token_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    client = APIClient()
    client.force_login(other_user)

    response = client.get(f"/api/jobs/{job.pk}", HTTP_X_SESSION_TOKEN=token)

    assert_error(response, 404, "NOT_FOUND")


def test_job_detail_refuses_a_token_issued_before_a_password_change(user_client, user, job):
    user.set_password("another-long-and-unusual-passphrase-43")
    user.save(update_fields=["password"])

    response = user_client.get(f"/api/jobs/{job.pk}")

    assert_error(response, 401, "INVALID_TOKEN")


def test_job_detail_refuses_a_token_after_logout(user, job):
    token = session_token_for(user)
    APIClient().delete("/_allauth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)

    response = APIClient().get(f"/api/jobs/{job.pk}", HTTP_X_SESSION_TOKEN=token)

    assert_error(response, 401, "INVALID_TOKEN")


def test_job_detail_accepts_a_token_whose_hash_was_made_with_a_fallback_secret(user, job, settings):
    old_secret = "an-old-secret-key-rotated-out-0123456789-abcdefghijklmnopqrstuvwxyz"
    settings.SECRET_KEY, real_secret = old_secret, settings.SECRET_KEY
    token = session_token_for(user)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = real_secret, [old_secret]

    response = APIClient().get(f"/api/jobs/{job.pk}", HTTP_X_SESSION_TOKEN=token)

    assert response.status_code == 200


def test_job_detail_refuses_a_token_whose_hash_matches_no_secret(user, job, settings):
    settings.SECRET_KEY, real_secret = (
        "a-secret-nobody-keeps-0123456789-abcdefghijklmnopqrstuvwxyz",
        settings.SECRET_KEY,
    )
    token = session_token_for(user)
    settings.SECRET_KEY = real_secret

    response = APIClient().get(f"/api/jobs/{job.pk}", HTTP_X_SESSION_TOKEN=token)

    assert_error(response, 401, "INVALID_TOKEN")


def test_unknown_job_id_is_404(user_client):
    assert_error(user_client.get(f"/api/jobs/{uuid.uuid4()}"), 404, "NOT_FOUND")


def test_delete_job_removes_the_row_and_its_files(user_client, job, django_capture_on_commit_callbacks):
    job.result.save("result.jpg", ContentFile(b"jpeg"), save=True)
    name = job.result.name

    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.delete(f"/api/jobs/{job.pk}")

    assert response.status_code == 200
    assert response.json()["data"] == {"id": str(job.pk), "deleted": True}
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not default_storage.exists(name)


def test_deleting_an_applied_job_leaves_no_folder_for_it(
    user_client, effect, media_storage, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("me.png", image_bytes("PNG", (16, 12)), content_type="image/png")
    job_id = user_client.post(
        "/api/effects/apply", {"effectId": effect.slug, "image": upload}, format="multipart"
    ).json()["data"]["jobId"]
    job = Job.objects.get(pk=job_id)
    job.result.save("result.jpg", ContentFile(b"jpeg"), save=True)
    assert (media_storage / "jobs" / job_id).is_dir()

    with django_capture_on_commit_callbacks(execute=True):
        response = user_client.delete(f"/api/jobs/{job_id}")

    assert response.status_code == 200
    assert not (media_storage / "jobs" / job_id).exists()


def test_deleting_a_saved_effect_deletes_the_callers_job(user_client, job):
    response = user_client.delete(f"/api/effects/{job.pk}")

    assert response.status_code == 200
    assert not Job.objects.filter(pk=job.pk).exists()


def test_deleting_a_saved_effect_requires_authentication(anon_client, job):
    assert_error(anon_client.delete(f"/api/effects/{job.pk}"), 401, "UNAUTHORIZED")


def test_provider_effects_are_hidden_and_not_appliable_without_a_replicate_token(settings, user_client, anon_client):
    settings.REPLICATE_API_TOKEN = ""
    EffectFactory(slug="ghibli", model_id="replicate:black-forest-labs/flux-kontext-pro")
    EffectFactory(slug="sepia-local", model_id="local:sepia")

    listed = {e["slug"] for e in anon_client.get("/api/effects").json()["data"]}
    detail = anon_client.get("/api/effects/ghibli")

    assert "ghibli" not in listed and "sepia-local" in listed
    assert detail.status_code == 404
    settings.REPLICATE_API_TOKEN = "r8_token"
    assert anon_client.get("/api/effects/ghibli").status_code == 200


def test_apply_upload_with_too_few_credits_returns_402_before_the_image_is_read(user_client, user):
    EffectFactory(slug="pricey", credits=11)
    upload = SimpleUploadedFile("me.jpg", truncated_jpeg(), content_type="image/jpeg")

    response = user_client.post("/api/effects/apply", {"effectId": "pricey", "image": upload}, format="multipart")

    # The same upload with enough credits is refused as corrupt (next test): the balance came first.
    assert_error(response, 402, "INSUFFICIENT_CREDITS")
    assert not Job.objects.exists()


def test_apply_with_a_truncated_jpeg_returns_400_and_charges_nothing(user_client, user, effect):
    upload = SimpleUploadedFile("me.jpg", truncated_jpeg(), content_type="image/jpeg")

    response = user_client.post("/api/effects/apply", {"effectId": "sepia-dream", "image": upload}, format="multipart")

    assert_error(response, 400, "INVALID_INPUT")
    user.refresh_from_db()
    assert user.credits == 10


def test_job_refunded_as_goodwill_stays_completed_and_says_so(user_client, user, effect, staff_user):
    job = JobFactory(user=user, effect=effect, status=JobStatus.COMPLETED, credits_charged=2)
    credits_charge(user=user, amount=2, reference=f"charge:{job.pk}", job=job)
    job_goodwill_refund(job=job, actor=staff_user, note="slow day")

    detail = user_client.get(f"/api/jobs/{job.pk}").json()["data"]
    listed = user_client.get("/api/jobs").json()["data"][0]

    assert detail["status"] == "COMPLETED" and detail["error"] is None
    expected = {"credits": 2, "reason": "GOODWILL", "message": "2 credits refunded as a goodwill gesture"}
    assert detail["refund"] == expected
    assert listed["refund"] == expected


def test_failed_job_tells_its_refund(user_client, user, effect):
    job = JobFactory(user=user, effect=effect, status=JobStatus.PENDING, credits_charged=1)
    credits_charge(user=user, amount=1, reference=f"charge:{job.pk}", job=job)
    job_fail(job=job, message="broken")

    detail = user_client.get(f"/api/jobs/{job.pk}").json()["data"]

    assert detail["refund"] == {"credits": 1, "reason": "FAILURE", "message": "Your 1 credit was refunded"}
