"""GET /api/effects (50 effects) and GET /api/jobs/{id} (authenticated) against a bare Django
view returning the same precomputed bytes, under the same gunicorn."""

from __future__ import annotations

from bench import data
from bench.harness import BENCH_DIR, Row, WrkRequest, fmt_load, gunicorn, http, report, wrk

EFFECTS_P99_TARGET_MS = 30.0


def _compare(server, ours: list[WrkRequest], bare: list[WrkRequest]):
    # Warm both paths (connections, caches, lazy imports in every worker), then measure.
    wrk(server.base, ours, duration=3)
    wrk(server.base, bare, duration=3)
    base = wrk(server.base, bare)
    mine = wrk(server.base, ours)
    return mine, base


def run() -> list[Row]:
    from effects.models import Job

    data.reset()
    effects = data.effects_create(50)
    [user] = data.users_create(1, credits=100, prefix="reads")
    job = Job.objects.create(user=user, effect=effects[0], source_url="https://example.com/photo.jpg")

    with gunicorn() as server:
        token = data.session_token(server.base, user.email)
        auth = {"X-Session-Token": token}
        status, effects_body = http("GET", server.base + "/api/effects")
        assert status == 200, effects_body[:200]
        (BENCH_DIR / "effects.json").write_bytes(effects_body)
        status, job_body = http("GET", f"{server.base}/api/jobs/{job.pk}", headers=auth)
        assert status == 200, job_body[:200]
        (BENCH_DIR / "job.json").write_bytes(job_body)

        effects_ours, effects_base = _compare(
            server, [WrkRequest("GET", "/api/effects")], [WrkRequest("GET", "/bench/bare/effects")]
        )
        job_ours, job_base = _compare(
            server,
            [WrkRequest("GET", f"/api/jobs/{job.pk}", headers=auth)],
            [WrkRequest("GET", "/bench/bare/job")],
        )

    rows = []
    for what, ours, base, floor in (
        ("GET /api/effects (50 effects)", effects_ours, effects_base, 0.7),
        ("GET /api/jobs/{id} (authenticated)", job_ours, job_base, 0.5),
    ):
        ratio = ours.rps / base.rps if base.rps else 0.0
        met = ratio >= floor and ours.errors == 0 and ours.non_2xx == 0
        target = f">= {floor} of baseline"
        if what.startswith("GET /api/effects"):
            met = met and ours.p99_ms <= EFFECTS_P99_TARGET_MS
            target += f", p99 <= {EFFECTS_P99_TARGET_MS:.0f} ms"
        rows.append(
            Row(
                what,
                fmt_load(ours),
                fmt_load(base),
                f"{ratio:.2f}",
                target,
                met,
                note=f"{ours.requests} requests, {ours.errors} socket errors, {ours.non_2xx} non-2xx"
                f" (baseline {base.errors}/{base.non_2xx}); body {len(effects_body if 'effects' in what else job_body)} bytes",
            )
        )
    report("API reads vs a bare view returning the same bytes", rows)
    return rows
