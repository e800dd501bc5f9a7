"""Hostile images: tiny PNGs that decode to 50 megapixels (16-bit grey, RGBA), uploaded through
POST /api/effects/apply and processed by a worker. Reports the peak resident memory (VmHWM) of
the web process and of the worker process that handled them, beside the same processes' peak
after an ordinary 640x480 upload in the same run."""

from __future__ import annotations

import json
from pathlib import Path

from bench import data
from bench.harness import Row, celery_worker, gunicorn, http, report, wait_until

WEB_TARGET_MB = 200
WORKER_TARGET_MB = 600


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _apply(server, token: str, slug: str, name: str, content_type: str, image: bytes) -> str:
    body, multipart_type = data.multipart({"effectId": slug}, {"image": (name, content_type, image)})
    status, reply = http(
        "POST",
        server.base + "/api/effects/apply",
        body=body,
        headers={"X-Session-Token": token, "Content-Type": multipart_type},
    )
    assert status == 200, reply[:300]
    return json.loads(reply)["data"]["jobId"]


def _finish(job_id: str):
    from effects.models import Job, JobStatus

    return wait_until(
        lambda: Job.objects.filter(pk=job_id, status__in=[JobStatus.COMPLETED, JobStatus.FAILED]).first(),
        timeout=180,
        interval=0.1,
        what="the job to finish",
    )


def run() -> list[Row]:
    data.reset()
    [effect] = data.effects_create(1, model_id="local:grayscale")
    [user] = data.users_create(1, credits=1000, prefix="hostile")
    cases = [
        ("ordinary 640x480 JPEG", "photo.jpg", "image/jpeg", data.photo_jpeg(640, 480)),
        ("16-bit 7071x7071 PNG", "deep.png", "image/png", data.hostile_png("I;16")),
        ("RGBA 7071x7071 PNG", "alpha.png", "image/png", data.hostile_png("RGBA")),
    ]
    rows = []
    # One web process and one worker process, fresh for each image, so each peak is that image's.
    for what, name, content_type, image in cases:
        with gunicorn(workers=1) as server, celery_worker(concurrency=1) as worker:
            token = data.session_token(server.base, user.email)
            [web_pid] = _children(server.process.pid)
            job = _finish(_apply(server, token, effect.slug, name, content_type, image))
            web_mb = _peak_mb(web_pid)
            worker_mb = max(_peak_mb(pid) for pid in _children(worker.pid))
        rows.append((what, len(image), job.status, web_mb, worker_mb))

    baseline = rows[0]
    out = []
    for what, size, status, web_mb, worker_mb in rows:
        met = web_mb <= WEB_TARGET_MB and worker_mb <= WORKER_TARGET_MB and status == "COMPLETED"
        out.append(
            Row(
                f"upload + job: {what} ({size / 1024:,.0f} KB)",
                f"peak RSS web {web_mb:.0f} MB, worker {worker_mb:.0f} MB; job {status}",
                f"ordinary upload: web {baseline[3]:.0f} MB, worker {baseline[4]:.0f} MB",
                f"web {web_mb - baseline[3]:+.0f} MB, worker {worker_mb - baseline[4]:+.0f} MB",
                f"web <= {WEB_TARGET_MB} MB, worker <= {WORKER_TARGET_MB} MB",
                met,
            )
        )
    report("Hostile images: peak resident memory of the processes that handled them", out)
    return out
