"""GET /api/effects (50 effects) and GET /api/jobs/{id} (authenticated) against two baselines in
the same gunicorn: a bare Django view returning the same precomputed bytes (the floor), and the
peer, the same endpoint written the ordinary DRF way (bench/peer_urls.py). Then the same job read
with a developer API key beside the session token: the key must cost no more."""

from __future__ import annotations

from bench import data
from bench.harness import BENCH_DIR, Load, Row, WrkRequest, fmt_load, gunicorn, http, report, wrk

EFFECTS_P99_TARGET_MS = 30.0
# The key path may measure this much slower before it counts as costing more (the run-to-run noise
# of alternating measurements on a shared machine).
KEY_VS_TOKEN_NOISE = 0.05
KEY_VS_TOKEN_ROUNDS = 5
KEY_VS_TOKEN_SECONDS = 6


def _compare(server, ours: list[WrkRequest], bare: list[WrkRequest], peer: list[WrkRequest]):
    # Warm every path (connections, caches, lazy imports in every worker), then measure.
    for requests in (ours, bare, peer):
        wrk(server.base, requests, duration=3)
    base = wrk(server.base, bare)
    theirs = wrk(server.base, peer)
    mine = wrk(server.base, ours)
    return mine, base, theirs


def _key_vs_token(server, path: str, token_auth: dict, key_auth: dict) -> tuple[Load, Load]:
    """The same route with a session token and with an API key: warmed, then measured in short runs,
    alternating, so drift on the machine (other work comes and goes) touches both alike; the median
    run of each counts."""
    token, key = [WrkRequest("GET", path, headers=token_auth)], [WrkRequest("GET", path, headers=key_auth)]
    wrk(server.base, token, duration=3)
    wrk(server.base, key, duration=3)
    token_runs, key_runs = [], []
    for _round in range(KEY_VS_TOKEN_ROUNDS):
        token_runs.append(wrk(server.base, token, duration=KEY_VS_TOKEN_SECONDS))
        key_runs.append(wrk(server.base, key, duration=KEY_VS_TOKEN_SECONDS))
    median = lambda runs: sorted(runs, key=lambda load: load.rps)[len(runs) // 2]  # noqa: E731
    return median(key_runs), median(token_runs)


def _key_row(key: Load, token: Load) -> Row:
    ratio = key.rps / token.rps if token.rps else 0.0
    met = ratio >= 1 - KEY_VS_TOKEN_NOISE and key.errors == 0 and key.non_2xx == 0
    return Row(
        "GET /api/jobs/{id} with X-Api-Key",
        fmt_load(key),
        f"X-Session-Token {fmt_load(token)}",
        f"{ratio:.2f} of session token",
        f">= {1 - KEY_VS_TOKEN_NOISE:.2f} of session token",
        met,
        note=f"{key.requests} requests, {key.errors} socket errors, {key.non_2xx} non-2xx"
        f" (session token {token.errors}/{token.non_2xx})",
    )


def run() -> list[Row]:
    from accounts.api_keys import api_key_create
    from effects.models import Job

    data.reset()
    effects = data.effects_create(50)
    [user] = data.users_create(1, credits=100, prefix="reads")
    job = Job.objects.create(user=user, effect=effects[0], source_url="https://example.com/photo.jpg")
    _row, api_key = api_key_create(user=user, name="bench")

    with gunicorn() as server:
        token = data.session_token(server.base, user.email)
        auth = {"X-Session-Token": token}
        status, effects_body = http("GET", server.base + "/api/effects")
        assert status == 200, effects_body[:200]
        (BENCH_DIR / "effects.json").write_bytes(effects_body)
        status, job_body = http("GET", f"{server.base}/api/jobs/{job.pk}", headers=auth)
        assert status == 200, job_body[:200]
        (BENCH_DIR / "job.json").write_bytes(job_body)
        for path, headers in (("/bench/peer/effects", {}), (f"/bench/peer/jobs/{job.pk}", auth)):
            status, body = http("GET", server.base + path, headers=headers)
            assert status == 200, body[:200]

        effects_loads = _compare(
            server,
            [WrkRequest("GET", "/api/effects")],
            [WrkRequest("GET", "/bench/bare/effects")],
            [WrkRequest("GET", "/bench/peer/effects")],
        )
        job_loads = _compare(
            server,
            [WrkRequest("GET", f"/api/jobs/{job.pk}", headers=auth)],
            [WrkRequest("GET", "/bench/bare/job")],
            [WrkRequest("GET", f"/bench/peer/jobs/{job.pk}", headers=auth)],
        )
        status, body = http("GET", f"{server.base}/api/jobs/{job.pk}", headers={"X-Api-Key": api_key})
        assert status == 200, body[:200]
        key_loads = _key_vs_token(server, f"/api/jobs/{job.pk}", auth, {"X-Api-Key": api_key})

    rows = []
    for what, (ours, base, peer), floor, peer_floor in (
        ("GET /api/effects (50 effects)", effects_loads, 0.7, None),
        ("GET /api/jobs/{id} (authenticated)", job_loads, 0.5, 2.0),
    ):
        ratio = ours.rps / base.rps if base.rps else 0.0
        peer_ratio = ours.rps / peer.rps if peer.rps else 0.0
        met = ratio >= floor and ours.errors == 0 and ours.non_2xx == 0
        target = f">= {floor} of bare"
        if peer_floor is not None:
            met = met and peer_ratio >= peer_floor
            target += f", >= {peer_floor:.0f}x peer"
        if what.startswith("GET /api/effects"):
            met = met and ours.p99_ms <= EFFECTS_P99_TARGET_MS
            target += f", p99 <= {EFFECTS_P99_TARGET_MS:.0f} ms"
        rows.append(
            Row(
                what,
                fmt_load(ours),
                f"bare {fmt_load(base)}; peer {fmt_load(peer)}",
                f"{ratio:.2f} of bare, {peer_ratio:.2f}x peer",
                target,
                met,
                note=f"{ours.requests} requests, {ours.errors} socket errors, {ours.non_2xx} non-2xx"
                f" (bare {base.errors}/{base.non_2xx}, peer {peer.errors}/{peer.non_2xx});"
                f" body {len(effects_body if 'effects' in what else job_body)} bytes",
            )
        )
    rows.append(_key_row(*key_loads))
    report("API reads vs a bare view returning the same bytes, and vs the ordinary DRF peer", rows)
    return rows
