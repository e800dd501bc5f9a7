"""A corpus of hostile uploads, generated here: each is refused with a 4xx (nothing charged) or
accepted and processed by a real worker to a correct result; never a 5xx, a stuck job or a
charge without a job."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from PIL import Image
from rest_framework.test import APIClient

from billing.models import CreditTransaction
from effects.models import Job, JobStatus
from tests.support.api import session_token_for
from tests.support.concurrency import wait_for
from tests.support.factories import EffectFactory, UserFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)

PAYLOAD = b"<script>alert(document.cookie)</script><?php system($_GET['c']); ?>"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 10_000) -> bytes:
    """A real decompression bomb: side x side grey pixels of zeros, a few hundred KB compressed."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (side + 1)  # filter byte + pixels
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def png_text_bomb() -> bytes:
    """A tiny PNG whose zTXt chunk inflates to 64 MB."""
    base = image_bytes("PNG", (8, 8))
    text = b"Comment\x00\x00" + zlib.compress(b"A" * (64 * 1024 * 1024), 9)
    return base[:-12] + _png_chunk(b"zTXt", text) + base[-12:]


def jpeg_huge_dimensions() -> bytes:
    """A small JPEG whose frame header claims 65000 x 65000 pixels."""
    data = bytearray(image_bytes("JPEG", (16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 65000, 65000)
    return bytes(data)


def truncated_jpeg() -> bytes:
    data = image_bytes("JPEG", (256, 192))
    return data[: len(data) // 2]


def polyglot_jpeg() -> bytes:
    """A valid JPEG with HTML/PHP after its end marker (and in a comment segment)."""
    data = image_bytes("JPEG", (64, 48))
    comment = b"\xff\xfe" + struct.pack(">H", len(PAYLOAD) + 2) + PAYLOAD
    return data[:2] + comment + data[2:] + PAYLOAD


def cmyk_jpeg() -> bytes:
    return image_bytes("JPEG", (64, 48), (10, 200, 30, 5), mode="CMYK")


def png_16_bit() -> bytes:
    return image_bytes("PNG", (64, 48), 40000, mode="I;16")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"

REFUSED = {
    "zero-bytes": lambda: b"",
    "truncated-jpeg": truncated_jpeg,
    "png-decompression-bomb": png_bomb,
    "png-ztxt-bomb": png_text_bomb,
    "jpeg-65000x65000-header": jpeg_huge_dimensions,
    "svg-with-script": lambda: SVG,
    "gif": lambda: GIF,
    "html-named-jpg": lambda: b"<!doctype html><html><body>" + PAYLOAD + b"</body></html>",
}
ACCEPTED = {
    "polyglot-jpeg-with-html-and-php": polyglot_jpeg,
    "cmyk-jpeg": cmyk_jpeg,
    "16-bit-grey-png": png_16_bit,
}


def apply(user, effect, data: bytes):
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(user))
    upload = SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")
    return client.post("/api/effects/apply", {"effectId": effect.slug, "image": upload}, format="multipart")


def ledger_sum(user) -> int:
    return CreditTransaction.objects.filter(user=user).aggregate(s=Sum("amount"))["s"] or 0


@pytest.mark.parametrize("name", REFUSED)
def test_hostile_upload_is_refused_with_a_4xx_and_charges_nothing(name):
    user = UserFactory()
    effect = EffectFactory(model_id="local:sepia")

    response = apply(user, effect, REFUSED[name]())

    user.refresh_from_db()
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response.json()["success"] is False
    assert not Job.objects.filter(user=user).exists()
    assert user.credits == ledger_sum(user) == 10


@pytest.mark.parametrize("name", ACCEPTED)
def test_odd_but_valid_upload_is_processed_by_a_worker_to_a_clean_image(name, celery_worker_pipeline):
    user = UserFactory()
    effect = EffectFactory(model_id="local:sepia", config={"format": "png"})

    response = apply(user, effect, ACCEPTED[name]())
    job = wait_for(
        lambda: Job.objects.filter(
            pk=response.json()["data"]["jobId"], status__in=[JobStatus.COMPLETED, JobStatus.FAILED]
        ).first(),
        message="the job to finish",
    )

    user.refresh_from_db()
    assert response.status_code == 200
    assert job.status == JobStatus.COMPLETED, job.error_message
    with job.result.open("rb") as handle:
        result = handle.read()
    assert PAYLOAD not in result
    assert Image.open(io.BytesIO(result)).mode in ("RGB", "RGBA")
    assert user.credits == ledger_sum(user) == 9
