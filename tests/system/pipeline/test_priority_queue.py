"""Paid plans' jobs go to the priority queue, and a worker drains it before the default queue."""

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connections

from accounts.models import Plan
from celery_app import app
from effects.ingestion import image_validate_bytes
from effects.models import Job
from effects.services import job_create
from tests.support.concurrency import broker_purge, wait_for
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def empty_broker():
    broker_purge()
    yield redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker_purge()


def _apply(user, effect) -> Job:
    return job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes()))


def test_a_paid_plans_job_is_published_on_the_priority_queue(empty_broker):
    effect = EffectFactory(model_id="local:grayscale")

    free_job = _apply(UserFactory(), effect)
    pro_job = _apply(UserFactory(plan=Plan.PRO), effect)

    assert (free_job.queue, pro_job.queue) == ("default", "priority")
    assert (empty_broker.llen("default"), empty_broker.llen("priority")) == (1, 1)


def test_a_worker_runs_waiting_priority_jobs_before_default_ones(empty_broker):
    effect = EffectFactory(model_id="local:grayscale")
    free_jobs = [_apply(UserFactory(), effect) for _ in range(3)]
    pro_job = _apply(UserFactory(plan=Plan.ENTERPRISE), effect)
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
