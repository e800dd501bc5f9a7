"""Metadata removal: no GPS, camera, timestamps, comments or text leave the upload step; the
picture (pixels, colour profile, orientation) stays exactly as it was."""

import io
import struct

import numpy as np
import pytest
from PIL import Image, ImageCms, PngImagePlugin

from effects.metadata import MetadataError, metadata_strip
from tests.support.images import photo_bytes

GPS_IFD = 0x8825
MAKE, MODEL, DATETIME, ORIENTATION = 0x010F, 0x0110, 0x0132, 0x0112
EXIF_IFD, BODY_SERIAL = 0x8769, 0xA431
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description GPSLatitude="48,51.5N"/></x:xmpmeta>'
SECRETS = (b"PhoneMaker", b"PhoneModel 12", b"SN-0042-SECRET", b"2026:12:01", b"48,51.5N", b"kitchen", b"Jane")


def _exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[MODEL] = "PhoneModel 12"
    exif[DATETIME] = "2026:12:01 10:00:00"
    if orientation != 1:
        exif[ORIENTATION] = orientation
    exif.get_ifd(EXIF_IFD)[BODY_SERIAL] = "SN-0042-SECRET"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 30.0), 3: "E", 4: (2.0, 21.0, 0.0)})
    return exif


_SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _srgb_profile() -> bytes:
    return _SRGB_PROFILE


def _phone_jpeg(orientation: int = 6) -> bytes:
    image = Image.open(io.BytesIO(photo_bytes(size=(96, 64))))
    buffer = io.BytesIO()
    image.save(
        buffer, "JPEG", exif=_exif(orientation), icc_profile=_srgb_profile(), comment=b"kitchen, with Jane", xmp=XMP
    )
    data = buffer.getvalue()
    # An IPTC block (Photoshop APP13) as news and photo apps write it, right after SOI.
    iptc = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0c\x1c\x02\x50\x00\x04Jane\x00\x00"
    return data[:2] + b"\xff\xed" + struct.pack(">H", len(iptc) + 2) + iptc + data[2:]


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGBA"))


def _assert_no_secrets(data: bytes) -> None:
    for secret in SECRETS:
        assert secret not in data, secret


def test_a_phone_jpeg_loses_gps_camera_time_comment_xmp_and_iptc():
    original = _phone_jpeg()
    assert all(secret in original for secret in SECRETS)

    stripped = metadata_strip(original, "JPEG")

    _assert_no_secrets(stripped)
    with Image.open(io.BytesIO(stripped)) as image:
        assert dict(image.getexif()) == {ORIENTATION: 6}
        assert image.getexif().get_ifd(GPS_IFD) == {}
        assert "comment" not in image.info


def test_a_jpeg_keeps_its_scan_bytes_colour_profile_and_orientation():
    original = _phone_jpeg()

    stripped = metadata_strip(original, "JPEG")

    # Not re-encoded: the entropy-coded scan is the same bytes, so the pixels are identical.
    assert stripped[stripped.index(b"\xff\xda") :] == original[original.index(b"\xff\xda") :]
    assert np.array_equal(_pixels(stripped), _pixels(original))
    with Image.open(io.BytesIO(stripped)) as image:
        assert image.info["icc_profile"] == _srgb_profile()


def test_an_upright_jpeg_keeps_no_exif_at_all():
    stripped = metadata_strip(_phone_jpeg(orientation=1), "JPEG")

    assert b"Exif\x00\x00" not in stripped
    with Image.open(io.BytesIO(stripped)) as image:
        assert dict(image.getexif()) == {}


def test_a_png_loses_its_text_chunks_time_and_exif_and_keeps_pixels_and_profile():
    image = Image.open(io.BytesIO(photo_bytes(size=(80, 60))))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "kitchen, with Jane")
    info.add_text("Author", "Jane", zip=True)
    info.add_itxt("XML:com.adobe.xmp", XMP.decode(), zip=True)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=info, exif=_exif(orientation=8), icc_profile=_srgb_profile())
    original = buffer.getvalue()

    stripped = metadata_strip(original, "PNG")

    _assert_no_secrets(stripped)
    assert np.array_equal(_pixels(stripped), _pixels(original))
    with Image.open(io.BytesIO(stripped)) as decoded:
        assert decoded.text == {}
        assert dict(decoded.getexif()) == {ORIENTATION: 8}
        assert decoded.info["icc_profile"] == _srgb_profile()


def test_a_webp_loses_exif_and_xmp_and_keeps_pixels_profile_and_orientation():
    image = Image.open(io.BytesIO(photo_bytes(size=(80, 60))))
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", lossless=True, exif=_exif(orientation=3), xmp=XMP, icc_profile=_srgb_profile())
    original = buffer.getvalue()

    stripped = metadata_strip(original, "WEBP")

    _assert_no_secrets(stripped)
    assert np.array_equal(_pixels(stripped), _pixels(original))
    with Image.open(io.BytesIO(stripped)) as decoded:
        assert dict(decoded.getexif()) == {ORIENTATION: 3}
        assert decoded.info["icc_profile"] == _srgb_profile()
        assert "xmp" not in decoded.info


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_an_image_without_metadata_comes_out_unchanged_in_pixels(fmt):
    original = photo_bytes(size=(40, 30), fmt=fmt)

    stripped = metadata_strip(original, fmt)

    assert np.array_equal(_pixels(stripped), _pixels(original))


@pytest.mark.parametrize(
    ("data", "fmt"), [(b"\xff\xd8\xff\xe1\x00", "JPEG"), (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"), (b"RIFF", "WEBP")]
)
def test_a_truncated_container_is_refused(data, fmt):
    with pytest.raises(MetadataError):
        metadata_strip(data, fmt)


def test_a_fetched_image_url_is_stored_without_its_metadata(http_server):
    from effects.ingestion import image_fetch

    http_server.routes["/phone.jpg"] = (200, {"Content-Type": "image/jpeg"}, _phone_jpeg())

    image = image_fetch(http_server.url("/phone.jpg"))

    _assert_no_secrets(image.data)


@pytest.mark.django_db
def test_an_uploaded_photo_is_stored_without_gps_or_camera_data(user_client, effect):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from effects.models import Job

    upload = SimpleUploadedFile("phone.jpg", _phone_jpeg(), content_type="image/jpeg")

    response = user_client.post("/api/effects/apply", {"effectId": effect.slug, "image": upload}, format="multipart")

    assert response.status_code == 200
    job = Job.objects.get(pk=response.json()["data"]["jobId"])
    with job.source.open("rb") as handle:
        stored = handle.read()
    _assert_no_secrets(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert dict(image.getexif()) == {ORIENTATION: 6}
