"""Reads of a user's jobs: one job, or a page of them, each in one query with its effect, its place
in the queue and its refund; never another user's job."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.services import credits_charge
from effects.jobs.transitions import job_fail
from effects.models import JobStatus
from effects.selectors.jobs import job_get_for_user, job_list_for_user
from tests.support.factories import EffectFactory, JobFactory

pytestmark = pytest.mark.django_db


def test_a_job_is_read_in_one_query_with_its_effect_queue_place_and_refund(user, effect, django_assert_num_queries):
    JobFactory(user=user, effect=effect, created_at=timezone.now() - timedelta(seconds=5))
    job = JobFactory(user=user, effect=effect, credits_charged=1)
    credits_charge(user=user, amount=1, reference=f"charge:{job.pk}", job=job)

    with django_assert_num_queries(1):
        read = job_get_for_user(user=user, job_id=str(job.pk))
        seen = (read.effect.slug, read.queue_ahead, read.refund_credits, read.refund_kind)

    assert read.pk == job.pk
    assert seen == (effect.slug, 1, None, None)


def test_a_failed_jobs_read_carries_its_refund_and_no_queue_place(user, effect):
    job = JobFactory(user=user, effect=effect, credits_charged=1)
    credits_charge(user=user, amount=1, reference=f"charge:{job.pk}", job=job)
    job_fail(job=job, message="broken")

    read = job_get_for_user(user=user, job_id=job.pk)

    assert read.status == JobStatus.FAILED
    assert (read.refund_credits, read.refund_kind, read.queue_ahead) == (1, "REFUND", None)


def test_another_users_job_is_not_read(user, other_user, effect):
    job = JobFactory(user=other_user, effect=effect)

    assert job_get_for_user(user=user, job_id=job.pk) is None


@pytest.mark.parametrize("job_id", ["not-a-uuid", "", None, "\x00"])
def test_a_malformed_job_id_reads_nothing(user, job_id, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert job_get_for_user(user=user, job_id=job_id) is None


def test_an_unknown_job_id_reads_nothing(user):
    assert job_get_for_user(user=user, job_id=uuid.uuid4()) is None


def test_the_list_is_the_users_jobs_newest_first_filtered_by_status(user, other_user, effect):
    older = JobFactory(user=user, effect=effect, created_at=timezone.now() - timedelta(minutes=2))
    newer = JobFactory(user=user, effect=effect, created_at=timezone.now() - timedelta(minutes=1))
    failed = JobFactory(user=user, effect=EffectFactory(), status=JobStatus.FAILED)
    JobFactory(user=other_user, effect=effect)

    assert list(job_list_for_user(user=user)) == [failed, newer, older]
    assert list(job_list_for_user(user=user, status=JobStatus.PENDING)) == [newer, older]


def test_a_page_of_jobs_is_one_query_with_their_annotations(user, effect, django_assert_num_queries):
    JobFactory.create_batch(5, user=user, effect=effect)

    with django_assert_num_queries(1):
        jobs = list(job_list_for_user(user=user))
        places = sorted(job.queue_ahead for job in jobs)
        names = {job.effect.name for job in jobs}

    assert places == [0, 1, 2, 3, 4]
    assert names == {effect.name}
