"""A new job: the effect checked runnable, the credits charged and the row created in one transaction,
then enqueued after commit."""

from __future__ import annotations

import logging
import uuid

from django.core.files.base import ContentFile
from django.db import transaction

from billing.services import credits_charge
from core.errors import ApplicationError, ErrorCode, InsufficientCredits
from effects.engines import EngineFailure, validate_config
from effects.ingestion import ValidatedImage
from effects.jobs.dispatch import job_enqueue, job_queue_for
from effects.models import Effect, Job, job_source_upload_to
from effects.selectors.catalog import effect_unavailable_reason

logger = logging.getLogger(__name__)


def effect_ensure_runnable(*, effect: Effect) -> None:
    """Refuse (SERVICE_UNAVAILABLE, nothing charged) an effect whose engine, config or model is not usable now."""
    reason = effect_unavailable_reason(effect=effect)
    if reason:
        logger.error("effect %s cannot run: %s", effect.slug, reason)
        raise ApplicationError(
            ErrorCode.SERVICE_UNAVAILABLE, "This effect is temporarily unavailable; you were not charged"
        )
    try:
        validate_config(effect.model_id, effect.config)
    except EngineFailure as exc:
        logger.error("effect %s cannot run: %s", effect.slug, exc.message)
        raise ApplicationError(
            ErrorCode.SERVICE_UNAVAILABLE, "This effect is temporarily unavailable; you were not charged"
        ) from None


def job_affordable_check(*, user, effect: Effect) -> None:
    """Refuse early (InsufficientCredits) when the balance read with the request cannot pay for
    ``effect``, before any image work; ``job_create`` re-checks under the row lock."""
    if user.credits < effect.credits:
        raise InsufficientCredits(needed=effect.credits, available=user.credits)


def job_create(
    *,
    user,
    effect: Effect,
    source: ValidatedImage | None = None,
    image_url: str = "",
    callback_url: str = "",
) -> Job:
    """Charge the effect's credits and create a PENDING job in one transaction; enqueue after commit.

    Exactly one of ``source`` (validated uploaded bytes) or ``image_url`` (already checked by
    the caller, fetched again safely by the worker) must be given.
    """
    if (source is None) == (not image_url):
        raise ValueError("give exactly one of source or image_url")
    effect_ensure_runnable(effect=effect)
    job_id = uuid.uuid4()
    with transaction.atomic():
        job = Job(
            id=job_id,
            user=user,
            effect=effect,
            source_url=image_url,
            callback_url=callback_url,
            credits_charged=effect.credits,
            queue=job_queue_for(user=user),
        )
        if source is not None:
            # The key is fixed per job, so the row can name it before the bytes are written.
            job.source.name = job_source_upload_to(job, f"source.{source.extension}")
        job.save(force_insert=True)
        # The job row was inserted just above: no ledger row can name it yet, and any error
        # raised here rolls this whole transaction back.
        credits_charge(user=user, amount=effect.credits, reference=f"charge:{job_id}", job=job, reference_is_new=True)
        if source is not None:
            # Stored inside the transaction: if the upload fails, no charge survives.
            stored = job.source.storage.save(job.source.name, ContentFile(source.data))
            if stored != job.source.name:
                job.source.name = stored
                Job.objects.filter(pk=job.pk).update(source=stored)
        job_enqueue(job=job)
    return job
