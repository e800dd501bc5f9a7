"""The sweeper: jobs stuck past their time limit are retried or failed and refunded."""

import pytest

from billing.models import CreditTransaction
from effects.jobs.sweep import jobs_sweep
from effects.models import JobStatus
from tests.support.factories import JobFactory

pytestmark = pytest.mark.django_db


def refunds(job) -> int:
    return CreditTransaction.objects.filter(reference=f"refund:{job.pk}").count()


def test_sweeper_fails_and_refunds_a_job_stuck_processing_after_its_last_attempt(settings):
    from django.utils import timezone

    settings.JOB_MAX_RETRIES = 0
    job = JobFactory(
        status=JobStatus.PROCESSING,
        attempts=1,
        credits_charged=1,
        started_at=timezone.now() - timezone.timedelta(hours=1),
    )

    counts = jobs_sweep()

    job.refresh_from_db()
    assert counts["failed"] == 1
    assert (job.status, job.error_code) == (JobStatus.FAILED, "TIMEOUT")
    assert refunds(job) == 1


def _published_a_while_ago(settings):
    from datetime import timedelta

    from django.utils import timezone

    return JobFactory(
        status=JobStatus.PENDING,
        enqueued_at=timezone.now() - timedelta(seconds=settings.JOB_MESSAGE_LOST_AFTER + 5),
    )


def test_sweeper_republishes_a_due_pending_job_whose_message_redis_lost(settings, empty_broker):
    job = _published_a_while_ago(settings)  # published, then Redis lost its data: no message anywhere

    counts = jobs_sweep()

    assert counts["requeued"] == 1
    assert empty_broker.llen(job.queue) == 1


def test_sweeper_leaves_a_due_pending_job_whose_message_still_waits_in_the_queue(settings, empty_broker):
    from effects.jobs.dispatch import job_publish

    job = _published_a_while_ago(settings)
    job_publish(job=job)  # its message waits behind a backlog

    counts = jobs_sweep()

    assert counts["requeued"] == 0
    assert empty_broker.llen(job.queue) == 1


def test_sweeper_records_when_it_last_ran():
    from effects.jobs.sweep import jobs_last_sweep_at

    jobs_sweep()

    assert jobs_last_sweep_at() is not None
