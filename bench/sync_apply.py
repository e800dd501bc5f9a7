"""Applies that wait for their job (``Prefer: wait``) beside ordinary reads: GET /api/jobs/{id}
throughput alone, then with K applies waiting at the same time, in the same gunicorn.

No Celery worker runs, so every waiting apply holds its place (and a server thread) for its whole
wait: K is every waiting place of the server (SYNC_APPLY_MAX_WAITERS per process x processes), so
no apply is created while the reads are measured and only the waiting itself is compared. The reads
alone are measured before and after, and their mean is the baseline (the machine's load drifts).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request

from bench import data
from bench.harness import WEB_THREADS, WEB_WORKERS, Row, WrkRequest, fmt_load, gunicorn, report, wrk

WAIT_SECONDS = 30  # longer than a measurement: a waiter holds its place throughout
THROUGHPUT_FLOOR = 0.8  # reads with waiters / reads without, same run


def _waiting_places() -> int:
    return max(1, WEB_THREADS // 4) * WEB_WORKERS  # SYNC_APPLY_MAX_WAITERS's default, per process


class _Waiters:
    """``count`` threads, each sending a waiting apply again as soon as it is answered, until stopped."""

    def __init__(self, base: str, token: str, effect_slug: str, count: int):
        self.held = self.at_once = 0
        self._inflight: dict[int, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        body = json.dumps({"effectId": effect_slug, "imageUrl": "http://127.0.0.1/photo.jpg"}).encode()
        headers = {"X-Session-Token": token, "Content-Type": "application/json", "Prefer": f"wait={WAIT_SECONDS}"}
        self._request = (base + "/api/effects/apply", body, headers)
        self._threads = [threading.Thread(target=self._loop, daemon=True) for _ in range(count)]

    def _loop(self) -> None:
        url, body, headers = self._request
        me = threading.get_ident()
        while not self._stop.is_set():
            started = time.monotonic()
            with self._lock:
                self._inflight[me] = started
            with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=90) as reply:
                reply.read()
            with self._lock:
                del self._inflight[me]
                if time.monotonic() - started >= WAIT_SECONDS - 1:
                    self.held += 1
                else:
                    self.at_once += 1
            if time.monotonic() - started < 1:
                self._stop.wait(0.2)  # answered at once: the server's places are taken, ask again shortly

    def waiting_now(self) -> int:
        """Applies sent over a second ago and not answered yet: the ones holding a waiting place."""
        now = time.monotonic()
        with self._lock:
            return sum(1 for started in self._inflight.values() if now - started > 1)

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()  # the held ones end with their wait


def run() -> list[Row]:
    from effects.models import Job

    data.reset()
    [effect] = data.effects_create(1)
    [user] = data.users_create(1, credits=1_000_000, prefix="waits")
    job = Job.objects.create(user=user, effect=effect, source_url="https://example.com/photo.jpg")
    places = _waiting_places()

    with gunicorn() as server:
        token = data.session_token(server.base, user.email)
        read = [WrkRequest("GET", f"/api/jobs/{job.pk}", headers={"X-Session-Token": token})]
        wrk(server.base, read, duration=3)
        before = wrk(server.base, read)
        with _Waiters(server.base, token, effect.slug, count=places) as waiters:
            time.sleep(2)  # every waiting place taken before the measurement starts
            samples: list[int] = []
            done = threading.Event()

            def sample():
                while not done.wait(0.5):
                    samples.append(waiters.waiting_now())

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            beside = wrk(server.base, read)
            done.set()
            sampler.join()
            at_once = waiters.at_once
        time.sleep(1)
        after = wrk(server.base, read)
    alone_rps = (before.rps + after.rps) / 2

    ratio = beside.rps / alone_rps if alone_rps else 0.0
    row = Row(
        f"GET /api/jobs/{{id}} beside {places} applies waiting (every place: "
        f"{WEB_WORKERS} processes x {max(1, WEB_THREADS // 4)})",
        fmt_load(beside),
        f"no waiters, before {fmt_load(before)}; after {fmt_load(after)}",
        f"{ratio:.2f} of no waiters",
        f">= {THROUGHPUT_FLOOR} of no waiters; 0 errors",
        ratio >= THROUGHPUT_FLOOR and beside.errors == 0 and beside.non_2xx == 0 and min(samples, default=0) > 0,
        note=f"{beside.requests} reads, {beside.errors} socket errors, {beside.non_2xx} non-2xx; "
        f"applies waiting at once, sampled every 0.5 s: {min(samples, default=0)} to {max(samples, default=0)}; "
        f"{at_once} answered 202 at once and sent again (the processes accept connections unevenly, so one "
        f"may be sent more waiters than its places)",
    )
    report("Waiting applies (Prefer: wait) do not slow other requests", [row])
    return [row]
