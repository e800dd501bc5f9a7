"""Image ingestion: the SSRF guard on image URLs (scheme, resolution, every non-public address class, the
audit row of a refusal), fetching a URL (redirects, byte cap, content checks) and upload validation
(header and data checks that never hold a full decode)."""

import struct
import zlib

import pytest
from PIL import PngImagePlugin

from accounts.models import AuditEvent
from core.errors import ApplicationError, ErrorCode
from core.http_status import http_status_for
from effects.ingestion import (
    PNG_TEXT_MAX_BYTES,
    PNG_TEXT_MAX_CHUNKS,
    image_fetch,
    image_url_check,
    image_validate_bytes,
)
from tests.support.images import hostile_png, image_bytes, photo_bytes, truncated_jpeg
from tests.support.memory import peak_rss_growth_mb


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a.jpg",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "javascript:alert(1)",
        "//example.com/a.jpg",
        "",
    ],
)
def test_url_check_refuses_non_http_schemes(url):
    with pytest.raises(ApplicationError) as exc:
        image_url_check(url)

    assert exc.value.code == ErrorCode.INVALID_INPUT


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/a.jpg",  # loopback
        "http://localhost:8000/a.jpg",  # loopback by name
        "http://10.1.2.3/a.jpg",  # private
        "http://172.16.0.1/a.jpg",  # private
        "http://192.168.1.1/a.jpg",  # private
        "http://169.254.169.254/latest/meta-data/",  # metadata
        "http://169.254.10.10/",  # link-local
        "http://100.64.0.1/",  # CGNAT
        "http://0.0.0.0/",  # unspecified
        "http://224.0.0.1/",  # multicast
        "http://240.0.0.1/",  # reserved
        "http://[::1]/a.jpg",  # IPv6 loopback
        "http://[fd00:ec2::254]/",  # IPv6 metadata
        "http://[fe80::1]/",  # IPv6 link-local
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped loopback
        "http://[::ffff:169.254.169.254]/",  # IPv4-mapped metadata
        "http://[::ffff:10.0.0.1]/",  # IPv4-mapped private
        "http://[::]/",  # IPv6 unspecified
        "http://2130706433/",  # 127.0.0.1 as a decimal integer
        "http://0x7f.0.0.1/",  # 127.0.0.1 in hex
    ],
)
def test_url_check_refuses_non_public_addresses(url):
    with pytest.raises(ApplicationError) as exc:
        image_url_check(url)

    assert exc.value.code == ErrorCode.INVALID_INPUT
    assert http_status_for(exc.value.code) == 400


def test_url_check_refuses_credentials_in_url():
    with pytest.raises(ApplicationError):
        image_url_check("http://user:pw@93.184.215.14/a.jpg")


def test_url_check_refuses_unresolvable_host():
    with pytest.raises(ApplicationError) as exc:
        image_url_check("http://does-not-exist.invalid/a.jpg")

    assert "resolved" in exc.value.message


def test_url_check_accepts_public_ip_literal():
    assert image_url_check("https://93.184.215.14/a.jpg") == "https://93.184.215.14/a.jpg"


def test_url_check_lets_allow_listed_host_through(settings):
    settings.IMAGE_FETCH_ALLOWED_HOSTS = ["localhost"]

    assert image_url_check("http://localhost:8000/a.jpg") == "http://localhost:8000/a.jpg"


def test_fetch_returns_validated_image(http_server):
    http_server.routes["/a.png"] = (200, {"Content-Type": "image/png"}, image_bytes("PNG"))

    image = image_fetch(http_server.url("/a.png"))

    assert (image.format, image.width, image.height) == ("PNG", 64, 48)


def test_fetch_follows_up_to_three_redirects(http_server):
    http_server.routes["/a.jpg"] = (200, {}, image_bytes("JPEG"))
    http_server.routes["/r1"] = (302, {"Location": "/r2"}, b"")
    http_server.routes["/r2"] = (302, {"Location": "/r3"}, b"")
    http_server.routes["/r3"] = (301, {"Location": http_server.url("/a.jpg")}, b"")

    assert image_fetch(http_server.url("/r1")).format == "JPEG"


def test_fetch_refuses_a_fourth_redirect(http_server):
    http_server.routes["/a.jpg"] = (200, {}, image_bytes("JPEG"))
    for i in range(1, 5):
        http_server.routes[f"/r{i}"] = (302, {"Location": f"/r{i + 1}"}, b"")
    http_server.routes["/r5"] = (302, {"Location": "/a.jpg"}, b"")

    with pytest.raises(ApplicationError, match="redirected more than 3"):
        image_fetch(http_server.url("/r1"))


def test_fetch_refuses_redirect_to_a_private_address(http_server):
    # The first hop is allow-listed; the redirect goes to a loopback name that is not.
    http_server.routes["/a.jpg"] = (200, {}, image_bytes("JPEG"))
    http_server.routes["/evil"] = (302, {"Location": http_server.url("/a.jpg", host="localhost")}, b"")

    with pytest.raises(ApplicationError, match="private or reserved"):
        image_fetch(http_server.url("/evil"))


def test_fetch_refuses_body_over_the_byte_cap(http_server, settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 1024
    http_server.routes["/big"] = (200, {}, b"x" * 5000)

    with pytest.raises(ApplicationError) as exc:
        image_fetch(http_server.url("/big"))

    assert exc.value.code == ErrorCode.PAYLOAD_TOO_LARGE


def test_fetch_refuses_content_that_is_not_an_image(http_server):
    http_server.routes["/page"] = (200, {"Content-Type": "image/png"}, b"<svg xmlns='http://www.w3.org/2000/svg'/>")

    with pytest.raises(ApplicationError, match="not a JPEG, PNG or WEBP"):
        image_fetch(http_server.url("/page"))


def test_fetch_reports_http_errors(http_server):
    with pytest.raises(ApplicationError, match="HTTP 404"):
        image_fetch(http_server.url("/missing"))


def test_fetch_refuses_metadata_address_without_connecting():
    with pytest.raises(ApplicationError) as exc:
        image_fetch("http://169.254.169.254/latest/meta-data/")

    assert exc.value.code == ErrorCode.INVALID_INPUT


def test_an_image_url_refused_by_the_ssrf_guard_is_audited(user):
    from rest_framework.test import APIClient

    from tests.support.api import session_token_for
    from tests.support.factories import EffectFactory

    effect = EffectFactory()
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(user))

    response = client.post(
        "/api/effects/apply",
        {"effectId": effect.slug, "imageUrl": "http://169.254.169.254/latest/meta-data/"},
        format="json",
        headers={"X-Request-ID": "req-ssrf-12345678"},
    )

    event = AuditEvent.objects.get(event=AuditEvent.Event.SSRF_REFUSED)
    assert response.status_code == 400
    assert event.data == {
        "url": "http://169.254.169.254/latest/meta-data/",
        "host": "169.254.169.254",
        "address": "169.254.169.254",
    }
    assert event.request_id == "req-ssrf-12345678"
    assert event.user == user and event.actor == user


def test_an_image_url_refused_on_the_effect_page_is_audited_with_the_user(client, user):
    from django.urls import reverse

    from tests.support.factories import EffectFactory

    effect = EffectFactory()
    client.force_login(user)

    response = client.post(
        reverse("effect_detail", args=[effect.slug]), {"image_url": "http://169.254.169.254/latest/meta-data/"}
    )

    event = AuditEvent.objects.get(event=AuditEvent.Event.SSRF_REFUSED)
    assert response.status_code == 400
    assert event.user == user and event.actor == user
    assert event.ip_address == "127.0.0.1"


def test_an_image_url_refused_when_the_worker_fetches_it_is_audited_with_the_jobs_user(user):
    from effects.jobs.files import job_source_load
    from tests.support.factories import JobFactory

    # Public when applied, private when fetched (DNS can answer differently the second time).
    job = JobFactory(user=user, source_url="http://169.254.169.254/latest/meta-data/")

    with pytest.raises(ApplicationError):
        job_source_load(job=job)

    event = AuditEvent.objects.get(event=AuditEvent.Event.SSRF_REFUSED)
    assert event.user == user and event.actor is None


# --- Upload validation: header and data checks, at a bounded memory cost ----------------------


def test_validating_a_16_bit_50_megapixel_png_does_not_decode_its_pixels():
    data = hostile_png("I;16")

    growth = peak_rss_growth_mb(lambda: image_validate_bytes(data))

    assert growth < 40  # the decoded image alone would be 100 MB


def test_validating_an_rgba_50_megapixel_png_does_not_decode_its_pixels():
    data = hostile_png("RGBA")

    growth = peak_rss_growth_mb(lambda: image_validate_bytes(data))

    assert growth < 40  # the decoded image alone would be 200 MB


def test_a_truncated_jpeg_is_refused_by_the_reduced_scale_decode():
    with pytest.raises(ApplicationError) as caught:
        image_validate_bytes(truncated_jpeg())

    assert caught.value.code == ErrorCode.INVALID_INPUT


def test_a_png_with_a_damaged_chunk_is_refused_without_decoding():
    data = bytearray(image_bytes("PNG", (64, 48)))
    data[60] ^= 0xFF  # inside the compressed pixel data: the chunk's CRC no longer matches

    with pytest.raises(ApplicationError) as caught:
        image_validate_bytes(bytes(data))

    assert caught.value.code == ErrorCode.INVALID_INPUT


def _png_with_chunk(kind: bytes, body: bytes) -> bytes:
    base = image_bytes("PNG", (8, 8))
    chunk = struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return base[:-12] + chunk + base[-12:]  # before IEND


@pytest.mark.parametrize(
    "kind, body",
    [
        (b"zTXt", b"Comment\x00\x00" + zlib.compress(b"A" * (8 * 1024 * 1024), 9)),
        (b"iTXt", b"Comment\x00\x01\x00en\x00\x00" + zlib.compress(b"A" * (8 * 1024 * 1024), 9)),
    ],
    ids=["ztxt", "itxt"],
)
def test_a_png_whose_compressed_text_inflates_past_the_limit_is_refused(kind, body):
    with pytest.raises(ApplicationError) as caught:
        image_validate_bytes(_png_with_chunk(kind, body))

    assert caught.value.code == ErrorCode.INVALID_INPUT


def test_a_png_with_a_small_compressed_comment_is_accepted():
    data = _png_with_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"made with love", 9))

    assert image_validate_bytes(data).format == "PNG"


class _InflateCounter:
    """Counts every zlib inflation (ours and Pillow's) and the bytes it produced; the real zlib runs."""

    def __init__(self, monkeypatch):
        self.calls = 0
        self.bytes = 0
        real = zlib.decompressobj
        counter = self

        class CountingDecompressor:
            def __init__(self, *args, **kwargs):
                self._real = real(*args, **kwargs)

            def decompress(self, data, max_length=0):
                counter.calls += 1
                out = self._real.decompress(data, max_length)
                counter.bytes += len(out)
                return out

            def __getattr__(self, name):
                return getattr(self._real, name)

        monkeypatch.setattr(zlib, "decompressobj", CountingDecompressor)


def _png_with_chunks(kind: bytes, body: bytes, count: int) -> bytes:
    base = image_bytes("PNG", (8, 8))
    chunk = struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return base[:-12] + chunk * count + base[-12:]  # before IEND


def test_a_png_with_thousands_of_compressed_text_chunks_is_refused_after_the_text_budget(monkeypatch):
    # Each chunk inflates to just under Pillow's per-chunk limit: 5,000 of them are ~5 GB of text.
    body = b"Comment\x00\x00" + zlib.compress(b"A" * (PngImagePlugin.MAX_TEXT_CHUNK - 1024), 9)
    data = _png_with_chunks(b"zTXt", body, 5000)
    inflations = _InflateCounter(monkeypatch)

    with pytest.raises(ApplicationError) as caught:
        image_validate_bytes(data)

    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert inflations.bytes <= PNG_TEXT_MAX_BYTES + 1
    assert inflations.calls <= PNG_TEXT_MAX_BYTES // (PngImagePlugin.MAX_TEXT_CHUNK - 1024) + 1


def test_a_png_with_thousands_of_small_text_chunks_is_refused_after_the_chunk_cap(monkeypatch):
    data = _png_with_chunks(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"made with love", 9), 5000)
    inflations = _InflateCounter(monkeypatch)

    with pytest.raises(ApplicationError) as caught:
        image_validate_bytes(data)

    assert caught.value.code == ErrorCode.INVALID_INPUT
    assert inflations.calls == PNG_TEXT_MAX_CHUNKS


def test_a_png_with_an_xmp_packet_and_a_few_comments_is_accepted():
    data = _png_with_chunks(b"tEXt", b"Comment\x00made with love", 3)
    xmp = b"XML:com.adobe.xmp\x00\x01\x00\x00\x00" + zlib.compress(b"<x:xmpmeta/>" * 20_000, 9)
    data = (
        data[:-12]
        + struct.pack(">I", len(xmp))
        + b"iTXt"
        + xmp
        + struct.pack(">I", zlib.crc32(b"iTXt" + xmp))
        + data[-12:]
    )

    assert image_validate_bytes(data).format == "PNG"


def test_a_valid_jpeg_reports_its_full_size():
    image = image_validate_bytes(photo_bytes((640, 480), fmt="JPEG"))

    assert (image.format, image.width, image.height) == ("JPEG", 640, 480)
