"""What the job tests share: a pending job with a stored source, and how often a job was refunded."""

from django.core.files.base import ContentFile

from billing.models import CreditTransaction
from effects.models import Job, JobStatus
from tests.support.factories import EffectFactory, JobFactory
from tests.support.images import image_bytes


def pending_job(**effect_kwargs) -> Job:
    job = JobFactory(effect=EffectFactory(**effect_kwargs), status=JobStatus.PENDING, credits_charged=2)
    job.source.save("source.png", ContentFile(image_bytes("PNG")))
    return job


def refunds(job) -> int:
    return CreditTransaction.objects.filter(reference=f"refund:{job.pk}").count()
