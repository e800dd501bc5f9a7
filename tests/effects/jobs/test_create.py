"""Creating a job (or a batch of them): an effect that cannot run is refused before anything is charged,
and a batch is charged whole or not at all."""

import pytest

from billing.models import CreditTransaction
from core.errors import ApplicationError, InsufficientCredits
from effects.ingestion import image_validate_bytes
from effects.jobs.create import JobSource, job_create, jobs_create_batch
from effects.models import Job
from tests.support.concurrency import run_concurrently
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db


def test_a_provider_effect_is_refused_before_any_charge_without_a_token(settings, user):
    settings.REPLICATE_API_TOKEN = ""
    effect = EffectFactory(model_id="replicate:acme/restore")

    with pytest.raises(ApplicationError) as exc:
        job_create(user=user, effect=effect, source=image_validate_bytes(image_bytes()))

    assert exc.value.code == "SERVICE_UNAVAILABLE"
    assert not Job.objects.filter(user=user).exists()


def _urls(count: int) -> list[JobSource]:
    return [JobSource(url=f"https://93.184.215.14/{i}.jpg") for i in range(count)]


def test_a_batch_charges_each_job_once_and_reports_the_balance_after_all_of_them(user):
    effect = EffectFactory(credits=2)

    jobs = jobs_create_batch(user=user, effect=effect, sources=_urls(3))

    charges = CreditTransaction.objects.filter(kind=CreditTransaction.Kind.EFFECT_CHARGE).order_by("balance_after")
    assert sorted(c.job_id for c in charges) == sorted(job.pk for job in jobs)
    assert [c.balance_after for c in charges] == [4, 6, 8]
    assert jobs[-1].credits_remaining == 4


def test_a_batch_the_balance_cannot_cover_raises_with_its_total_and_writes_nothing(user):
    effect = EffectFactory(credits=4)

    with pytest.raises(InsufficientCredits) as exc:
        jobs_create_batch(user=user, effect=effect, sources=_urls(3))

    assert exc.value.details == {"needed": 12, "available": 10}
    assert not Job.objects.exists() and not CreditTransaction.objects.filter(kind="EFFECT_CHARGE").exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_batches_cannot_overspend_the_balance_together():
    user = UserFactory()  # 10 credits
    effect = EffectFactory(credits=2)

    outcomes = run_concurrently(2, lambda _i: jobs_create_batch(user=user, effect=effect, sources=_urls(3)))

    assert sorted(type(o).__name__ for o in outcomes) == ["InsufficientCredits", "list"]
    user.refresh_from_db()
    assert user.credits == 4 and Job.objects.count() == 3
