"""Applies that wait for their job (``Prefer: wait``) beside ordinary reads: GET /api/jobs/{id}
throughput alone, then with K applies waiting at the same time, in the same gunicorn.

No Celery worker runs, so every waiting apply holds its place (and a server thread) for its whole
wait: K is every waiting place of the server (SYNC_APPLY_MAX_WAITERS per process x processes), so
no apply is created while the reads are measured and only the waiting itself is compared. The
machine's load drifts, so the two are measured in alternating rounds (reads alone, then beside the
waiters, ROUNDS times) and each round's pair, taken seconds apart, gives a ratio; the median counts.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request

from bench import data
from bench.harness import (
    DURATION,
    WEB_THREADS,
    WEB_WORKERS,
    Load,
    Row,
    WrkRequest,
    fmt_load,
    gunicorn,
    median,
    report,
    wrk,
)

ROUNDS = 3
MEASURE_SECONDS = max(3, DURATION // 2)
SETTLE_SECONDS = 1.5  # for the waiters to take every place before a measurement
WAIT_SECONDS = MEASURE_SECONDS + 4  # longer than a measurement: a waiter holds its place throughout
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
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=WAIT_SECONDS + 30)  # the held ones end with their wait


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
        pairs: list[tuple[Load, Load]] = []
        samples: list[int] = []
        at_once = 0
        for _round in range(ROUNDS):
            alone = wrk(server.base, read, duration=MEASURE_SECONDS)
            with _Waiters(server.base, token, effect.slug, count=places) as waiters:
                time.sleep(SETTLE_SECONDS)
                done = threading.Event()

                def sample(waiters=waiters, done=done):
                    while not done.wait(0.5):
                        samples.append(waiters.waiting_now())

                sampler = threading.Thread(target=sample, daemon=True)
                sampler.start()
                beside = wrk(server.base, read, duration=MEASURE_SECONDS)
                done.set()
                sampler.join()
            at_once += waiters.at_once
            pairs.append((alone, beside))

    ratios = [beside.rps / alone.rps for alone, beside in pairs if alone.rps]
    ratio = median(ratios)
    middle = sorted(pairs, key=lambda pair: pair[1].rps / pair[0].rps if pair[0].rps else 0)[len(pairs) // 2]
    alone, beside = middle
    errors = sum(b.errors + b.non_2xx for _, b in pairs)
    row = Row(
        f"GET /api/jobs/{{id}} beside {places} applies waiting (every place: "
        f"{WEB_WORKERS} processes x {max(1, WEB_THREADS // 4)})",
        fmt_load(beside),
        f"no waiters {fmt_load(alone)} (the median round's pair)",
        f"{ratio:.2f} of no waiters (rounds: {', '.join(f'{r:.2f}' for r in ratios)})",
        f">= {THROUGHPUT_FLOOR} of no waiters; 0 errors",
        ratio >= THROUGHPUT_FLOOR and errors == 0 and min(samples, default=0) > 0,
        note=f"{ROUNDS} rounds of {MEASURE_SECONDS} s each way; {errors} errors or non-2xx beside the waiters; "
        f"applies waiting at once, sampled every 0.5 s: {min(samples, default=0)} to {max(samples, default=0)}; "
        f"{at_once} answered 202 at once and sent again (the processes accept connections unevenly, so one "
        f"may be sent more waiters than its places)",
    )
    report("Waiting applies (Prefer: wait) do not slow other requests", [row])
    return [row]
