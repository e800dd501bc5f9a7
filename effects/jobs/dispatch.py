"""The one module that names the job queues and tasks, and publishes them.

Every publish goes through here. A publish that follows a write made in a transaction (a new job,
a retried job, a terminal transition's callback, a deleted job's provider cancel, the delete of a
finished run's uploaded files) waits for the
commit, so a worker never sees a job whose row is not there yet; the follow-ups of a task and a
webhook's nudge follow no pending write and go out at once.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable

import redis
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import PlanCode
from core.metrics import shared_metrics_client
from core.watchdog import broker_queue_lists
from effects.models import Job, JobStatus

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "default"
PRIORITY_QUEUE = "priority"
JOB_QUEUES = (PRIORITY_QUEUE, DEFAULT_QUEUE)
# The sweeper's own queue (routed in the Celery settings); workers consume all three.
SWEEP_QUEUE = "sweep"
WORKER_QUEUES = (SWEEP_QUEUE, PRIORITY_QUEUE, DEFAULT_QUEUE)
# The Redis transport's hash of messages delivered to a worker and not yet acknowledged
# (running, prefetched, or waiting for their countdown).
_UNACKED_HASH = "unacked"
PRIORITY_PLANS = {PlanCode.STARTER, PlanCode.PRO, PlanCode.ENTERPRISE}

# Task names are part of the messages in flight: never rename them.
PROCESS_TASK = "effects.process_job"
POLL_TASK = "effects.poll_job"
CALLBACK_TASK = "effects.send_job_callback"
CANCEL_TASK = "effects.cancel_prediction"
FILES_DELETE_TASK = "effects.delete_provider_files"


def job_queue_for(*, user) -> str:
    """Paid plans' jobs go to the priority queue, which workers drain first."""
    return PRIORITY_QUEUE if user.plan in PRIORITY_PLANS else DEFAULT_QUEUE


def _after_commit(publish: Callable[[], None]) -> None:
    # Outside a transaction this runs at once; ``robust`` keeps a broker outage from failing the caller.
    transaction.on_commit(publish, robust=True)


def job_enqueue(*, job: Job) -> None:
    """Send the job's process task to its queue once the current transaction commits."""
    # A broker outage here must not fail the request: the job is committed and PENDING with no
    # enqueued_at, and the sweeper re-enqueues such jobs once JOB_ENQUEUE_GRACE has passed.
    _after_commit(lambda: job_publish(job=job))


def job_publish(*, job: Job, suffix: str = "0") -> None:
    """Publish the job's process task now (the task id makes a re-publish recognisable) and stamp enqueued_at."""
    current_app.send_task(PROCESS_TASK, args=[str(job.pk)], queue=job.queue, task_id=f"job-{job.pk}-{suffix}")
    Job.objects.filter(pk=job.pk, status=JobStatus.PENDING, enqueued_at__isnull=True).update(enqueued_at=timezone.now())


def job_retry_publish(*, job_id: str, queue: str, countdown: float) -> None:
    """Run the job's process task again after ``countdown`` seconds (a transient failure)."""
    current_app.send_task(PROCESS_TASK, args=[str(job_id)], queue=queue, countdown=countdown)


def job_poll_publish(*, job_id: str, queue: str, countdown: float = 0) -> None:
    """Check a provider job after ``countdown`` seconds (the polling fallback, or a webhook's nudge)."""
    current_app.send_task(POLL_TASK, args=[str(job_id)], queue=queue, countdown=countdown)


def job_callback_enqueue(*, job: Job) -> None:
    """Send the client callback task once the job's terminal transition commits."""
    job_id = str(job.pk)
    _after_commit(lambda: current_app.send_task(CALLBACK_TASK, args=[job_id], queue=DEFAULT_QUEUE))


def remote_cancel_enqueue(*, model_id: str, run_id: str) -> None:
    """Send the cancel of a provider run (its job was deleted) to a worker once the current transaction commits."""
    _after_commit(lambda: current_app.send_task(CANCEL_TASK, args=[model_id, run_id], queue=DEFAULT_QUEUE))


def remote_files_delete_enqueue(*, model_id: str, file_ids: list[str]) -> None:
    """Send the delete of files uploaded to a provider for a run that has ended, once the current
    transaction commits (at once outside one)."""
    ids = list(file_ids)
    _after_commit(lambda: current_app.send_task(FILES_DELETE_TASK, args=[model_id, ids], queue=DEFAULT_QUEUE))


def _process_job_id(message: dict) -> str | None:
    headers = message.get("headers") or {}
    if headers.get("task") != PROCESS_TASK:
        return None
    try:
        args = json.loads(base64.b64decode(message["body"]))[0]
        return str(args[0])
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def jobs_with_process_message() -> set[str] | None:
    """Ids of the jobs whose process message is in the broker: queued, or held by a worker.

    None when that cannot be told (a broker other than Redis, or Redis unreachable): the caller then
    assumes every message still exists.
    """
    url = str(settings.CELERY_BROKER_URL)
    if not url.startswith(("redis://", "rediss://")):
        return None
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        raw: list[bytes] = []
        for queue in JOB_QUEUES:
            for name in broker_queue_lists(queue):
                raw.extend(client.lrange(name, 0, -1))
        # Unacked entries are [message, exchange, routing_key].
        messages = [json.loads(value) for value in raw]
        messages += [json.loads(value)[0] for value in client.hvals(_UNACKED_HASH)]
    except (redis.RedisError, ValueError, IndexError, KeyError):
        logger.warning("could not list the broker's job messages", exc_info=True)
        return None
    finally:
        client.close()
    ids = set()
    for message in messages:
        job_id = _process_job_id(message) if isinstance(message, dict) else None
        if job_id:
            ids.add(job_id)
    return ids


def queue_depths() -> tuple[dict[str, int], int] | None:
    """({queue: messages waiting}, messages held by workers and not yet acknowledged) read from Redis.

    Held messages are running, prefetched, or waiting for a retry's countdown. None with a broker
    other than Redis; a Redis error propagates.
    """
    client = shared_metrics_client()  # this process's pooled client of the broker's Redis
    if client is None:
        return None
    pipe = client.pipeline(transaction=False)
    lists = {queue: broker_queue_lists(queue) for queue in WORKER_QUEUES}
    for names in lists.values():
        for name in names:
            pipe.llen(name)
    pipe.hlen(_UNACKED_HASH)
    *lengths, unacked = pipe.execute()
    depths, start = {}, 0
    for queue, names in lists.items():
        depths[queue] = sum(lengths[start : start + len(names)])
        start += len(names)
    return depths, unacked
