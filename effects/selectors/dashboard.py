"""Staff dashboard reads of jobs (time-bounded aggregates; one query each), for photomania/dashboard.py."""

import statistics
from datetime import datetime

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Q

from core.timeseries import bucket_counts, time_buckets, truncate
from effects.models import USER_CAUSED_ERROR_CODES, Job, JobErrorCode, JobStatus
from effects.selectors.jobs import JOB_STATUSES


def job_counts_over_time(*, since: datetime, until: datetime, bucket: str) -> dict:
    """Jobs created per hour (or day) and status: ``{"buckets": [...], "counts": {status: [n, ...]}}``."""
    rows = list(
        Job.objects.filter(created_at__gte=since, created_at__lte=until)
        .annotate(period=truncate("created_at", bucket))
        .values("period", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    buckets = time_buckets(since=since, until=until, bucket=bucket)
    counts = {
        status: bucket_counts([row for row in rows if row["status"] == status], buckets=buckets)
        for status in JOB_STATUSES
    }
    return {"buckets": buckets, "counts": counts}


def job_failure_summary(*, since: datetime, until: datetime, top: int = 6) -> dict:
    """Finished jobs, how many failed, the failure rate and the most frequent error codes (with their labels).

    ``failed`` and ``rate`` are the system's failures; a job failed by its user's photo (no person
    in it, not an image: USER_CAUSED_ERROR_CODES) is counted in ``user_caused`` instead. Each error
    code says which it is (``"cause": "system" | "user"``).
    """
    finished = Job.objects.filter(
        completed_at__gte=since, completed_at__lte=until, status__in=[JobStatus.COMPLETED, JobStatus.FAILED]
    )
    user_caused = Q(status=JobStatus.FAILED, error_code__in=USER_CAUSED_ERROR_CODES)
    totals = finished.aggregate(
        total=Count("pk"),
        failed=Count("pk", filter=Q(status=JobStatus.FAILED) & ~user_caused),
        user_caused=Count("pk", filter=user_caused),
    )
    labels = dict(JobErrorCode.choices)
    codes = (
        finished.filter(status=JobStatus.FAILED)
        .values("error_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "error_code")[:top]
    )
    total, failed = totals["total"], totals["failed"]
    return {
        "finished": total,
        "failed": failed,
        "user_caused": totals["user_caused"],
        "rate": failed / total if total else None,
        "error_codes": [
            {
                "code": row["error_code"] or "UNKNOWN",
                "label": labels.get(row["error_code"], "Unknown"),
                "jobs": row["n"],
                "cause": "user" if row["error_code"] in USER_CAUSED_ERROR_CODES else "system",
            }
            for row in codes
        ],
    }


class _Median(Aggregate):
    """PostgreSQL's exact median of an interval expression, in seconds."""

    function = "percentile_cont"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()


def job_processing_time_by_effect(*, since: datetime, until: datetime) -> list[dict]:
    """Median seconds from start to result of the jobs completed per effect, slowest first.

    PostgreSQL computes the medians; other databases (SQLite in development) get the durations
    of the period and the median is taken here.
    """
    completed = Job.objects.filter(
        status=JobStatus.COMPLETED,
        completed_at__gte=since,
        completed_at__lte=until,
        started_at__isnull=False,
    )
    if connection.vendor == "postgresql":
        rows = (
            completed.values("effect__name")
            .annotate(jobs=Count("pk"), median=_Median(F("completed_at") - F("started_at")))
            .order_by()
        )
        result = [{"effect": r["effect__name"], "jobs": r["jobs"], "median_seconds": r["median"]} for r in rows]
    else:
        durations: dict[str, list[float]] = {}
        for name, started, finished in completed.values_list("effect__name", "started_at", "completed_at"):
            durations.setdefault(name, []).append((finished - started).total_seconds())
        result = [
            {"effect": name, "jobs": len(values), "median_seconds": statistics.median(values)}
            for name, values in durations.items()
        ]
    for row in result:
        row["median_seconds"] = round(max(row["median_seconds"], 0.0), 2)
    return sorted(result, key=lambda row: (-row["median_seconds"], row["effect"]))
