"""Deleting a job: an unfinished one is cancelled and refunded once, its provider run cancelled later, its files removed."""

import base64
import json

import pytest

from billing.models import CreditTransaction
from billing.services import credits_charge
from effects.jobs.delete import job_delete
from effects.jobs.run import job_process
from effects.models import Job, JobStatus
from tests.effects.jobs.support import balance_matches_ledger, owing, pending_job, refunds

pytestmark = pytest.mark.django_db


def queued_tasks(broker, queue: str) -> list[tuple[str, list]]:
    """(task name, args) of the messages waiting in a Redis queue, oldest first."""
    messages = [json.loads(raw) for raw in reversed(broker.lrange(queue, 0, -1))]
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]


def test_deleting_a_pending_job_cancels_it_and_refunds_it_once(django_capture_on_commit_callbacks):
    job = pending_job()

    with django_capture_on_commit_callbacks(execute=True):
        job_delete(job=job)
        job_delete(job=job)  # a repeated delete (stale object) finds nothing to cancel

    assert not Job.objects.filter(pk=job.pk).exists()
    assert refunds(job) == 1
    assert not job.source.storage.exists(job.source.name)


def test_deleting_a_completed_job_refunds_nothing():
    job = pending_job()
    job_process(job_id=job.pk)

    job_delete(job=job)

    assert refunds(job) == 0


def test_deleting_a_processing_provider_job_queues_the_cancel_without_asking_the_provider(
    replicate_server, empty_broker, django_capture_on_commit_callbacks
):
    job = pending_job(model_id="replicate:acme/restore")
    job_process(job_id=job.pk)  # the prediction is started; the job waits on it
    job.refresh_from_db()
    assert job.status == JobStatus.PROCESSING

    with django_capture_on_commit_callbacks(execute=True):
        job_delete(job=job)

    assert replicate_server.cancels == []
    assert queued_tasks(empty_broker, "default") == [
        ("effects.cancel_prediction", [job.effect.model_id, job.provider_prediction_id])
    ]
    assert refunds(job) == 1


def test_deleting_a_job_deletes_its_renditions(django_capture_on_commit_callbacks):
    job = pending_job(model_id="local:grayscale")
    job_process(job_id=job.pk)
    job.refresh_from_db()
    storage = job.result.storage
    names = [r["name"] for kind in job.renditions.values() for r in kind.values()]

    with django_capture_on_commit_callbacks(execute=True):
        job_delete(job=job)

    assert len(names) == 4 and not any(storage.exists(name) for name in names)


def test_deleting_a_pending_job_while_owing_credits_applies_its_refund_to_the_debt():
    job = pending_job()
    credits_charge(user=job.user, amount=2, reference=f"charge:{job.pk}", job=job)
    owing(job.user, 5)

    job_delete(job=job)

    job.user.refresh_from_db()
    repayment = CreditTransaction.objects.get(kind=CreditTransaction.Kind.DEBT_REPAYMENT)
    assert (repayment.reference, repayment.amount) == (f"repay:refund:{job.pk}", -2)
    assert (job.user.credits, job.user.credit_debt) == (0, 3)
    assert balance_matches_ledger(job.user)
