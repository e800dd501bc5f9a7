"""Redis memory per queued job: publish process-job messages as the dispatcher does and read the
queue's size with ``MEMORY USAGE`` (the figure docs/scaling.md sizes Redis with)."""

from __future__ import annotations

import uuid

from bench.harness import BENCH_REDIS, Row, report

MESSAGES = 1000
QUEUE = "bench-sizecheck"


def run() -> list[Row]:
    import redis
    from celery import current_app

    import celery_app  # noqa: F401 (configures the app from the bench settings)
    from effects.jobs.dispatch import PROCESS_TASK

    client = redis.Redis.from_url(BENCH_REDIS)
    client.delete(QUEUE)
    for _ in range(MESSAGES):
        job_id = uuid.uuid4()
        current_app.send_task(PROCESS_TASK, args=[str(job_id)], queue=QUEUE, task_id=f"job-{job_id}-0")
    queued = client.llen(QUEUE)
    one_message = len(client.lindex(QUEUE, 0))
    total = client.memory_usage(QUEUE)
    client.delete(QUEUE)
    rows = [
        Row(
            f"Redis memory per queued job ({MESSAGES} process-job messages)",
            f"{total / queued / 1024:.2f} KB per message ({one_message} bytes of JSON)",
            f"{total / 1024:,.0f} KB for {queued} messages (MEMORY USAGE of the queue)",
            "-",
            "measured for the capacity model",
            None,
            note="a job being processed keeps about as much again in the unacked hash until it is acknowledged",
        )
    ]
    report("Broker memory per queued job", rows)
    return rows
