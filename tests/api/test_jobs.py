"""/api/jobs and DELETE /api/effects/{id}: the caller's jobs only (BOLA → 404)."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from effects.models import Job, JobStatus
from tests.api.test_envelope import assert_error
from tests.factories import JobFactory

pytestmark = pytest.mark.django_db


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
        "effect": {"id": effect.pk, "slug": effect.slug, "name": effect.name},
        "sourceUrl": "https://93.184.215.14/cat.jpg",
        "resultUrl": None,
        "error": None,
        "creditsCharged": 2,
        "createdAt": data["createdAt"],
        "startedAt": None,
        "completedAt": None,
    }


def test_job_detail_result_url_is_signed_and_absolute(user_client, job):
    job.result.save("result.jpg", ContentFile(b"jpeg"), save=True)
    job.status = JobStatus.COMPLETED
    job.save()

    url = user_client.get(f"/api/jobs/{job.pk}").json()["data"]["resultUrl"]

    assert url.startswith(f"http://testserver/media/jobs/{job.pk}/result.jpg?exp=")
    assert "&sig=" in url


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


def test_seed_delete_of_a_saved_effect_deletes_the_callers_job(user_client, job):
    response = user_client.delete(f"/api/effects/{job.pk}")

    assert response.status_code == 200
    assert not Job.objects.filter(pk=job.pk).exists()


def test_seed_delete_of_a_saved_effect_requires_authentication(anon_client, job):
    assert_error(anon_client.delete(f"/api/effects/{job.pk}"), 401, "UNAUTHORIZED")
