"""gunicorn as the Procfile runs it (gthread, here one process of four threads) keeps serving other
requests while applies wait for their jobs (``Prefer: wait``): only SYNC_APPLY_MAX_WAITERS of them
hold a thread, and the others are answered 202 at once."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.support.api import PUBLIC_IMAGE_URL, session_token_for
from tests.support.concurrency import broker_purge, process_database_url
from tests.support.factories import EffectFactory, JobFactory, UserFactory
from tests.system.web.test_slow_clients import _free_port

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4
MAX_WAITERS = 2
EXTRA_WAITERS = 4  # beyond the cap: together more waiting requests than the server has threads
WAIT_SECONDS = 8
# An answer given "at once" (not after the wait): well under WAIT_SECONDS, with room for a loaded machine.
AT_ONCE_S = 4.0


@pytest.fixture
def few_threads_server(tmp_path):
    """gunicorn (the Procfile web role's worker class) on loopback, with THREADS threads in one process."""
    port = _free_port()
    env = {
        **os.environ,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": process_database_url(),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SYNC_APPLY_MAX_WAITERS": str(MAX_WAITERS),
        # The reads below come as fast as the server answers: the per-user limit must not refuse them.
        "RATE_LIMIT_USER": "1000000/min",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    (tmp_path / "metrics").mkdir()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "photomania.wsgi", "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--worker-class", "gthread", "--threads", str(THREADS)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/api/health", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        broker_purge()  # the jobs the applies queued: no worker runs them


def test_waiting_applies_beyond_the_cap_answer_at_once_and_other_requests_are_still_served(few_threads_server):
    base = few_threads_server
    user = UserFactory()
    effect = EffectFactory(credits=1)
    job = JobFactory(user=user, effect=effect)
    headers = {"X-Session-Token": session_token_for(user)}
    waiters: list[tuple[int, float]] = []
    lock = threading.Lock()

    def wait_apply():
        started = time.monotonic()
        response = requests.post(
            f"{base}/api/effects/apply",
            json={"effectId": effect.slug, "imageUrl": PUBLIC_IMAGE_URL},
            headers={**headers, "Prefer": f"wait={WAIT_SECONDS}"},
            timeout=60,
        )
        with lock:
            waiters.append(
                (response.status_code, time.monotonic() - started, response.headers.get("Preference-Applied"))
            )

    threads = [threading.Thread(target=wait_apply) for _ in range(MAX_WAITERS + EXTRA_WAITERS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    reads = []
    while time.monotonic() - started < WAIT_SECONDS - 2:  # while the capped waiters hold their threads
        read_started = time.monotonic()
        response = requests.get(f"{base}/api/jobs/{job.pk}", headers=headers, timeout=30)
        reads.append((response.status_code, time.monotonic() - read_started))
    for thread in threads:
        thread.join(timeout=60)

    assert len(reads) >= 5, reads
    assert {status for status, _ in reads} == {200}, sorted({status for status, _ in reads})
    assert max(seconds for _, seconds in reads) < AT_ONCE_S, reads
    assert all(status == 202 and applied is None for status, _, applied in waiters), waiters
    held = [seconds for _, seconds, _ in waiters if seconds >= WAIT_SECONDS]
    at_once = [seconds for _, seconds, _ in waiters if seconds < AT_ONCE_S]
    assert (len(held), len(at_once)) == (MAX_WAITERS, EXTRA_WAITERS), waiters
