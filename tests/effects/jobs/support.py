"""What the job tests share: a pending job with a stored source, how often a job was refunded, a user who
owes credits, and the balance == ledger invariant."""

from django.core.files.base import ContentFile
from django.db.models import Sum

from billing.models import CreditTransaction
from billing.services import credits_charge, credits_grant, credits_revoke
from effects.models import Job, JobStatus
from tests.support.factories import EffectFactory, JobFactory
from tests.support.images import image_bytes


def pending_job(**effect_kwargs) -> Job:
    job = JobFactory(effect=EffectFactory(**effect_kwargs), status=JobStatus.PENDING, credits_charged=2)
    job.source.save("source.png", ContentFile(image_bytes("PNG")))
    return job


def owing(user, amount: int) -> None:
    """Spend the user's whole balance on a pack that is then refunded, leaving ``amount`` credits owed."""
    credits_grant(user=user, amount=amount, kind=CreditTransaction.Kind.PURCHASE, reference=f"pack:owed-{user.pk}")
    user.refresh_from_db()
    credits_charge(user=user, amount=user.credits, reference=f"charge:all-{user.pk}")
    credits_revoke(user=user, amount=amount, reference=f"pack-refund:owed-{user.pk}")


def balance_matches_ledger(user) -> bool:
    user.refresh_from_db()
    ledger = CreditTransaction.objects.filter(user=user).aggregate(
        s=Sum("amount"), p=Sum("purchased_amount"), d=Sum("debt_amount")
    )
    return (
        user.credits == ledger["s"]
        and user.purchased_credits == (ledger["p"] or 0)
        and user.credit_debt == (ledger["d"] or 0)
    )


def refunds(job) -> int:
    return CreditTransaction.objects.filter(reference=f"refund:{job.pk}").count()
