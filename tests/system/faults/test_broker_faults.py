"""Broker faults against a real worker and our own redis-server: a paused Redis, a flushed Redis,
a pipeline with nobody consuming, and jobs deleted before or while they run."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
import redis
from django.db.models import Sum
from rest_framework.test import APIClient

from billing.models import CreditTransaction
from billing.services import credits_grant
from celery_app import app
from effects.ingestion import image_validate_bytes
from effects.jobs.create import job_create
from effects.models import Job, JobStatus
from photomania.health import health_cache_clear
from tests.support.concurrency import process_database_url, wait_for
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes
from tests.system.faults.conftest import BIN, ROOT

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = "faults-health-token"


@pytest.fixture
def deep_health(settings):
    """Ask the deep health check (no reuse of an earlier report); returns the response."""
    settings.HEALTH_TOKEN = TOKEN
    settings.HEALTH_CACHE_SECONDS = 0
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    def ask():
        health_cache_clear()
        return client.get("/api/health")

    return ask


@pytest.fixture
def start_beat(tmp_path):
    """A ``celery beat`` subprocess on the test database and a given broker (stopped at teardown)."""
    started: list[subprocess.Popen] = []

    def start(broker_url: str) -> subprocess.Popen:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
            "PHOTOMANIA_TESTING": "1",
            "DATABASE_URL": process_database_url(),
            "REDIS_URL": broker_url,
        }
        process = subprocess.Popen(
            [str(BIN / "celery"), "-A", "celery_app", "beat", "--loglevel", "INFO", "-s", str(tmp_path / "beat")],
            cwd=ROOT,
            env=env,
            stdout=open(tmp_path / "beat.log", "ab"),  # noqa: SIM115 (the child owns it)
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)


def rich_user(credits: int):
    user = UserFactory()
    credits_grant(user=user, amount=credits, kind=CreditTransaction.Kind.ADMIN_ADJUSTMENT, reference=f"grant:{user.pk}")
    return user


def statuses(jobs) -> list[str]:
    return list(Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("status", flat=True))


def all_terminal(jobs) -> bool:
    return all(s in (JobStatus.COMPLETED, JobStatus.FAILED) for s in statuses(jobs))


def ledger_is_exact(user) -> None:
    user.refresh_from_db()
    assert user.credits == CreditTransaction.objects.filter(user=user).aggregate(s=Sum("amount"))["s"]


def create_jobs(user, effect, count: int) -> list[Job]:
    source = image_validate_bytes(image_bytes("JPEG", (320, 240)))
    return [job_create(user=user, effect=effect, source=source) for _ in range(count)]


def test_a_15_second_redis_pause_under_load_ends_every_job_within_90_seconds(
    broker_on_own_redis, start_worker, start_beat, deep_health, monkeypatch
):
    # As deployed: workers and the sweeper (beat). A message Redis handed to a connection the
    # worker had already given up on during the pause is lost; the sweeper sends it again. Its
    # clock is shortened (the processes started here inherit these) so it acts within the budget.
    monkeypatch.setenv("JOB_SWEEP_INTERVAL", "5")
    monkeypatch.setenv("JOB_MESSAGE_LOST_AFTER", "10")
    user = rich_user(100)
    effect = EffectFactory(model_id="local:grayscale", credits=1)
    workers = [start_worker("paused", broker_url=broker_on_own_redis.url)]
    start_beat(broker_on_own_redis.url)
    jobs = create_jobs(user, effect, 30)
    wait_for(lambda: JobStatus.COMPLETED in statuses(jobs), timeout=60, message="a first job to complete")

    os.kill(broker_on_own_redis.process.pid, signal.SIGSTOP)
    try:
        during = deep_health()
        time.sleep(15)  # the fault itself: Redis answers nothing for 15 s
    finally:
        os.kill(broker_on_own_redis.process.pid, signal.SIGCONT)
    resumed = time.monotonic()
    late = create_jobs(user, effect, 5)

    def finished_under_a_supervisor():
        # The production restart policy ("always"): a worker its watchdog ended is started again.
        if workers[-1].process.poll() is not None:
            workers.append(start_worker(f"paused-restart-{len(workers)}", broker_url=broker_on_own_redis.url))
        return all_terminal(jobs + late)

    wait_for(finished_under_a_supervisor, timeout=90, interval=0.5, message="every job to finish")

    assert time.monotonic() - resumed < 90
    # A worker that did not recover by itself was ended by its watchdog (status 1), not left wedged.
    assert all(w.process.returncode in (None, 1) for w in workers)
    assert set(statuses(jobs + late)) == {JobStatus.COMPLETED}
    assert during.status_code == 503
    assert wait_for(lambda: deep_health().status_code == 200, timeout=30, message="deep health to recover")
    ledger_is_exact(user)


def test_a_flushed_redis_with_jobs_queued_ends_every_job_within_150_seconds(
    broker_on_own_redis, start_worker, start_beat
):
    user = rich_user(100)
    effect = EffectFactory(model_id="local:grayscale", credits=2)
    jobs = create_jobs(user, effect, 8)
    client = redis.Redis.from_url(broker_on_own_redis.url)
    assert client.llen("default") == 8

    client.flushall()
    lost_at = time.monotonic()
    start_worker("after-flush", broker_url=broker_on_own_redis.url)
    start_beat(broker_on_own_redis.url)
    wait_for(lambda: all_terminal(jobs), timeout=150, interval=1, message="every lost job to end")

    assert time.monotonic() - lost_at < 150
    for job in Job.objects.filter(pk__in=[j.pk for j in jobs]):
        references = set(CreditTransaction.objects.filter(job=job).values_list("reference", flat=True))
        expected = {f"charge:{job.pk}"} | ({f"refund:{job.pk}"} if job.status == JobStatus.FAILED else set())
        assert references == expected
    ledger_is_exact(user)


def test_deep_health_is_unhealthy_while_jobs_wait_with_no_consumer_and_healthy_after(
    broker_on_own_redis, start_worker, deep_health, settings
):
    settings.PIPELINE_MAX_WAIT = 2
    user = rich_user(100)
    jobs = create_jobs(user, EffectFactory(model_id="local:grayscale"), 3)

    stalled = wait_for(lambda: (r := deep_health()).status_code == 503 and r, timeout=30, message="a 503")
    start_worker("rescuer", broker_url=broker_on_own_redis.url)
    wait_for(lambda: all_terminal(jobs), timeout=60, message="the jobs to run")
    healthy = wait_for(
        lambda: (r := deep_health()).status_code == 200 and r.json()["data"]["pipeline"]["consumers"] and r,
        timeout=30,
        message="a 200 naming the worker",
    )

    assert stalled.json()["error"]["details"]["pipeline"] == "unavailable"
    assert stalled.json()["error"]["details"]["broker"] == "ok"
    assert healthy.json()["data"]["pipeline"]["consumers"] == [f"rescuer-{os.getpid()}@faults"]
    assert healthy.json()["data"]["pipeline"]["lastCompletedAt"]


def _broker_idle(url: str) -> bool:
    client = redis.Redis.from_url(url)
    return client.llen("default") == 0 and client.hlen("unacked") == 0


def test_deleting_a_pending_job_refunds_it_once_and_the_worker_never_runs_it(
    broker_on_own_redis, start_worker, media_storage
):
    user = UserFactory()
    effect = EffectFactory(model_id="local:grayscale", credits=3)
    (job,) = create_jobs(user, effect, 1)
    api = APIClient()
    api.force_authenticate(user)

    first = api.delete(f"/api/jobs/{job.pk}")
    second = api.delete(f"/api/jobs/{job.pk}")
    start_worker("late", broker_url=broker_on_own_redis.url)
    wait_for(lambda: _broker_idle(broker_on_own_redis.url), timeout=60, message="the message to be consumed")

    assert first.status_code == 200
    assert second.status_code == 404
    refs = list(CreditTransaction.objects.filter(reference__endswith=str(job.pk)).values_list("reference", flat=True))
    assert sorted(refs) == [f"charge:{job.pk}", f"refund:{job.pk}"]
    user.refresh_from_db()
    assert user.credits == 10
    ledger_is_exact(user)
    assert not list(media_storage.rglob(f"jobs/{job.pk}/*"))


def test_deleting_a_processing_job_leaves_no_file_and_refunds_it_once(broker_on_own_redis, start_worker, media_storage):
    user = UserFactory()
    # stylization on a large photo runs for seconds: a wide window to delete the job in.
    effect = EffectFactory(model_id="local:watercolor", credits=2)
    start_worker("racer", broker_url=broker_on_own_redis.url)
    job = job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes("JPEG", (1600, 1200))))
    wait_for(lambda: Job.objects.filter(pk=job.pk, status=JobStatus.PROCESSING).exists(), timeout=60, message="start")
    api = APIClient()
    api.force_authenticate(user)

    response = api.delete(f"/api/jobs/{job.pk}")
    wait_for(lambda: _broker_idle(broker_on_own_redis.url), timeout=120, message="the worker to finish the job")

    assert response.status_code == 200
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not list(media_storage.rglob(f"jobs/{job.pk}/*"))
    refs = list(CreditTransaction.objects.filter(reference__endswith=str(job.pk)).values_list("reference", flat=True))
    assert sorted(refs) == [f"charge:{job.pk}", f"refund:{job.pk}"]
    ledger_is_exact(user)


def test_a_worker_whose_consumer_takes_nothing_while_jobs_wait_exits_non_zero(
    broker_on_own_redis, start_worker, monkeypatch
):
    monkeypatch.setenv("WORKER_STALL_TIMEOUT", "5")
    monkeypatch.setenv("WORKER_WATCHDOG_INTERVAL", "1")
    user = rich_user(10)
    wedged = start_worker("wedged", broker_url=broker_on_own_redis.url)
    # Celery's own control stops the consumer on `default` (as a broker fault can): alive, answering
    # pings, taking nothing.
    app.control.cancel_consumer("default", destination=[wedged.name], reply=True, timeout=5)
    (job,) = create_jobs(user, EffectFactory(model_id="local:grayscale"), 1)

    wait_for(lambda: wedged.process.poll() is not None, timeout=60, message="the watchdog to end the worker")
    start_worker("restarted", broker_url=broker_on_own_redis.url)
    wait_for(lambda: all_terminal([job]), timeout=60, message="the restarted worker to run the job")

    assert wedged.process.returncode == 1
    assert "exiting so it is restarted" in wedged.log.read_text()
    assert statuses([job]) == [JobStatus.COMPLETED]
