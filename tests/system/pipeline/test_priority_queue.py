"""A real worker drains waiting paid-plan jobs from the priority queue before the default queue."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections

from billing.models import PlanCode
from celery_app import app
from effects.ingestion import image_validate_bytes
from effects.jobs.create import job_create
from effects.models import Job
from tests.support.concurrency import wait_for
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def _apply(user, effect) -> Job:
    return job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes()))


def test_a_worker_runs_waiting_priority_jobs_before_default_ones(empty_broker):
    effect = EffectFactory(model_id="local:grayscale")
    free_jobs = [_apply(UserFactory(), effect) for _ in range(3)]
    pro_job = _apply(UserFactory(plan=PlanCode.ENTERPRISE), effect)
    ids = [job.pk for job in [*free_jobs, pro_job]]

    with start_worker(app, pool="solo", perform_ping_check=False, queues=["priority", "default"]):
        wait_for(
            lambda: Job.objects.filter(pk__in=ids, completed_at__isnull=False).count() == 4,
            timeout=60,
            message="all four jobs to finish",
        )
    connections.close_all()

    order = list(Job.objects.filter(pk__in=ids).order_by("started_at").values_list("pk", flat=True))
    assert order[0] == pro_job.pk
