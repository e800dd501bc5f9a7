"""Staff dashboard reads of jobs: per status over time, failures and their codes, median processing time."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from effects.models import JobErrorCode, JobStatus
from effects.selectors.dashboard import job_counts_over_time, job_failure_summary, job_processing_time_by_effect
from tests.support.factories import EffectFactory, JobFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(minute=30, second=0, microsecond=0)


def finished(effect, *, seconds: float, status=JobStatus.COMPLETED, hours_ago: float = 1, **kwargs):
    done = NOW - timedelta(hours=hours_ago)
    return JobFactory(
        effect=effect,
        status=status,
        created_at=done - timedelta(seconds=seconds + 5),
        started_at=done - timedelta(seconds=seconds),
        completed_at=done,
        **kwargs,
    )


def test_job_counts_are_per_hour_and_status_with_empty_hours_as_zero():
    effect = EffectFactory()
    JobFactory(effect=effect, status=JobStatus.COMPLETED, created_at=NOW - timedelta(hours=2))
    JobFactory(effect=effect, status=JobStatus.FAILED, created_at=NOW - timedelta(hours=2))
    JobFactory(effect=effect, status=JobStatus.COMPLETED, created_at=NOW)

    result = job_counts_over_time(since=NOW - timedelta(hours=3), until=NOW, bucket="hour")

    assert len(result["buckets"]) == 4
    assert result["counts"]["COMPLETED"] == [0, 1, 0, 1]
    assert result["counts"]["FAILED"] == [0, 1, 0, 0]
    assert result["counts"]["PENDING"] == [0, 0, 0, 0]


def test_job_counts_leave_out_jobs_before_the_period():
    JobFactory(status=JobStatus.COMPLETED, created_at=NOW - timedelta(days=8))

    result = job_counts_over_time(since=NOW - timedelta(days=7), until=NOW, bucket="day")

    assert sum(sum(series) for series in result["counts"].values()) == 0


def test_failure_summary_gives_the_rate_and_the_most_frequent_codes_first():
    effect = EffectFactory()
    finished(effect, seconds=1)
    for code in (JobErrorCode.TIMEOUT, JobErrorCode.TIMEOUT, JobErrorCode.PROVIDER_FAILED):
        finished(effect, seconds=1, status=JobStatus.FAILED, error_code=code)

    summary = job_failure_summary(since=NOW - timedelta(days=1), until=NOW)

    assert (summary["finished"], summary["failed"], summary["rate"]) == (4, 3, 0.75)
    assert summary["error_codes"] == [
        {"code": "TIMEOUT", "label": "The job took too long", "jobs": 2, "cause": "system"},
        {"code": "PROVIDER_FAILED", "label": "The AI provider failed the job", "jobs": 1, "cause": "system"},
    ]


def test_failure_summary_counts_failures_the_users_photo_caused_apart_from_the_systems():
    effect = EffectFactory()
    finished(effect, seconds=1)
    for code in (JobErrorCode.NO_SUBJECT, JobErrorCode.NO_SUBJECT, JobErrorCode.INVALID_INPUT, JobErrorCode.TIMEOUT):
        finished(effect, seconds=1, status=JobStatus.FAILED, error_code=code)

    summary = job_failure_summary(since=NOW - timedelta(days=1), until=NOW)

    assert (summary["finished"], summary["failed"], summary["user_caused"], summary["rate"]) == (5, 1, 3, 0.2)
    causes = {row["code"]: row["cause"] for row in summary["error_codes"]}
    assert causes == {"NO_SUBJECT": "user", "INVALID_INPUT": "user", "TIMEOUT": "system"}


def test_failure_summary_without_finished_jobs_has_no_rate():
    summary = job_failure_summary(since=NOW - timedelta(days=1), until=NOW)

    assert (summary["finished"], summary["rate"], summary["error_codes"]) == (0, None, [])


def _timed_jobs():
    slow, fast = EffectFactory(name="Slow"), EffectFactory(name="Fast")
    for seconds in (10, 20, 90):
        finished(slow, seconds=seconds)
    for seconds in (1, 2, 3, 4):
        finished(fast, seconds=seconds)
    finished(fast, seconds=500, status=JobStatus.FAILED)  # failures are not processing times


def test_processing_time_is_the_median_per_effect_slowest_first():
    _timed_jobs()

    rows = job_processing_time_by_effect(since=NOW - timedelta(days=1), until=NOW)

    assert rows == [
        {"effect": "Slow", "jobs": 3, "median_seconds": 20.0},
        {"effect": "Fast", "jobs": 4, "median_seconds": 2.5},
    ]


def test_processing_time_on_sqlite_computes_the_same_medians(monkeypatch):
    _timed_jobs()
    expected = job_processing_time_by_effect(since=NOW - timedelta(days=1), until=NOW)
    # SQLite (make run) has no percentile aggregate: the same rows come from the Python median.
    monkeypatch.setattr(connection, "vendor", "sqlite")

    rows = job_processing_time_by_effect(since=NOW - timedelta(days=1), until=NOW)

    assert rows == expected
