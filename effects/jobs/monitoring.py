"""The pipeline's state for the deep health check and metrics: is work waiting with nobody consuming?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from django.conf import settings
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.watchdog import broker_client, consumer_heartbeats
from effects.jobs.sweep import jobs_last_sweep_at
from effects.models import Job, JobStatus


@dataclass(frozen=True)
class PipelineStatus:
    oldest_pending_age: float | None  # seconds the longest-waiting due PENDING job has waited
    # Seconds the longest-running local PROCESSING job has run past JOB_TIME_LIMIT: its worker died
    # (a live worker's hard time limit ends it), and it waits for the sweeper.
    oldest_overdue_processing: float | None
    last_completed_at: datetime | None
    last_sweep_at: datetime | None
    consumers: list[str] | None  # workers whose watchdog says they consume; None when unknown
    max_wait: int

    @property
    def stalled(self) -> bool:
        """Jobs wait longer than PIPELINE_MAX_WAIT while no worker is seen consuming."""
        waiting_too_long = self.oldest_pending_age is not None and self.oldest_pending_age > self.max_wait
        return (waiting_too_long and not self.consumers) or self.overdue_unrecovered

    @property
    def overdue_unrecovered(self) -> bool:
        """A job ran past its time limit by more than PIPELINE_MAX_WAIT: neither its worker nor the sweeper ended it."""
        return self.oldest_overdue_processing is not None and self.oldest_overdue_processing > self.max_wait

    def as_dict(self) -> dict:
        return {
            "oldestPendingAgeSeconds": None if self.oldest_pending_age is None else round(self.oldest_pending_age, 1),
            "oldestOverdueProcessingSeconds": (
                None if self.oldest_overdue_processing is None else round(self.oldest_overdue_processing, 1)
            ),
            "lastCompletedAt": self.last_completed_at.isoformat() if self.last_completed_at else None,
            "lastSweepAt": self.last_sweep_at.isoformat() if self.last_sweep_at else None,
            "consumers": self.consumers,
            "maxWaitSeconds": self.max_wait,
            "stalled": self.stalled,
        }


def pipeline_consumers() -> list[str] | None:
    """Node names of the workers seen consuming (fresh watchdog heartbeats); None without a Redis broker."""
    if not str(settings.CELERY_BROKER_URL).startswith(("redis://", "rediss://")):
        return None
    client = broker_client()
    try:
        return sorted(consumer_heartbeats(client))
    except redis.RedisError:
        return []
    finally:
        client.close()


def pipeline_status(*, now: datetime | None = None) -> PipelineStatus:
    """Oldest due PENDING job's wait, the oldest PROCESSING job past its time limit, last completion,
    last sweep and the live consumers."""
    now = now or timezone.now()
    # A job waiting for a retry's countdown is due at its enqueued_at (in the future until then).
    waiting_since = (
        Job.objects.filter(status=JobStatus.PENDING)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now))
        .annotate(since=Coalesce(F("enqueued_at"), F("created_at")))
        .order_by("since")
        .values_list("since", flat=True)
        .first()
    )
    # Provider jobs wait on the provider, not a worker: the sweeper polls them and their own deadline ends them.
    limit = timedelta(seconds=settings.JOB_TIME_LIMIT)
    overdue_started = (
        Job.objects.filter(status=JobStatus.PROCESSING, provider_prediction_id="", started_at__lt=now - limit)
        .order_by("started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    last_completed = (
        Job.objects.filter(status=JobStatus.COMPLETED)
        .order_by("-updated_at")
        .values_list("completed_at", flat=True)
        .first()
    )
    return PipelineStatus(
        oldest_pending_age=(now - waiting_since).total_seconds() if waiting_since else None,
        oldest_overdue_processing=(now - limit - overdue_started).total_seconds() if overdue_started else None,
        last_completed_at=last_completed,
        last_sweep_at=jobs_last_sweep_at(),
        consumers=pipeline_consumers(),
        max_wait=settings.PIPELINE_MAX_WAIT,
    )
