"""Goodwill refunds of completed jobs: once per job, recorded, and never on top of a failure refund."""

import pytest

from accounts.models import AuditEvent
from billing.models import JOB_REFUND_KINDS, CreditTransaction
from billing.services import credits_charge, credits_grant
from core.errors import AlreadyRefunded, ApplicationError
from effects.jobs.refunds import job_goodwill_refund
from effects.jobs.transitions import job_fail, job_retry
from effects.models import Job, JobStatus
from tests.effects.jobs.support import balance_matches_ledger, owing
from tests.support.factories import JobFactory

pytestmark = pytest.mark.django_db


def charged_job(status=JobStatus.COMPLETED, credits=3) -> Job:
    # A job made from an image URL: its photo can always be fetched again (a retry needs one).
    job = JobFactory(status=status, credits_charged=credits, source_url="https://93.184.215.14/photo.jpg")
    credits_grant(user=job.user, amount=credits, kind=CreditTransaction.Kind.ADMIN_ADJUSTMENT, reference=f"t:{job.pk}")
    credits_charge(user=job.user, amount=credits, reference=f"charge:{job.pk}", job=job)
    return job


def test_goodwill_refund_gives_a_completed_jobs_credits_back_and_keeps_it_completed(staff_user):
    job = charged_job(credits=3)
    before = job.user.credits

    row, created = job_goodwill_refund(job=job, actor=staff_user, note="took too long")

    job.refresh_from_db()
    job.user.refresh_from_db()
    assert (row.reference, row.kind, row.amount) == (f"goodwill:{job.pk}", "GOODWILL_REFUND", 3)
    assert created
    assert job.user.credits == before + 3
    assert job.status == JobStatus.COMPLETED and job.error_code == ""
    assert balance_matches_ledger(job.user)


def test_goodwill_refund_records_who_gave_it(staff_user):
    job = charged_job()

    row, _created = job_goodwill_refund(job=job, actor=staff_user, note="took too long", ip="203.0.113.9")

    audit = AuditEvent.objects.get(event=AuditEvent.Event.JOB_GOODWILL_REFUND)
    assert row.created_by == staff_user and row.note == "took too long"
    assert (audit.actor, audit.user, audit.ip_address) == (staff_user, job.user, "203.0.113.9")
    assert audit.data["job"] == str(job.pk) and audit.data["amount"] == 3


def test_goodwill_refund_repeated_refunds_once(staff_user):
    job = charged_job()

    first = job_goodwill_refund(job=job, actor=staff_user, note="once")
    second = job_goodwill_refund(job=job, actor=staff_user, note="twice")

    assert first.row.pk == second.row.pk
    assert (first.created, second.created) == (True, False)
    assert CreditTransaction.objects.filter(job=job, kind__in=JOB_REFUND_KINDS).count() == 1
    assert AuditEvent.objects.filter(event=AuditEvent.Event.JOB_GOODWILL_REFUND).count() == 1
    assert balance_matches_ledger(job.user)


@pytest.mark.parametrize("status", [JobStatus.PENDING, JobStatus.PROCESSING, JobStatus.FAILED])
def test_goodwill_refund_is_refused_for_a_job_that_is_not_completed(staff_user, status):
    job = charged_job(status=status)

    with pytest.raises(ApplicationError, match="Only completed jobs"):
        job_goodwill_refund(job=job, actor=staff_user, note="no")

    assert not CreditTransaction.objects.filter(reference=f"goodwill:{job.pk}").exists()


def test_goodwill_refund_is_refused_for_a_job_already_refunded_for_a_failure(staff_user):
    job = charged_job(status=JobStatus.PENDING)
    job_fail(job=job, message="broken")
    job_retry(job=job)  # a refunded job re-runs free of charge...
    Job.objects.filter(pk=job.pk).update(status=JobStatus.COMPLETED)  # ...and completes

    with pytest.raises(AlreadyRefunded):
        job_goodwill_refund(job=job, actor=staff_user, note="again")

    assert CreditTransaction.objects.filter(job=job, kind__in=JOB_REFUND_KINDS).count() == 1
    assert balance_matches_ledger(job.user)


def test_admin_fail_leaves_a_completed_job_and_its_credits_alone():
    job = charged_job()
    credits = job.user.credits

    failed = job_fail(job=job, message="result was wrong after all")

    job.refresh_from_db()
    job.user.refresh_from_db()
    assert failed is False
    assert job.status == JobStatus.COMPLETED
    assert not CreditTransaction.objects.filter(reference=f"refund:{job.pk}").exists()
    assert job.user.credits == credits
    assert not AuditEvent.objects.filter(event=AuditEvent.Event.ADMIN_JOB_FAILED).exists()


def test_admin_fail_of_an_in_flight_job_is_audited(staff_user):
    job = charged_job(status=JobStatus.PROCESSING)

    job_fail(job=job, message="stuck", actor=staff_user)

    row = AuditEvent.objects.get(event=AuditEvent.Event.ADMIN_JOB_FAILED)
    assert (row.user, row.actor, row.data["job"], row.data["refunded"]) == (job.user, staff_user, str(job.pk), 3)


def test_failing_a_job_refunded_as_goodwill_refunds_nothing_more(staff_user):
    job = charged_job()
    job_goodwill_refund(job=job, actor=staff_user, note="goodwill")
    job.user.refresh_from_db()
    credits = job.user.credits

    job_fail(job=job, message="result was wrong after all")

    job.refresh_from_db()
    job.user.refresh_from_db()
    assert job.status == JobStatus.COMPLETED  # a completed job is never failed by staff
    assert not CreditTransaction.objects.filter(reference=f"refund:{job.pk}").exists()
    assert job.user.credits == credits
    assert balance_matches_ledger(job.user)


def test_a_goodwill_refund_while_owing_credits_goes_to_the_debt_first(staff_user):
    job = charged_job(credits=3)
    owing(job.user, 2)

    row, created = job_goodwill_refund(job=job, actor=staff_user, note="took too long")

    job.user.refresh_from_db()
    assert (row.kind, row.amount, created) == ("GOODWILL_REFUND", 3, True)
    assert (job.user.credits, job.user.credit_debt) == (1, 0)
    assert balance_matches_ledger(job.user)
