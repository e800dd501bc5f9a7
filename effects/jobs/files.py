"""A job's stored files: its source (loaded or fetched again), its result's fixed keys, its renditions,
and every name a delete must remove."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile

from effects.ingestion import ValidatedImage, image_fetch, image_validate_bytes
from effects.models import Job, job_result_upload_to, job_source_upload_to
from effects.renditions import RENDITION_EXTENSIONS, RENDITION_SIZES, renditions_from_bytes, renditions_make

if TYPE_CHECKING:
    from PIL import Image

logger = logging.getLogger(__name__)


# The extensions an engine's output may have (the fixed result key ends with one of them).
RESULT_EXTENSIONS = ("jpg", "jpeg", "png", "webp")


def result_storage():
    """The storage of job files (results, sources and renditions live side by side)."""
    return Job._meta.get_field("result").storage


def job_source_load(*, job: Job) -> ValidatedImage:
    """The job's source image: the stored upload, or the URL fetched again SSRF-safely (then stored)."""
    if job.source:
        with job.source.open("rb") as handle:
            return image_validate_bytes(handle.read(), decode=False)
    # Checked again here, not only at apply time: DNS may now answer with a private address.
    source = image_fetch(job.source_url, user=job.user)
    job.source.save(f"source.{source.extension}", ContentFile(source.data), save=False)
    Job.objects.filter(pk=job.pk).update(source=job.source.name)
    return source


def job_renditions_store(
    *,
    job: Job,
    result: bytes,
    image: Image.Image | None = None,
    source_image: Image.Image | None = None,
) -> dict:
    """Store thumbnail and display copies of the result and the source beside them; their names and sizes.

    Made from the decoded images when given, else from the stored bytes. A copy that cannot be made
    is left out (pages then fall back to the full image), never failing the job.
    """
    storage = result_storage()
    renditions: dict = {}
    for kind, decoded in (("result", image), ("source", source_image)):
        try:
            if decoded is not None:
                made = renditions_make(decoded)
            elif kind == "result":
                made = renditions_from_bytes(result)
            elif job.source:
                with job.source.open("rb") as handle:
                    made = renditions_from_bytes(handle.read())
            else:
                continue
        except (OSError, ValueError):  # an image Pillow cannot re-read still completes the job
            logger.warning("job %s: no renditions of the %s", job.pk, kind, exc_info=True)
            continue
        renditions[kind] = {
            rendition.name: {
                "name": storage.save(
                    f"jobs/{job.pk}/{kind}-{rendition.name}.{rendition.extension}", ContentFile(rendition.data)
                ),
                "width": rendition.width,
                "height": rendition.height,
            }
            for rendition in made
        }
    return renditions


def job_rendition_names(job: Job) -> list[str]:
    """The stored names of the job's renditions (to delete with it)."""
    return [rendition["name"] for kind in (job.renditions or {}).values() for rendition in kind.values()]


def job_file_names(job: Job) -> set[str]:
    """Every name a job's files may have: the ones on the row and the fixed keys a worker writes."""
    names = {f.name for f in (job.source, job.result) if f}
    names |= {job_result_upload_to(job, f"result.{ext}") for ext in RESULT_EXTENSIONS}
    names.add(job_source_upload_to(job, "source"))
    names |= set(job_rendition_names(job))
    names |= {
        f"jobs/{job.pk}/{kind}-{size}.{ext}"
        for kind in ("result", "source")
        for size in RENDITION_SIZES
        for ext in RENDITION_EXTENSIONS
    }
    return names


def job_files_delete_if_gone(*, job: Job) -> bool:
    """A worker's clean-up after losing a race with a delete: True (and files removed) if the row is gone."""
    if Job.objects.filter(pk=job.pk).exists():
        return False
    storage = result_storage()
    for name in job_file_names(job):
        storage.delete(name)
    logger.info("job %s was deleted while it ran; its files are removed", job.pk)
    return True
