"""The sweeper (celery beat): recover jobs whose message was lost, whose worker died, or whose
provider went quiet."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from effects.jobs.dispatch import job_poll_publish, job_publish, jobs_with_process_message
from effects.jobs.transitions import job_mark_failed
from effects.models import Job, JobErrorCode, JobStage, JobStatus

logger = logging.getLogger(__name__)

LAST_SWEEP_CACHE_KEY = "jobs:last-sweep"


def jobs_sweep(*, now: datetime | None = None) -> dict:
    """Recover lost work: re-enqueue PENDING jobs whose message never ran; retry or fail PROCESSING jobs
    past the time limit (a killed worker); nudge provider jobs that went quiet."""
    now = now or timezone.now()
    counts = {"requeued": 0, "restarted": 0, "failed": 0, "polled": 0}
    suffix = f"s{int(now.timestamp())}"
    grace = timedelta(seconds=settings.JOB_ENQUEUE_GRACE)
    lost_filter = Q(enqueued_at__isnull=True, created_at__lt=now - grace) | Q(
        enqueued_at__lt=now - timedelta(seconds=settings.JOB_PENDING_STALE)
    )
    # Listed before the jobs are read: a job published after this listing is too young to be judged.
    in_broker = jobs_with_process_message()
    overdue_after = now - timedelta(seconds=settings.JOB_MESSAGE_LOST_AFTER)
    if in_broker is not None:
        # Due a while ago and its message is in no queue and held by no worker: Redis lost it.
        lost_filter |= Q(enqueued_at__lt=overdue_after) & ~Q(pk__in=list(in_broker))
    lost = Job.objects.filter(status=JobStatus.PENDING).filter(lost_filter)
    for job in lost.only("id", "queue")[:500]:
        # The claim (PENDING -> PROCESSING once) guards the run if a message was not lost after all.
        if Job.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(enqueued_at=None):
            job_publish(job=job, suffix=suffix)
            counts["requeued"] += 1
    stale = now - timedelta(seconds=settings.JOB_TIME_LIMIT + settings.JOB_ENQUEUE_GRACE)
    stuck = Job.objects.filter(status=JobStatus.PROCESSING, provider_prediction_id="", started_at__lt=stale)
    for job in stuck.select_related("user")[:500]:
        if job.attempts > settings.JOB_MAX_RETRIES:
            if job_mark_failed(
                job=job,
                code=JobErrorCode.TIMEOUT,
                message="The job did not finish in time",
                from_statuses=(JobStatus.PROCESSING,),
            ):
                counts["failed"] += 1
        elif Job.objects.filter(pk=job.pk, status=JobStatus.PROCESSING, started_at__lt=stale).update(
            status=JobStatus.PENDING, stage=JobStage.QUEUED, progress=None, enqueued_at=None, updated_at=now
        ):
            job_publish(job=job, suffix=suffix)
            counts["restarted"] += 1
    quiet = Job.objects.filter(status=JobStatus.PROCESSING).exclude(provider_prediction_id="")
    quiet = quiet.filter(updated_at__lt=now - timedelta(seconds=max(60, settings.REPLICATE_POLL_INTERVAL * 10)))
    for job in quiet.only("id", "queue")[:500]:
        job_poll_publish(job_id=str(job.pk), queue=job.queue)
        counts["polled"] += 1
    try:
        cache.set(LAST_SWEEP_CACHE_KEY, now.timestamp(), timeout=None)
    except Exception:  # the cache being down must not undo a sweep that ran
        logger.warning("could not record the sweep's time", exc_info=True)
    return counts


def jobs_last_sweep_at() -> datetime | None:
    """When the sweeper last finished a pass (None if never, or the cache forgot)."""
    value = cache.get(LAST_SWEEP_CACHE_KEY)
    return datetime.fromtimestamp(value, tz=UTC) if value is not None else None
