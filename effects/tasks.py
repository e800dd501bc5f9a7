"""Celery tasks for jobs: thin wrappers that load by id and call a service."""

from celery import shared_task


@shared_task(name="effects.process_job")
def process_job(job_id: str) -> None:
    """Run one job."""
    from effects.services import job_process

    job_process(job_id=job_id)
