"""The staff dashboard (``/admin/dashboard/``): jobs, failures, processing times, credits, revenue, sign-ups.

Every figure comes from a selector of the app that owns the data, bounded to the chosen period
(the last 24 hours, 7 or 30 days); the page draws them with Chart.js from our static files and
gives each chart a table with the same numbers.
"""

from datetime import datetime, timedelta

from django.shortcuts import render
from django.utils import timezone

from accounts.selectors import users_new_over_time
from billing.prices import major_units, money_format
from billing.selectors import credits_flow_over_time, revenue_by_product
from effects.models import JobStatus
from effects.selectors.dashboard import job_counts_over_time, job_failure_summary, job_processing_time_by_effect

PERIODS = {1: "Last 24 hours", 7: "Last 7 days", 30: "Last 30 days"}
DEFAULT_DAYS = 7


def _period_days(request) -> int:
    try:
        days = int(request.GET.get("days", DEFAULT_DAYS))
    except ValueError:
        return DEFAULT_DAYS
    return days if days in PERIODS else DEFAULT_DAYS


def _label(start: datetime, bucket: str) -> str:
    return start.strftime("%b %-d %H:00") if bucket == "hour" else start.strftime("%b %-d")


def dashboard_data(*, days: int, now: datetime | None = None) -> dict:
    """Every chart's numbers for the last ``days`` days: jobs per hour (per day over 30 days), the rest per day."""
    until = now or timezone.now()
    since = until - timedelta(days=days)
    job_bucket = "hour" if days <= 7 else "day"
    day_bucket = "hour" if days == 1 else "day"

    jobs = job_counts_over_time(since=since, until=until, bucket=job_bucket)
    failures = job_failure_summary(since=since, until=until)
    timing = job_processing_time_by_effect(since=since, until=until)
    credits = credits_flow_over_time(since=since, until=until, bucket=day_bucket)
    revenue = revenue_by_product(since=since, until=until)
    users = users_new_over_time(since=since, until=until, bucket=day_bucket)

    job_labels = [_label(start, job_bucket) for start in jobs["buckets"]]
    day_labels = [_label(start, day_bucket) for start in credits["buckets"]]
    status_labels = dict(JobStatus.choices)
    job_rows = [
        {"label": label, "counts": [jobs["counts"][status][i] for status in jobs["counts"]]}
        for i, label in enumerate(job_labels)
        if any(jobs["counts"][status][i] for status in jobs["counts"])
    ]
    total_jobs = sum(sum(series) for series in jobs["counts"].values())
    currencies = sorted({row["currency"] for row in revenue})
    return {
        "since": since,
        "until": until,
        "job_bucket": job_bucket,
        "day_bucket": day_bucket,
        "totals": {
            # Jobs still on record (a deleted job drops out) and jobs charged per the ledger (kept).
            "jobs": total_jobs,
            "jobs_charged": sum(credits["charges"]),
            "failure_rate": failures["rate"],
            "credits_spent": sum(credits["spent"]) - sum(credits["refunded"]),
            "credits_granted": sum(credits["granted"]),
            "revenue": [
                {
                    "currency": c,
                    "display": money_format(
                        amount=sum(r["amount_cents"] for r in revenue if r["currency"] == c), currency=c
                    ),
                }
                for c in currencies
            ],
            "new_users": sum(users["counts"]),
        },
        "jobs": {
            "statuses": [status_labels[status] for status in jobs["counts"]],
            "rows": job_rows,
        },
        "failures": failures,
        "timing": timing,
        "credits": {
            "rows": [
                {"label": label, "granted": g, "spent": s, "refunded": r}
                for label, g, s, r in zip(
                    day_labels, credits["granted"], credits["spent"], credits["refunded"], strict=True
                )
                if g or s or r
            ]
        },
        "revenue": [
            {**row, "display": money_format(amount=row["amount_cents"], currency=row["currency"])} for row in revenue
        ],
        "users": {
            "rows": [{"label": label, "count": n} for label, n in zip(day_labels, users["counts"], strict=True) if n]
        },
        # What the charts draw: every bucket, zeros included (the tables list only the non-empty ones).
        "charts": {
            "jobs": {
                "labels": job_labels,
                "series": [
                    {"key": status, "label": status_labels[status], "data": series}
                    for status, series in jobs["counts"].items()
                ],
            },
            "errors": {
                "labels": [row["code"] for row in failures["error_codes"]],
                "data": [row["jobs"] for row in failures["error_codes"]],
                "causes": [row["cause"] for row in failures["error_codes"]],
            },
            "timing": {
                "labels": [row["effect"] for row in timing],
                "data": [row["median_seconds"] for row in timing],
            },
            "credits": {
                "labels": day_labels,
                "granted": credits["granted"],
                "spent": credits["spent"],
                "refunded": credits["refunded"],
            },
            "revenue": {
                "labels": [f"{row['product']} ({row['kind']}, {row['currency'].upper()})" for row in revenue],
                "data": [major_units(amount=row["amount_cents"], currency=row["currency"]) for row in revenue],
            },
            "users": {"labels": day_labels, "data": users["counts"]},
        },
    }


def staff_dashboard(request, *, context: dict):
    """The page: period links, headline figures, six charts each with its data table."""
    days = _period_days(request)
    data = dashboard_data(days=days)
    return render(
        request,
        "admin/dashboard.html",
        {
            **context,
            "title": f"Staff dashboard — {PERIODS[days].lower()}",
            "periods": PERIODS.items(),
            "days": days,
            **data,
        },
    )
