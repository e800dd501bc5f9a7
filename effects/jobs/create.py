"""A new job: the effect checked runnable, the credits charged and the row created in one transaction,
then enqueued after commit."""

from __future__ import annotations

import io
import logging
import math
import uuid
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.db import transaction

from billing.services import credits_balance_lock, credits_charge
from core.errors import ApplicationError, ErrorCode, InsufficientCredits
from effects.engines import EngineFailure, RunMode, get_engine, parse_model_id, validate_config
from effects.engines.limits import output_limits
from effects.engines.output import MIN_SIDE, OutputOptions, output_formats
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


def job_affordable_check(*, user, effect: Effect, count: int = 1) -> None:
    """Refuse early (InsufficientCredits) when the balance read with the request cannot pay for
    ``count`` runs of ``effect``, before any image work; ``job_create`` re-checks under the row lock."""
    if user.credits < effect.credits * count:
        raise InsufficientCredits(needed=effect.credits * count, available=user.credits)


def effect_output_max_side(*, effect: Effect) -> int:
    """The longest side ``maxSide`` may ask of the effect: what a local effect makes (IMAGE_MAX_SIDE),
    or for a provider's, the side of a square result at its declared output limit if that is larger."""
    try:
        ref = parse_model_id(effect.model_id)
        if get_engine(ref.engine).run_mode == RunMode.REMOTE:
            limit = output_limits(effect.config).max_pixels
            if limit:
                return max(settings.IMAGE_MAX_SIDE, math.isqrt(limit))
    except EngineFailure:
        pass  # refused as unavailable when the job is created
    return settings.IMAGE_MAX_SIDE


def job_output_check(*, effect: Effect, output_format: str | None, max_side: int | None) -> OutputOptions:
    """The output options checked against the effect (VALIDATION_ERROR naming ``outputFormat`` or ``maxSide``)."""
    if output_format:
        try:
            allowed = output_formats(effect.model_id)
        except EngineFailure:
            allowed = (output_format,)  # a broken effect is refused as unavailable, not here
        if output_format not in allowed:
            reason = (
                "its result is transparent (a cut-out), which JPEG cannot hold"
                if output_format == "jpeg"
                else "this effect does not make it"
            )
            raise ApplicationError(
                ErrorCode.VALIDATION_ERROR,
                "Invalid input",
                details={
                    "outputFormat": [
                        f"{effect.name} cannot be delivered as {output_format}: {reason}. "
                        f"Choose one of: {', '.join(allowed)}."
                    ]
                },
            )
    if max_side is not None:
        highest = effect_output_max_side(effect=effect)
        if not MIN_SIDE <= max_side <= highest:
            raise ApplicationError(
                ErrorCode.VALIDATION_ERROR,
                "Invalid input",
                details={"maxSide": [f"Must be between {MIN_SIDE} and {highest} for {effect.name}."]},
            )
    return OutputOptions(format=output_format or None, max_side=max_side)


@dataclass(frozen=True)
class JobSource:
    """One photo to apply an effect to: a URL checked by the caller, or a validated image's bytes as a
    file (a batch spools each one to disk as soon as it is validated, so twenty uploads are never all
    held in memory) with its extension."""

    url: str = ""
    file: IO[bytes] | None = None
    extension: str = ""

    @classmethod
    def from_image(cls, image: ValidatedImage) -> JobSource:
        return cls(file=io.BytesIO(image.data), extension=image.extension)


def job_create(
    *,
    user,
    effect: Effect,
    source: ValidatedImage | None = None,
    image_url: str = "",
    callback_url: str = "",
    output: OutputOptions | None = None,
) -> Job:
    """Charge the effect's credits and create a PENDING job in one transaction; enqueue after commit.

    Exactly one of ``source`` (validated uploaded bytes) or ``image_url`` (already checked by
    the caller, fetched again safely by the worker) must be given. The returned job carries
    ``credits_remaining``: the balance right after its charge.
    """
    if (source is None) == (not image_url):
        raise ValueError("give exactly one of source or image_url")
    effect_ensure_runnable(effect=effect)
    with transaction.atomic():
        job = _job_insert(
            user=user,
            effect=effect,
            source=JobSource.from_image(source) if source is not None else JobSource(url=image_url),
            callback_url=callback_url,
            output=output,
            queue=job_queue_for(user=user),
        )
    return job


def jobs_create_batch(
    *,
    user,
    effect: Effect,
    sources: list[JobSource],
    callback_url: str = "",
    output: OutputOptions | None = None,
) -> list[Job]:
    """One job per source, all charged in one transaction or none: the whole batch's credits are checked
    at once under the balance's row lock (InsufficientCredits names the batch's total). Each job has its
    own charge row, as a single apply does, and is enqueued after commit. The last job's
    ``credits_remaining`` is the balance after the whole batch."""
    if not sources or any((s.file is None) == (not s.url) for s in sources):
        raise ValueError("give each source exactly one of file or url")
    effect_ensure_runnable(effect=effect)
    queue = job_queue_for(user=user)
    needed = effect.credits * len(sources)
    with transaction.atomic():
        available = credits_balance_lock(user=user)
        if available < needed:
            raise InsufficientCredits(needed=needed, available=available)
        jobs = [
            _job_insert(user=user, effect=effect, source=source, callback_url=callback_url, output=output, queue=queue)
            for source in sources
        ]
    return jobs


def _job_insert(
    *, user, effect: Effect, source: JobSource, callback_url: str, output: OutputOptions | None, queue: str
) -> Job:
    """Inside the caller's transaction: the job row, its charge, its stored photo and its enqueue on commit."""
    job_id = uuid.uuid4()
    output = output or OutputOptions()
    job = Job(
        id=job_id,
        user=user,
        effect=effect,
        source_url=source.url,
        callback_url=callback_url,
        credits_charged=effect.credits,
        queue=queue,
        output_format=output.format or "",
        output_max_side=output.max_side,
    )
    if source.file is not None:
        # The key is fixed per job, so the row can name it before the bytes are written.
        job.source.name = job_source_upload_to(job, f"source.{source.extension}")
    job.save(force_insert=True)
    # The job row was inserted just above: no ledger row can name it yet, and any error
    # raised here rolls this whole transaction back.
    charge = credits_charge(
        user=user, amount=effect.credits, reference=f"charge:{job_id}", job=job, reference_is_new=True
    )
    job.credits_remaining = charge.balance_after
    if source.file is not None:
        # Stored inside the transaction: if the upload fails, no charge survives.
        source.file.seek(0)
        stored = job.source.storage.save(job.source.name, File(source.file, name=job.source.name))
        if stored != job.source.name:
            job.source.name = stored
            Job.objects.filter(pk=job.pk).update(source=stored)
    job_enqueue(job=job)
    return job
