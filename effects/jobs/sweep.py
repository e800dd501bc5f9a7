"""The sweeper (celery beat): recover jobs whose message was lost, whose worker died, or whose
provider went quiet."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from effects.jobs.dispatch import job_poll_publish, job_publish
from effects.jobs.lifecycle import job_mark_failed
from effects.models import Job, JobErrorCode, JobStage, JobStatus


def jobs_sweep(*, now: datetime | None = None) -> dict:
    """Recover lost work: re-enqueue PENDING jobs whose message never ran; retry or fail PROCESSING jobs
    past the time limit (a killed worker); nudge provider jobs that went quiet."""
    now = now or timezone.now()
    counts = {"requeued": 0, "restarted": 0, "failed": 0, "polled": 0}
    suffix = f"s{int(now.timestamp())}"
    grace = timedelta(seconds=settings.JOB_ENQUEUE_GRACE)
    lost = Job.objects.filter(status=JobStatus.PENDING).filter(
        Q(enqueued_at__isnull=True, created_at__lt=now - grace)
        | Q(enqueued_at__lt=now - timedelta(seconds=settings.JOB_PENDING_STALE))
    )
    for job in lost.only("id", "queue")[:500]:
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
    return counts
