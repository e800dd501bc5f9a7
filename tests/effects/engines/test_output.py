"""The output a client asked for, applied to an engine's result (pure: bytes in, bytes out)."""

import io

import pytest
from PIL import Image

from effects.engines import EngineFailure
from effects.engines.output import OutputOptions, output_conform, output_formats
from tests.support.images import image_bytes


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_result_already_in_the_asked_format_and_size_is_left_alone():
    data = image_bytes("PNG", (80, 60))

    assert output_conform(data, options=OutputOptions(format="png", max_side=80)) is None
    assert output_conform(data, options=OutputOptions()) is None


def test_a_png_result_asked_as_jpeg_becomes_a_jpeg_without_metadata():
    source = Image.new("RGB", (80, 60), (10, 200, 30))
    buffer = io.BytesIO()
    source.save(buffer, "PNG", pnginfo=None)

    data, extension, image = output_conform(buffer.getvalue(), options=OutputOptions(format="jpeg"))

    result = _open(data)
    assert (result.format, extension, result.size, image.size) == ("JPEG", "jpg", (80, 60), (80, 60))
    assert not result.getexif() and "icc_profile" not in result.info


def test_a_result_larger_than_the_asked_side_is_shrunk_keeping_its_aspect_and_its_format():
    data, extension, _image = output_conform(image_bytes("WEBP", (400, 200)), options=OutputOptions(max_side=100))

    result = _open(data)
    assert (result.format, extension, result.size) == ("WEBP", "webp", (100, 50))


def test_a_smaller_result_is_never_enlarged():
    assert output_conform(image_bytes("PNG", (50, 40)), options=OutputOptions(max_side=1000)) is None


def test_the_decoded_image_is_used_when_the_caller_has_it():
    decoded = Image.new("RGBA", (300, 100), (255, 0, 0, 128))
    buffer = io.BytesIO()
    decoded.save(buffer, "PNG")

    data, _extension, image = output_conform(
        buffer.getvalue(), options=OutputOptions(format="webp", max_side=150), image=decoded
    )

    result = _open(data)
    assert result.format == "WEBP" and result.size == (150, 50) and result.mode == "RGBA"
    assert image.size == (150, 50)


def test_bytes_that_are_no_image_are_an_engine_failure():
    with pytest.raises(EngineFailure):
        output_conform(b"not an image", options=OutputOptions(format="png"))


def test_a_cut_out_offers_no_jpeg_and_other_effects_offer_every_format():
    assert output_formats("local:remove-background") == ("png", "webp")
    assert set(output_formats("local:sepia")) == {"jpeg", "png", "webp"}
    assert set(output_formats("replicate:acme/restore")) == {"jpeg", "png", "webp"}
