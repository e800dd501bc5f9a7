"""The sweeper: jobs stuck past their time limit are retried or failed and refunded."""

import pytest

from billing.models import CreditTransaction
from effects.models import JobStatus
from effects.services import (
    jobs_sweep,
)
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
