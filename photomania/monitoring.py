"""GET /metrics: Prometheus metrics for staff sessions and monitors holding the HEALTH_TOKEN.

The exposition merges three sources (see ``core/metrics.py``): this web server's own
request metrics (all gunicorn workers' in multiprocess mode), the cluster-wide job and credit
metrics kept in the broker's Redis, and gauges read now from the broker and the database (queue
depths, messages held by workers, live consumers, the oldest waiting job, the last completion and
sweep). A source that cannot be read is left out of that scrape and logged; the rest is answered.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from core.metrics import SharedMetricsCollector
from effects.jobs.dispatch import queue_depths
from effects.jobs.monitoring import pipeline_status
from photomania.admin import staff_session_allowed

logger = logging.getLogger("core.metrics")


def may_see_monitoring(request) -> bool:
    """A staff session that passed a second factor (as the admin asks), or ``Authorization: Bearer
    <HEALTH_TOKEN>`` when HEALTH_TOKEN is set.

    The rule of the deep health check and of /metrics.
    """
    token = settings.HEALTH_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").strip().encode(), token.encode())
    return staff_session_allowed(request)


class PipelineCollector:
    """Gauges of the job pipeline, read from the broker and the database when scraped."""

    def collect(self) -> Iterable[Metric]:
        yield from self._broker()
        yield from self._database()

    def _broker(self) -> Iterable[Metric]:
        try:
            read = queue_depths()
        except Exception:
            logger.warning("metrics: queue depths not read", exc_info=True)
            return
        if read is None:
            return
        depths, held = read
        queued = GaugeMetricFamily(
            "photomania_queue_messages", "Messages waiting in each Celery queue of the broker.", labels=["queue"]
        )
        for queue, depth in depths.items():
            queued.add_metric([queue], depth)
        yield queued
        yield GaugeMetricFamily(
            "photomania_queue_unacked_messages",
            "Messages delivered to workers and not yet acknowledged (running, prefetched or waiting for a countdown).",
            value=held,
        )

    def _database(self) -> Iterable[Metric]:
        try:
            status = pipeline_status()
        except Exception:
            logger.warning("metrics: pipeline status not read", exc_info=True)
            return
        yield GaugeMetricFamily(
            "photomania_job_oldest_pending_age_seconds",
            "How long the longest-waiting due PENDING job has waited (0 when none waits).",
            value=status.oldest_pending_age or 0.0,
        )
        yield GaugeMetricFamily(
            "photomania_job_oldest_overdue_processing_seconds",
            "How long the longest-running PROCESSING job has run past JOB_TIME_LIMIT (0 when none): its worker died.",
            value=status.oldest_overdue_processing or 0.0,
        )
        yield GaugeMetricFamily(
            "photomania_pipeline_stalled",
            "1 when jobs have waited longer than PIPELINE_MAX_WAIT while no worker is seen consuming, or a job"
            " ran past JOB_TIME_LIMIT by more than PIPELINE_MAX_WAIT.",
            value=int(status.stalled),
        )
        if status.consumers is not None:
            yield GaugeMetricFamily(
                "photomania_worker_consumers",
                "Workers whose watchdog heartbeat says they are consuming.",
                value=len(status.consumers),
            )
        if status.last_completed_at is not None:
            yield GaugeMetricFamily(
                "photomania_job_last_completed_timestamp_seconds",
                "When the most recent job completed (Unix time).",
                value=status.last_completed_at.timestamp(),
            )
        if status.last_sweep_at is not None:
            yield GaugeMetricFamily(
                "photomania_job_sweep_last_run_timestamp_seconds",
                "When the job sweeper last ran (Unix time).",
                value=status.last_sweep_at.timestamp(),
            )


class _ThisProcess:
    """This process's own prometheus_client metrics (when not in multiprocess mode)."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def metrics_registry() -> CollectorRegistry:
    """Everything one scrape reports, gathered afresh."""
    registry = CollectorRegistry(auto_describe=False)
    multiprocess_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if multiprocess_dir:
        MultiProcessCollector(registry, path=multiprocess_dir)
    else:
        registry.register(_ThisProcess())
    registry.register(SharedMetricsCollector())
    registry.register(PipelineCollector())
    return registry


@require_GET
def metrics(request):
    if not may_see_monitoring(request):
        user = getattr(request, "user", None)
        if request.META.get("HTTP_AUTHORIZATION") or (user is not None and user.is_authenticated):
            return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
        response = HttpResponse("Authentication required\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    encoder, content_type = choose_encoder(request.META.get("HTTP_ACCEPT", ""))
    response = HttpResponse(encoder(metrics_registry()), content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
