"""What the job's admin page shows beside its fields: a readable title, before and after, timings,
the stage as staff mean it, and the job's credits (charge, refund) with links to the ledger."""

from __future__ import annotations

from datetime import timedelta

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from billing.models import JOB_REFUND_KINDS, CreditTransaction
from effects.models import Job, JobStatus
from effects.selectors.catalog import rendition_picture


def job_title(job: Job) -> str:
    """ "Oil paint for alice@example.com — Completed"."""
    return f"{job.effect.name} for {job.user.email} — {job.get_status_display()}"


def job_stage_label(job: Job) -> str:
    """The stage as staff read it: a finished job is done (or failed while at its last stage)."""
    if job.status == JobStatus.COMPLETED:
        return "Done"
    if job.status == JobStatus.FAILED:
        return f"Failed while: {job.get_stage_display().lower()}"
    return job.get_stage_display()


def duration_text(delta: timedelta | None) -> str:
    """A span of time as staff read it: "850 ms", "4.2 s", "3 min 5 s", "2 h 10 min"."""
    if delta is None:
        return "—"
    seconds = delta.total_seconds()
    if seconds < 0:
        return "—"
    if seconds < 1:
        return f"{round(seconds * 1000)} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def job_durations(job: Job) -> list[tuple[str, str]]:
    """Waiting in the queue, running, and in all (each "—" until it can be told)."""

    def between(start, end):
        return end - start if start and end else None

    return [
        ("Waiting (created → started)", duration_text(between(job.created_at, job.started_at))),
        ("Running (started → finished)", duration_text(between(job.started_at, job.completed_at))),
        ("In all (created → finished)", duration_text(between(job.created_at, job.completed_at))),
    ]


def job_pictures(job: Job) -> list[dict]:
    """The source photo and the result as images (their small copies where stored; URLs from the
    storage, signed when it is private), with each stored copy's size."""
    pictures = []
    for kind, label, file in (("source", "Before", job.source), ("result", "After", job.result)):
        copies = (job.renditions or {}).get(kind) or {}
        picture = rendition_picture(copies, file.storage)
        if picture is not None:
            src, width, height = picture["src"], picture["width"], picture["height"]
        elif file:
            src, width, height = file.url, None, None
        else:
            src = width = height = None
        pictures.append(
            {
                "kind": kind,
                "label": label,
                "src": src,
                "width": width,
                "height": height,
                "copies": [
                    {
                        "size": size,
                        "url": file.storage.url(copy["name"]),
                        "width": copy["width"],
                        "height": copy["height"],
                    }
                    for size, copy in sorted(copies.items())
                    if isinstance(copy, dict) and {"name", "width", "height"} <= copy.keys()
                ],
                "missing": "Not stored (deleted after the job, or never uploaded)" if kind == "source" else "No result",
            }
        )
    return pictures


def job_credits(job: Job, *, can_view_ledger: bool) -> dict:
    """The job's ledger rows (charge, refunds) with admin links, and whether and how it was refunded."""
    rows = list(CreditTransaction.objects.filter(job=job).order_by("created_at", "pk"))
    for row in rows:
        row.admin_url = _admin_url("admin:billing_credittransaction_change", row.pk) if can_view_ledger else None
    refund = next((row for row in rows if row.kind in JOB_REFUND_KINDS), None)
    ledger_url = None
    if can_view_ledger:
        ledger_url = _admin_url("admin:billing_credittransaction_changelist")
        ledger_url = f"{ledger_url}?{urlencode({'q': str(job.pk)})}" if ledger_url else None
    return {"rows": rows, "refund": refund, "ledger_url": ledger_url}


def _admin_url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None
