"""Prometheus metrics: every metric PhotoMania records, and how each kind reaches the scrape.

PhotoMania runs as several processes on several machines (gunicorn workers, Celery workers, beat),
so each metric is kept where every process that records it, and the one that is scraped, can meet:

- **Web request metrics** are prometheus_client metrics of the process that served the request.
  Under gunicorn, ``PROMETHEUS_MULTIPROC_DIR`` (set by ``gunicorn.conf.py``) makes each
  worker process write them to memory-mapped files in that folder, and the scrape, answered by
  any one worker, adds up all of them.
- **Cluster-wide counters and histograms** (job outcomes and durations, credits moved) are
  recorded by whichever process does the work, a Celery worker on another machine included, as
  atomic increments of a hash in the broker's Redis, which every process already reaches. The
  scrape reads them back (``shared_metrics_collector``). Workers need no port or exporter of their
  own, they survive worker restarts, and nothing is counted twice. Recording is best effort: when
  Redis does not answer within a second the increment is dropped and logged, and the work goes on.
  They are recorded only with a Redis broker (not the development filesystem broker).
- **Gauges read at scrape time** (queue depths, consumers, the oldest waiting job) live in
  ``photomania/monitoring.py``.

Label values are always bounded: URL patterns rather than paths, effect slugs from the catalog,
enums for statuses, error codes and ledger kinds.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence

import redis
from django.conf import settings
from prometheus_client import Counter, Histogram
from prometheus_client.metrics_core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.utils import INF, floatToGoString

logger = logging.getLogger("core.metrics")

# --- Web requests (per process; merged across gunicorn workers by the multiprocess mode) ----------

HTTP_REQUEST_SECONDS = Histogram(
    "photomania_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL pattern, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# Webhooks are received by the web server only.
WEBHOOK_SIGNATURE_FAILURES = Counter(
    "photomania_webhook_signature_failures",
    "Webhook deliveries refused because their signature was missing, wrong or stale, by provider.",
    ["provider"],
)
WEBHOOK_EVENTS_UNPROCESSABLE = Counter(
    "photomania_webhook_events_unprocessable",
    "Signed webhook events acknowledged but never applied (unknown customer or object, wrong amount), by provider.",
    ["provider"],
)

# --- Cluster-wide metrics kept in the broker's Redis ---------------------------------------------

KEY_PREFIX = "photomania:metrics:"
_REDIS_TIMEOUT = 1
_client: tuple[str, redis.Redis] | None = None
_client_lock = threading.Lock()


def shared_metrics_client() -> redis.Redis | None:
    """This process's client of the broker's Redis (one pool per process); None without a Redis broker."""
    global _client
    url = str(settings.CELERY_BROKER_URL)
    if not url.startswith(("redis://", "rediss://")):
        return None
    with _client_lock:
        if _client is None or _client[0] != url:
            _client = (
                url,
                redis.Redis.from_url(url, socket_connect_timeout=_REDIS_TIMEOUT, socket_timeout=_REDIS_TIMEOUT),
            )
        return _client[1]


class SharedMetric:
    """A metric whose samples live in one Redis hash, field = the JSON list of its label values (+ a part)."""

    kind = ""

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str]):
        self.name = name
        self.documentation = documentation
        self.labelnames = tuple(labelnames)
        self.key = f"{KEY_PREFIX}{name}"
        SHARED_METRICS.append(self)

    def _label_values(self, labels: dict[str, str]) -> list[str]:
        if set(labels) != set(self.labelnames):
            raise ValueError(f"{self.name} takes the labels {self.labelnames}, got {tuple(labels)}")
        return [str(labels[name]) for name in self.labelnames]

    def _write(self, increments: Iterable[tuple[str, float]]) -> None:
        client = shared_metrics_client()
        if client is None:
            return
        try:
            # One MULTI/EXEC: a scrape sees a histogram's buckets, sum and count move together.
            pipe = client.pipeline(transaction=True)
            for field, amount in increments:
                pipe.hincrbyfloat(self.key, field, amount)
            pipe.execute()
        except redis.RedisError:
            logger.warning("metric %s not recorded: Redis did not answer", self.name, exc_info=True)

    def read(self, client: redis.Redis) -> dict[tuple[str, ...], dict[str, float]]:
        """{label values: {part: value}} as stored."""
        samples: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
        for raw_field, raw_value in client.hgetall(self.key).items():
            try:
                *values, part = json.loads(raw_field)
                samples[tuple(values)][part] = float(raw_value)
            except (ValueError, TypeError):
                continue
        return samples

    def family(self, client: redis.Redis) -> Metric:
        raise NotImplementedError


class SharedCounter(SharedMetric):
    """A counter any process increments; its total is the sum over every process and machine."""

    def inc(self, amount: float = 1, **labels: str) -> None:
        if amount < 0:
            raise ValueError("counters only go up")
        if amount:
            self._write([(json.dumps([*self._label_values(labels), "total"]), amount)])

    def family(self, client: redis.Redis) -> Metric:
        family = CounterMetricFamily(self.name, self.documentation, labels=self.labelnames)
        for values, parts in sorted(self.read(client).items()):
            family.add_metric(list(values), parts.get("total", 0.0))
        return family


class SharedHistogram(SharedMetric):
    """A histogram any process observes into; buckets are stored per bound and added up when read."""

    def __init__(self, name: str, documentation: str, labelnames: Sequence[str], buckets: Sequence[float]):
        super().__init__(name, documentation, labelnames)
        self.buckets = (*sorted(float(b) for b in buckets), INF)

    def observe(self, value: float, **labels: str) -> None:
        values = self._label_values(labels)
        bound = next(b for b in self.buckets if value <= b)
        self._write(
            [
                (json.dumps([*values, floatToGoString(bound)]), 1),
                (json.dumps([*values, "sum"]), float(value)),
            ]
        )

    def family(self, client: redis.Redis) -> Metric:
        family = HistogramMetricFamily(self.name, self.documentation, labels=self.labelnames)
        for values, parts in sorted(self.read(client).items()):
            cumulative, buckets = 0.0, []
            for bound in self.buckets:
                cumulative += parts.get(floatToGoString(bound), 0.0)
                buckets.append((floatToGoString(bound), cumulative))
            family.add_metric(list(values), buckets, sum_value=parts.get("sum", 0.0))
        return family


SHARED_METRICS: list[SharedMetric] = []

JOBS_FINISHED = SharedCounter(
    "photomania_jobs_finished_total",
    "Jobs that reached a final status, by effect, status (COMPLETED or FAILED) and error code (empty when completed).",
    ["effect", "status", "error_code"],
)
JOB_RETRIES = SharedCounter(
    "photomania_job_retries_total",
    "Job attempts that ended in a transient error and were scheduled again, by effect and error code.",
    ["effect", "error_code"],
)
JOB_PROCESSING_SECONDS = SharedHistogram(
    "photomania_job_processing_seconds",
    "Time from a worker claiming a job to its result being stored (completed jobs; the last attempt), by effect.",
    ["effect"],
    buckets=(0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600),
)
JOB_QUEUE_WAIT_SECONDS = SharedHistogram(
    "photomania_job_queue_wait_seconds",
    "Time a job waited in its queue before a worker claimed it (each attempt, from when it was due), by queue.",
    ["queue"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900),
)
CREDITS_GRANTED = SharedCounter(
    "photomania_credits_granted_total",
    "Credits added to balances by committed ledger rows, by ledger kind.",
    ["kind"],
)
CREDITS_SPENT = SharedCounter(
    "photomania_credits_spent_total",
    "Credits taken from balances by committed ledger rows, by ledger kind.",
    ["kind"],
)


class SharedMetricsCollector:
    """Reads the cluster-wide metrics from Redis at scrape time (nothing when Redis is not the broker)."""

    def collect(self) -> Iterable[Metric]:
        client = shared_metrics_client()
        if client is None:
            return
        for metric in SHARED_METRICS:
            try:
                family = metric.family(client)
            except redis.RedisError:
                logger.warning("metric %s not read: Redis did not answer", metric.name, exc_info=True)
                continue
            yield family
