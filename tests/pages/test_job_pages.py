"""Job page and history: only the owner sees a job; delete is POST + CSRF."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from billing.services import credits_refund
from effects.models import Job, JobStatus
from tests.factories import JobFactory
from tests.pages.conftest import make_jpeg

pytestmark = pytest.mark.django_db


def _completed_job(user):
    job = JobFactory(user=user, status=JobStatus.COMPLETED)
    job.source.save("source.jpg", ContentFile(make_jpeg()), save=False)
    job.result.save("result.jpg", ContentFile(make_jpeg(color=(10, 10, 10))), save=True)
    return job


def test_job_page_of_a_pending_job_polls_the_job_endpoint(client, user):
    job = JobFactory(user=user)
    client.force_login(user)

    response = client.get(reverse("job_detail", args=[job.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-job-poll-url="/api/jobs/{job.pk}"' in html
    assert 'http-equiv="refresh"' in html


def test_job_page_of_a_completed_job_shows_before_after_and_download(client, user, media_storage):
    job = _completed_job(user)
    client.force_login(user)

    response = client.get(reverse("job_detail", args=[job.pk]))

    html = response.content.decode()
    assert "Before" in html and "After" in html
    assert f'download="photomania-{job.effect.slug}.jpg"' in html
    assert "data-job-poll-url" not in html


def test_job_page_of_a_failed_job_shows_the_reason_and_the_refund(client, user):
    job = JobFactory(user=user, status=JobStatus.FAILED, error_message="The image could not be decoded")
    credits_refund(user=user, amount=1, reference=f"refund:{job.pk}", job=job)
    client.force_login(user)

    response = client.get(reverse("job_detail", args=[job.pk]))

    html = response.content.decode()
    assert "The image could not be decoded" in html
    assert "Your 1 credit was refunded." in html


def test_job_page_of_another_users_job_is_404(client, user, other_user):
    job = JobFactory(user=other_user)
    client.force_login(user)

    response = client.get(reverse("job_detail", args=[job.pk]))

    assert response.status_code == 404


def test_job_page_sends_visitors_to_log_in(client):
    job = JobFactory()

    response = client.get(reverse("job_detail", args=[job.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_history_lists_only_the_users_own_jobs(client, user, other_user):
    JobFactory(user=user, effect__name="Mine")
    JobFactory(user=other_user, effect__name="Theirs")
    client.force_login(user)

    response = client.get(reverse("job_history"))

    html = response.content.decode()
    assert "Mine" in html and "Theirs" not in html


def test_history_filters_by_status(client, user):
    JobFactory(user=user, effect__name="Finished one", status=JobStatus.COMPLETED)
    JobFactory(user=user, effect__name="Broken one", status=JobStatus.FAILED)
    client.force_login(user)

    response = client.get(reverse("job_history"), {"status": "FAILED"})

    html = response.content.decode()
    assert "Broken one" in html and "Finished one" not in html


def test_history_ignores_an_unknown_status_filter(client, user):
    JobFactory(user=user, effect__name="Finished one", status=JobStatus.COMPLETED)
    client.force_login(user)

    response = client.get(reverse("job_history"), {"status": "BOGUS"})

    assert "Finished one" in response.content.decode()


def test_history_is_paginated(client, user):
    for _ in range(13):
        JobFactory(user=user)
    client.force_login(user)

    first = client.get(reverse("job_history"))
    second = client.get(reverse("job_history"), {"page": 2})

    assert len(first.context["items"]) == 12
    assert len(second.context["items"]) == 1
    assert "Page 1 of 2" in first.content.decode()


def test_history_thumbnails_use_signed_media_urls(client, user, media_storage):
    _completed_job(user)
    client.force_login(user)

    response = client.get(reverse("job_history"))

    assert "/media/jobs/" in response.content.decode() and "sig=" in response.content.decode()


def test_history_query_count_does_not_grow_with_jobs(client, user, django_assert_max_num_queries):
    for _ in range(12):
        JobFactory(user=user)
    client.force_login(user)

    with django_assert_max_num_queries(8):
        client.get(reverse("job_history"))


def test_deleting_a_job_removes_it_and_its_files(client, user, media_storage, django_capture_on_commit_callbacks):
    job = _completed_job(user)
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("job_delete", args=[job.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("job_history")
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not (media_storage / job.result.name).exists()


def test_deleting_another_users_job_is_404_and_keeps_it(client, user, other_user):
    job = JobFactory(user=other_user)
    client.force_login(user)

    response = client.post(reverse("job_delete", args=[job.pk]))

    assert response.status_code == 404
    assert Job.objects.filter(pk=job.pk).exists()


def test_deleting_with_get_is_not_allowed(client, user):
    job = JobFactory(user=user)
    client.force_login(user)

    response = client.get(reverse("job_delete", args=[job.pk]))

    assert response.status_code == 405
    assert Job.objects.filter(pk=job.pk).exists()


def test_deleting_without_a_csrf_token_is_forbidden(user):
    job = JobFactory(user=user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(reverse("job_delete", args=[job.pk]))

    assert response.status_code == 403
    assert Job.objects.filter(pk=job.pk).exists()
