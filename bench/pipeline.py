"""The job pipeline against the engine alone: apply -> COMPLETED latency minus the engine's time
(overhead), and jobs per minute with one worker process per core against the engine in a tight
loop in as many processes."""

from __future__ import annotations

import json
import multiprocessing
import time

from bench import data
from bench.harness import CORES, Row, celery_worker, gunicorn, http, median, p99, report, wait_until

PHOTO = (2048, 1536)  # IMAGE_MAX_SIDE already: the engine does no resize, as for a phone photo
LATENCY_JOBS = 40
THROUGHPUT_JOBS = 24 * CORES
LATENCY_EFFECT = "local:grayscale"  # a fast effect, so the overhead is not lost in the noise
THROUGHPUT_EFFECT = "local:sepia"


def _engine_seconds(model_id: str, image: bytes, runs: int) -> list[float]:
    from effects.engines import get_engine, parse_model_id

    ref = parse_model_id(model_id)
    engine = get_engine(ref.engine)
    engine.apply(ref.model, {}, image)  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        engine.apply(ref.model, {}, image)
        times.append(time.perf_counter() - started)
    return times


def _engine_loop(args) -> tuple[float, float]:
    model_id, image, runs, barrier = args
    from effects.engines import get_engine, parse_model_id

    ref = parse_model_id(model_id)
    engine = get_engine(ref.engine)
    engine.apply(ref.model, {}, image)  # warm-up, as the worker's warm-up jobs
    barrier.wait()
    started = time.time()
    for _ in range(runs):
        engine.apply(ref.model, {}, image)
    return started, time.time()


def _wait_terminal(job_ids, timeout: float):
    from effects.models import Job, JobStatus

    def done():
        return Job.objects.filter(pk__in=job_ids, status__in=[JobStatus.COMPLETED, JobStatus.FAILED]).count() == len(
            job_ids
        )

    wait_until(done, timeout=timeout, interval=0.02, what="jobs to finish")
    return list(Job.objects.filter(pk__in=job_ids))


def _drain(user, effect, source, *, concurrency: int, jobs: int = THROUGHPUT_JOBS, **env: str):
    """Jobs per minute of a running worker draining ``jobs`` queued jobs (after warm-up jobs)."""
    from effects.jobs.create import job_create
    from effects.models import JobStatus

    with celery_worker(concurrency=concurrency, **env):
        warm = [job_create(user=user, effect=effect, source=source).pk for _ in range(concurrency * 2)]
        _wait_terminal(warm, timeout=120)
        batch = [job_create(user=user, effect=effect, source=source).pk for _ in range(jobs)]
        done = _wait_terminal(batch, timeout=600)
    assert all(j.status == JobStatus.COMPLETED for j in done), [j.error_message for j in done]
    span = (max(j.completed_at for j in done) - min(j.started_at for j in done)).total_seconds()
    return len(done) / span * 60, span, len(done)


def run() -> list[Row]:
    from effects.ingestion import image_validate_bytes
    from effects.models import JobStatus

    data.reset()
    image = data.photo_jpeg(*PHOTO)
    fast = data.effects_create(1, model_id=LATENCY_EFFECT)[0]
    heavy = data.effects_create(1, model_id=THROUGHPUT_EFFECT, prefix="heavy")[0]
    [user] = data.users_create(1, credits=1_000_000, prefix="pipeline")
    body, content_type = data.multipart({"effectId": fast.slug}, {"image": ("photo.jpg", "image/jpeg", image)})

    # 1. Latency: one job at a time through the API and a worker; the job's own timestamps
    #    (created in the request, completed by the worker) minus the engine's time on the image.
    engine_fast = _engine_seconds(LATENCY_EFFECT, image, runs=15)
    jobs = []
    with gunicorn() as server, celery_worker(concurrency=1):
        token = data.session_token(server.base, user.email)
        headers = {"X-Session-Token": token, "Content-Type": content_type}
        for i in range(LATENCY_JOBS + 3):
            status, reply = http("POST", server.base + "/api/effects/apply", body=body, headers=headers)
            assert status == 200, reply[:300]
            job_id = json.loads(reply)["data"]["jobId"]
            [job] = _wait_terminal([job_id], timeout=60)
            if i >= 3:  # the first jobs warm the worker (imports, connections)
                jobs.append(job)
    assert all(j.status == JobStatus.COMPLETED for j in jobs), [j.error_message for j in jobs]
    engine_median = median(engine_fast)
    totals = [(j.completed_at - j.created_at).total_seconds() for j in jobs]
    overheads_ms = [(t - engine_median) * 1000 for t in totals]
    queued_ms = [(j.started_at - j.created_at).total_seconds() * 1000 for j in jobs]
    worker_ms = [((j.completed_at - j.started_at).total_seconds() - engine_median) * 1000 for j in jobs]

    # 2. Throughput: queue jobs for a running worker (one process per core) and time the drain;
    #    then one process (scaling) and a prefetch of two per process (acks_late is kept).
    source = image_validate_bytes(image)
    ours_per_min, span, drained = _drain(user, heavy, source, concurrency=CORES)
    one_per_min, one_span, one_drained = _drain(user, heavy, source, concurrency=1, jobs=THROUGHPUT_JOBS // CORES)
    prefetch_per_min, _span, _drained = _drain(user, heavy, source, concurrency=CORES, WORKER_PREFETCH_MULTIPLIER="2")

    per_process = THROUGHPUT_JOBS // CORES
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(CORES) as pool:
        barrier = manager.Barrier(CORES)
        spans = pool.map(_engine_loop, [(THROUGHPUT_EFFECT, image, per_process, barrier)] * CORES)
    base_span = max(end for _s, end in spans) - min(start for start, _e in spans)
    base_per_min = per_process * CORES / base_span * 60

    rows = [
        Row(
            f"apply -> COMPLETED minus engine ({LATENCY_EFFECT}, {PHOTO[0]}x{PHOTO[1]} upload)",
            f"overhead median {median(overheads_ms):.0f} ms, p99 {p99(overheads_ms):.0f} ms",
            f"engine alone median {engine_median * 1000:.0f} ms (p99 {p99(engine_fast) * 1000:.0f} ms)",
            f"{median(totals) / engine_median:.2f}x total",
            "overhead median <= 30 ms, p99 <= 100 ms",
            median(overheads_ms) <= 30 and p99(overheads_ms) <= 100,
            note=f"{len(jobs)} sequential jobs, 1 worker process; job created_at -> completed_at; "
            f"created -> started median {median(queued_ms):.0f} ms (p99 {p99(queued_ms):.0f}), "
            f"started -> completed minus engine median {median(worker_ms):.0f} ms (p99 {p99(worker_ms):.0f})",
        ),
        Row(
            f"jobs per minute, {CORES} worker processes ({THROUGHPUT_EFFECT})",
            f"{ours_per_min:.0f} jobs/min",
            f"{base_per_min:.0f} jobs/min (engine loop, {CORES} processes)",
            f"{ours_per_min / base_per_min:.2f}",
            ">= 0.9 of baseline",
            ours_per_min / base_per_min >= 0.9,
            note=f"{drained} jobs drained in {span:.1f} s; baseline {per_process * CORES} runs in {base_span:.1f} s",
        ),
        Row(
            f"worker scaling, 1 -> {CORES} processes ({THROUGHPUT_EFFECT})",
            f"{ours_per_min:.0f} jobs/min with {CORES}",
            f"{one_per_min:.0f} jobs/min with 1",
            f"{ours_per_min / one_per_min:.2f}x",
            f">= {0.9 * CORES:.1f}x",
            ours_per_min / one_per_min >= 0.9 * CORES,
            note=f"1 process drained {one_drained} jobs in {one_span:.1f} s; the web server, PostgreSQL and "
            f"Redis share the same {CORES} cores",
        ),
        Row(
            f"prefetch 2 per process vs 1, {CORES} processes, acks_late ({THROUGHPUT_EFFECT})",
            f"{prefetch_per_min:.0f} jobs/min",
            f"{ours_per_min:.0f} jobs/min (prefetch 1)",
            f"{prefetch_per_min / ours_per_min:.2f}",
            "measured (WORKER_PREFETCH_MULTIPLIER)",
            None,
        ),
    ]
    report("Job pipeline vs the engine alone", rows)
    return rows
