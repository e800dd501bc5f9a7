"""A user's jobs as personal data: erased with every stored file, exported with their images."""

import io
import json
import zipfile

from django.core.files.base import ContentFile
from django.db.models import Sum

from accounts import personal_data
from billing.models import CreditTransaction
from effects.ingestion import image_validate_bytes
from effects.jobs.create import job_create
from effects.jobs.erasure import jobs_erase_for_user, jobs_export_for_user
from effects.models import Job
from tests.support.factories import EffectFactory, JobFactory
from tests.support.images import image_bytes


def stored(root) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_the_jobs_handler_is_registered_for_deletion_and_export():
    (handler,) = [h for h in personal_data.handlers() if h.name == "jobs"]

    assert handler.erase is jobs_erase_for_user and handler.export is jobs_export_for_user


def test_an_unfinished_job_is_refunded_once_and_erasing_again_finds_nothing(user):
    job_create(user=user, effect=EffectFactory(credits=3), source=image_validate_bytes(image_bytes("PNG")))
    user.refresh_from_db()
    assert user.credits == 7

    assert jobs_erase_for_user(user=user) == 1
    assert jobs_erase_for_user(user=user) == 0

    user.refresh_from_db()
    assert user.credits == 10
    assert CreditTransaction.objects.filter(user=user, kind=CreditTransaction.Kind.REFUND).count() == 1
    assert user.credits == CreditTransaction.objects.filter(user=user).aggregate(s=Sum("amount"))["s"]


def test_files_a_worker_wrote_under_the_jobs_fixed_names_are_deleted_even_if_the_row_does_not_list_them(
    user, media_storage
):
    job = JobFactory(user=user, status="COMPLETED")
    storage = Job._meta.get_field("result").storage
    for name in ("source", "result.png", "result-display.jpg", "source-thumbnail.webp"):
        storage.save(f"jobs/{job.pk}/{name}", ContentFile(b"x"))

    jobs_erase_for_user(user=user)

    assert stored(media_storage) == set()
    assert not Job.objects.filter(pk=job.pk).exists()


def test_other_users_jobs_and_files_are_left_alone(user, other_user, media_storage):
    mine = JobFactory(user=user, status="COMPLETED")
    theirs = JobFactory(user=other_user, status="COMPLETED")
    theirs.source.save("source", ContentFile(b"theirs"))
    mine.source.save("source", ContentFile(b"mine"))

    jobs_erase_for_user(user=user)

    assert stored(media_storage) == {f"jobs/{theirs.pk}/source"}
    assert Job.objects.filter(pk=theirs.pk).exists()


def test_a_missing_stored_file_is_left_out_of_the_export_without_failing_it(user):
    job = JobFactory(user=user, status="COMPLETED")
    job.source.save("source", ContentFile(image_bytes("JPEG")))
    Job.objects.filter(pk=job.pk).update(result=f"jobs/{job.pk}/result.png")  # recorded, but never stored
    buffer = io.BytesIO()

    with zipfile.ZipFile(buffer, "w") as zip_file:
        jobs_export_for_user(user=user, archive=personal_data.ExportArchive(zip_file))

    archive = zipfile.ZipFile(buffer)
    (entry,) = json.loads(archive.read("jobs.json"))
    assert entry["files"] == {"source": f"images/{job.pk}/source.jpg"}
    assert archive.read(f"images/{job.pk}/source.jpg") == image_bytes("JPEG")
