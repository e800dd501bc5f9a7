"""The request metrics' cost per request: a view called through the metrics middleware against the
same view called bare, in a process in prometheus_client's multiprocess mode (as gunicorn runs
it), on a resolved route (``/api/jobs/<str:jobId>``).

Measured in-process, not through wrk: the cost is microseconds, far below what an HTTP load test on
this shared machine can tell apart from its noise. The two alternate, the process's CPU time is
measured (not wall time, which the machine's other load inflates), and the medians are kept.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from bench.harness import ROOT, Row, bench_env, report

ROUNDS = 7
REQUESTS = 20000
OVERHEAD_TARGET_US = 25


def _child() -> None:
    import django

    django.setup()
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve

    from core.middleware import RequestMetricsMiddleware

    request = RequestFactory().get("/api/jobs/8d5e0f55-8f2c-4d3e-9d1a-0c6b1b7e4a10", HTTP_HOST="127.0.0.1")
    request.resolver_match = resolve(request.path_info)
    response = HttpResponse(b"{}", content_type="application/json")

    def view(request):
        return response

    timed = RequestMetricsMiddleware(view)

    def per_request_us(handler) -> float:
        # CPU time of this process: what the middleware costs, whatever else loads the machine.
        started = time.process_time()
        for _ in range(REQUESTS):
            handler(request)
        return (time.process_time() - started) / REQUESTS * 1e6

    for handler in (timed, view):
        per_request_us(handler)  # warm-up (the first observation creates the label's files)
    rounds = [(per_request_us(view), per_request_us(timed)) for _ in range(ROUNDS)]
    print(json.dumps({"without": [w for w, _ in rounds], "with": [m for _, m in rounds]}))


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-prometheus-") as folder:
        out = subprocess.run(
            [sys.executable, "-m", "bench.request_metrics"],
            cwd=ROOT,
            env={**bench_env(), "PROMETHEUS_MULTIPROC_DIR": folder},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    without = statistics.median(figures["without"])
    with_metrics = statistics.median(figures["with"])
    overhead = statistics.median(m - w for w, m in zip(figures["without"], figures["with"], strict=True))
    rows = [
        Row(
            what="a request through the metrics middleware vs the bare view (CPU)",
            ours=f"{with_metrics:.1f} µs",
            baseline=f"{without:.1f} µs",
            ratio="-",  # the bare call costs next to nothing: the difference is the figure
            target=f"overhead < {OVERHEAD_TARGET_US} µs",
            met=overhead < OVERHEAD_TARGET_US,
            note=f"overhead {overhead:.1f} µs per request (median of {ROUNDS} rounds of {REQUESTS} requests)",
        )
    ]
    report("Request metrics overhead", rows)
    return rows


if __name__ == "__main__":
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        _child()
    else:
        sys.exit("run through `python -m bench request_metrics`")
