"""The list endpoints' SQL query counts with 10 and with 1000 rows: they must be equal (no N+1)."""

from __future__ import annotations

from bench import data
from bench.harness import Row, report

LIST_ENDPOINTS = ["/api/effects", "/api/jobs", "/api/user/credits/history"]


def _fill(rows: int, user, effects) -> None:
    from billing.services import credits_grant
    from effects.models import Effect, Job

    have = Effect.objects.count()
    if have < rows:
        effects.extend(data.effects_create(rows - have, prefix=f"q{have}"))
    Job.objects.bulk_create(
        Job(user=user, effect=effects[i % len(effects)], source_url="https://example.com/p.jpg")
        for i in range(rows - Job.objects.filter(user=user).count())
    )
    for i in range(rows - user.credit_transactions.count()):
        credits_grant(user=user, amount=1, kind="ADMIN_ADJUSTMENT", reference=f"bench-q:{user.pk}:{rows}:{i}")


def _count(client, url: str) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, len(queries)


def run() -> list[Row]:
    from django.test import Client

    data.reset()
    [user] = data.users_create(1, credits=10, prefix="queries")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    effects: list = []
    counts: dict[str, dict[int, tuple[int, int]]] = {url: {} for url in LIST_ENDPOINTS}
    for rows in (10, 1000):
        _fill(rows, user, effects)
        for url in LIST_ENDPOINTS:
            _count(client, url)  # first call warms per-process caches (content types, sites)
            counts[url][rows] = _count(client, url)
    result = []
    for url, by_rows in counts.items():
        (s10, q10), (s1000, q1000) = by_rows[10], by_rows[1000]
        result.append(
            Row(
                f"GET {url}",
                f"{q1000} queries at 1000 rows",
                f"{q10} queries at 10 rows",
                f"{q1000 - q10:+d}",
                "equal counts",
                q10 == q1000 and s10 == s1000 == 200,
                note=f"statuses {s10}/{s1000}",
            )
        )
    report("SQL queries per list request: 10 vs 1000 rows", result)
    return result
