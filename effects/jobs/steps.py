"""What one worker step decided about a job (done, retry, wait) and when the next one runs."""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings

from effects.jobs.dispatch import DEFAULT_QUEUE


class JobOutcome(StrEnum):
    SKIPPED = "skipped"  # not ours to run (duplicate delivery, already terminal, unknown id)
    DONE = "done"  # reached a terminal status
    RETRY = "retry"  # transient failure: run process_job again after ``countdown``
    WAIT = "wait"  # waiting on the provider: poll again after ``countdown``


@dataclass(frozen=True)
class JobStep:
    outcome: JobOutcome
    countdown: float = 0.0
    queue: str = DEFAULT_QUEUE


def retry_countdown(attempt: int) -> float:
    """Exponential backoff with full jitter, bounded by JOB_RETRY_BACKOFF_MAX."""
    ceiling = min(settings.JOB_RETRY_BACKOFF_MAX, settings.JOB_RETRY_BACKOFF_BASE * 2 ** max(attempt - 1, 0))
    return random.uniform(ceiling / 2, ceiling)
