"""A job's stored files: the renditions of its result and source."""

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from effects.jobs.run import job_claim, job_process
from effects.jobs.transitions import job_complete
from effects.models import JobStatus
from tests.effects.jobs.support import pending_job
from tests.support.factories import EffectFactory, JobFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db


def test_completed_job_stores_renditions_of_the_result_and_the_source_beside_them():
    job = JobFactory(effect=EffectFactory(model_id="local:grayscale"), status=JobStatus.PENDING)
    job.source.save("source.png", ContentFile(image_bytes("PNG", (1600, 1200))))

    job_process(job_id=job.pk)

    job.refresh_from_db()
    storage = job.result.storage
    assert set(job.renditions) == {"result", "source"}
    display = job.renditions["result"]["display"]
    assert (display["name"], display["width"], display["height"]) == (f"jobs/{job.pk}/result-display.jpg", 1024, 768)
    thumbnail = job.renditions["source"]["thumbnail"]
    with storage.open(thumbnail["name"]) as handle:
        assert Image.open(handle).size == (thumbnail["width"], thumbnail["height"]) == (320, 240)
    with storage.open(display["name"]) as handle:
        red, green, blue = Image.open(handle).convert("RGB").getpixel((500, 400))
    assert max(red, green, blue) - min(red, green, blue) <= 3  # the grayscale result, not the colour source


def test_a_result_stored_without_its_image_gets_renditions_from_its_bytes():
    job = pending_job(model_id="local:grayscale")
    claimed = job_claim(job_id=job.pk)

    job_complete(job=claimed, data=image_bytes("PNG", (2048, 1536)), extension="png")

    claimed.refresh_from_db()
    assert claimed.renditions["result"]["display"]["width"] == 1024
    assert set(claimed.renditions) == {"result", "source"}
