"""Waiting for a job's end: woken by the Redis notice its terminal transition publishes after commit,
a read of the status when there is no Redis, and a cap on the waiting places of a process."""

import threading
import time

import pytest
import redis
from django.db import connection, transaction

from effects.jobs.transitions import job_mark_failed
from effects.jobs.waiters import RECHECK_SECONDS, job_channel, job_wait_finished, waiter_slot, waiters_in_use
from effects.models import JobErrorCode, JobStatus
from tests.support.factories import JobFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_in_thread(job_id, timeout: float) -> dict:
    outcome: dict = {}

    def wait():
        started = time.monotonic()
        try:
            outcome["finished"] = job_wait_finished(job_id=job_id, timeout=timeout)
        finally:
            outcome["seconds"] = time.monotonic() - started
            connection.close()

    thread = threading.Thread(target=wait)
    thread.start()
    outcome["thread"] = thread
    return outcome


def _subscribers(job_id, settings) -> int:
    client = redis.Redis.from_url(settings.REDIS_URL)
    return dict(client.pubsub_numsub(job_channel(job_id))).get(job_channel(job_id).encode(), 0)


def _fail(job) -> None:
    job_mark_failed(job=job, code=JobErrorCode.ENGINE_ERROR, message="broken")


def test_a_waiter_is_woken_by_the_jobs_end_well_before_its_safety_recheck(settings):
    job = JobFactory(credits_charged=0, status=JobStatus.PROCESSING)
    outcome = _wait_in_thread(job.pk, timeout=30)
    deadline = time.monotonic() + 10
    while _subscribers(job.pk, settings) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    subscribed_at = time.monotonic()

    _fail(job)
    outcome["thread"].join(timeout=30)

    assert outcome["finished"] is True
    assert time.monotonic() - subscribed_at < RECHECK_SECONDS / 2


def test_a_job_that_already_finished_returns_at_once():
    job = JobFactory(credits_charged=0, status=JobStatus.COMPLETED)

    started = time.monotonic()
    assert job_wait_finished(job_id=job.pk, timeout=30) is True
    assert time.monotonic() - started < 2


def test_a_job_that_does_not_finish_in_time_returns_false_after_the_timeout():
    job = JobFactory(credits_charged=0)

    started = time.monotonic()
    assert job_wait_finished(job_id=job.pk, timeout=1) is False
    assert 1 <= time.monotonic() - started < 3


def test_the_notice_is_published_only_once_the_transition_commits(settings):
    job = JobFactory(credits_charged=0, status=JobStatus.PROCESSING)
    pubsub = redis.Redis.from_url(settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(job_channel(job.pk))
    pubsub.get_message(timeout=1)  # the subscription's confirmation

    with transaction.atomic():
        _fail(job)
        assert pubsub.get_message(timeout=0.3) is None
    message = pubsub.get_message(timeout=2)

    assert message is not None and message["type"] == "message"
    pubsub.close()


def test_without_redis_a_waiter_reads_the_status_until_the_job_ends(settings):
    settings.REDIS_URL = ""
    job = JobFactory(credits_charged=0, status=JobStatus.PROCESSING)
    outcome = _wait_in_thread(job.pk, timeout=20)
    time.sleep(0.3)  # the waiter is polling now; the job ends while it does

    _fail(job)
    outcome["thread"].join(timeout=30)

    assert outcome["finished"] is True
    assert outcome["seconds"] < 5


def test_a_process_has_only_its_configured_waiting_places(settings):
    settings.SYNC_APPLY_MAX_WAITERS = 2

    with waiter_slot() as first, waiter_slot() as second, waiter_slot() as third:
        assert (first, second, third) == (True, True, False)
        assert waiters_in_use() == 2
    with waiter_slot() as again:
        assert again is True
    assert waiters_in_use() == 0
