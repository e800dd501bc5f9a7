"""Hourly and daily buckets for the staff dashboard's time series (UTC), shared by the apps' selectors."""

from datetime import UTC, datetime, timedelta

from django.db.models.functions import TruncDay, TruncHour

BUCKETS = ("hour", "day")


def time_buckets(*, since: datetime, until: datetime, bucket: str) -> list[datetime]:
    """Every hour or day start from the one holding ``since`` to ``until``, so empty periods show as zeros."""
    step = timedelta(hours=1) if bucket == "hour" else timedelta(days=1)
    start = since.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    if bucket == "day":
        start = start.replace(hour=0)
    buckets = []
    while start <= until:
        buckets.append(start)
        start += step
    return buckets


def truncate(field: str, bucket: str):
    """The database expression that rounds ``field`` down to its bucket (UTC)."""
    return (TruncHour if bucket == "hour" else TruncDay)(field, tzinfo=UTC)


def bucket_counts(rows, *, buckets: list[datetime], key: str = "period", value: str = "n") -> list[int]:
    """Spread ``rows`` (dicts with the bucket start and a number) over ``buckets``; missing buckets are 0."""
    index = {start: i for i, start in enumerate(buckets)}
    series = [0] * len(buckets)
    for row in rows:
        i = index.get(row[key])
        if i is not None:
            series[i] += row[value] or 0
    return series
