"""Dispatch: a job is published on the queue its owner's plan earns (paid plans: priority)."""

import pytest

from billing.models import PlanCode
from effects.ingestion import image_validate_bytes
from effects.jobs.create import job_create
from effects.models import Job
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def _apply(user, effect) -> Job:
    return job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes()))


def test_a_paid_plans_job_is_published_on_the_priority_queue(empty_broker):
    effect = EffectFactory(model_id="local:grayscale")

    free_job = _apply(UserFactory(), effect)
    pro_job = _apply(UserFactory(plan=PlanCode.PRO), effect)

    assert (free_job.queue, pro_job.queue) == ("default", "priority")
    assert (empty_broker.llen("default"), empty_broker.llen("priority")) == (1, 1)
