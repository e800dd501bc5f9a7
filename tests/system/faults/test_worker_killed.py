"""A worker SIGKILLed in the middle of a job: the job still ends COMPLETED, charged exactly once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from billing.models import CreditTransaction
from effects.ingestion import image_validate_bytes
from effects.jobs.create import job_create
from effects.jobs.sweep import jobs_sweep
from effects.models import Job, JobStatus
from tests.support.concurrency import wait_for
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def status_of(job_id) -> str:
    return Job.objects.values_list("status", flat=True).get(pk=job_id)


def test_a_job_whose_worker_is_sigkilled_mid_job_completes_after_the_sweeper_charged_once(start_worker):
    user = UserFactory()
    # stylization on a 1600x1200 photo runs for seconds: a wide window to kill the worker in.
    effect = EffectFactory(model_id="local:watercolor", credits=2)
    worker = start_worker("doomed")

    job = job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes("JPEG", (1600, 1200))))
    wait_for(lambda: status_of(job.pk) == JobStatus.PROCESSING, timeout=30, message="the job to start")
    worker.kill()
    start_worker("rescuer")
    # The sweeper runs every JOB_SWEEP_INTERVAL; here it runs once as if past the job's time limit.
    later = timezone.now() + timedelta(seconds=settings.JOB_TIME_LIMIT + settings.JOB_ENQUEUE_GRACE + 1)
    counts = jobs_sweep(now=later)
    wait_for(lambda: status_of(job.pk) in (JobStatus.COMPLETED, JobStatus.FAILED), timeout=60, message="job to end")

    job.refresh_from_db()
    user.refresh_from_db()
    assert counts["restarted"] == 1
    assert job.status == JobStatus.COMPLETED
    assert job.result
    assert (
        CreditTransaction.objects.filter(reference__endswith=str(job.pk)).values_list("reference", flat=True).count()
        == 1
    )
    assert user.credits == CreditTransaction.objects.filter(user=user).aggregate(s=Sum("amount"))["s"] == 10 - 2
