"""The built-in engine: each effect checked on properties of its output, plus image I/O rules."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from effects.catalog import LOCAL_CATALOG, catalog_read
from effects.engines import EngineConfigError, EngineFailure, validate_config
from effects.engines.local import EFFECTS, LocalEngine
from tests.support.images import hostile_png, image_bytes, photo_bytes
from tests.support.memory import peak_rss_growth_mb

ENGINE = LocalEngine()
# A real photo (Eileen Collins, NASA, public domain; see test_segmentation.py): 320x320, ~42,000 colours.
PORTRAIT = (Path(__file__).parent / "data" / "astronaut.jpg").read_bytes()


def run(model: str, data: bytes | None = None, **config) -> np.ndarray:
    out = ENGINE.apply(model, {"format": "png", **config}, data or photo_bytes())
    return np.asarray(Image.open(io.BytesIO(out.data)).convert("RGB")).astype(np.int32)


def source_array(data: bytes | None = None) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data or photo_bytes())).convert("RGB")).astype(np.int32)


def sharpness(rgb: np.ndarray) -> float:
    gray = rgb.mean(axis=2)
    return float(np.abs(np.diff(gray, axis=0)).mean() + np.abs(np.diff(gray, axis=1)).mean())


# The people effects need a real person (tests/effects/engines/test_people.py checks their sizes).
@pytest.mark.parametrize("model", sorted(name for name, spec in EFFECTS.items() if not spec.faces))
def test_every_effect_preserves_the_image_size(model):
    out = ENGINE.apply(model, {}, photo_bytes((161, 97)))

    assert (out.width, out.height) == (161, 97)
    assert Image.open(io.BytesIO(out.data)).size == (161, 97)


@pytest.mark.parametrize(
    ("slug", "model_id", "config"),
    [(e["slug"], e["model_id"], e["config"]) for e in catalog_read(path=LOCAL_CATALOG)["effects"]],
)
def test_every_demo_effect_config_is_valid(slug, model_id, config):
    assert validate_config(model_id, config)


def test_grayscale_has_equal_channels():
    out = run("grayscale", intensity=1.0)

    assert (out[..., 0] == out[..., 1]).all() and (out[..., 1] == out[..., 2]).all()


def test_grayscale_intensity_zero_keeps_the_colours():
    out = run("grayscale", intensity=0.0)

    assert np.abs(out - source_array()).max() <= 1


def test_sepia_is_warm_toned():
    out = run("sepia", intensity=1.0)

    assert (out[..., 0] >= out[..., 1]).all() and (out[..., 1] >= out[..., 2]).all()


def test_vintage_darkens_the_corners_more_than_the_centre():
    flat = photo_bytes((100, 100))
    out = run("vintage", flat, intensity=0.5, vignette=1.0)
    src = source_array(flat)

    ratio = out.mean(axis=2) / np.maximum(src.mean(axis=2), 1)
    assert ratio[:10, :10].mean() < ratio[45:55, 45:55].mean() * 0.7


def disc_masks(size=(160, 120)):
    """Inside, on and just outside the red disc that ``photo_bytes()`` draws."""
    w, h = size
    ys, xs = np.mgrid[0:h, 0:w]
    distance = np.sqrt((xs - w // 3) ** 2 + (ys - h // 2) ** 2)
    radius = h // 4
    return distance < radius - 5, (distance > radius - 2) & (distance < radius + 2), distance > radius + 5


def test_cartoon_keeps_the_photo_colours():
    out = run("cartoon")
    inside, _, _ = disc_masks()

    red, green, blue = out[inside].mean(axis=0)
    assert red > 200 and red > 3 * green and red > 3 * blue


def test_cartoon_draws_dark_outlines_along_edges():
    out = run("cartoon")
    inside, edge, _ = disc_masks()

    assert np.percentile(out[edge].mean(axis=1), 10) < 0.6 * out[inside].mean()


def test_pencil_sketch_mono_is_graphite_on_warm_paper_and_mostly_light():
    out = run("pencil-sketch", color=False)

    assert np.abs(out[..., 0] - out[..., 2]).max() <= 20  # near-neutral: graphite and paper tone
    assert (out[..., 0] >= out[..., 2] - 8).mean() > 0.95  # the paper is warm, not blue
    assert out.mean() > 150


def test_pencil_sketch_colour_keeps_colour():
    out = run("pencil-sketch", color=True)

    assert np.abs(out[..., 0] - out[..., 2]).mean() > 5


def test_watercolor_smooths_the_noise():
    # Without the paper grain it adds on purpose, the washes are smoother than the photo.
    assert sharpness(run("watercolor", grain=0.0)) < sharpness(source_array()) * 0.8


def test_watercolor_grain_adds_paper_texture():
    assert sharpness(run("watercolor", grain=1.0)) > sharpness(run("watercolor", grain=0.0)) * 2


def test_oil_paint_smooths_the_noise():
    # Without the relief lighting of its strokes, the paint is smoother than the photo.
    assert sharpness(run("oil-paint", size=7, relief=0.0)) < sharpness(source_array()) * 0.8


def test_oil_paint_relief_shows_brush_strokes():
    data = photo_bytes((512, 384))

    assert sharpness(run("oil-paint", data, relief=0.5)) > sharpness(run("oil-paint", data, relief=0.0)) * 1.5


def test_hdr_increases_local_detail():
    assert sharpness(run("hdr")) > sharpness(source_array()) * 1.1


def test_pixelate_produces_uniform_blocks():
    out = run("pixelate", block_size=8)

    for by in range(0, 120, 8):
        for bx in range(0, 160, 8):
            block = out[by : by + 8, bx : bx + 8]
            assert (block == block[0, 0]).all()


def test_portrait_blur_keeps_the_centre_and_blurs_the_corners():
    out = run("portrait-blur", radius=10, focus=0.4)
    src = source_array()

    assert np.abs(out[50:60, 75:85] - src[50:60, 75:85]).mean() < 1
    assert sharpness(out[:25, :25]) < sharpness(src[:25, :25]) * 0.5


def test_validate_rejects_unknown_parameters_with_a_clear_message():
    with pytest.raises(EngineConfigError, match=r"unknown parameter.*radius"):
        validate_config("local:sepia", {"radius": 3})


def test_validate_rejects_out_of_range_values():
    with pytest.raises(EngineConfigError, match="between 0 and 1"):
        validate_config("local:sepia", {"intensity": 2})


def test_validate_rejects_even_kernel_sizes():
    with pytest.raises(EngineConfigError, match="odd"):
        validate_config("local:cartoon", {"edge_size": 8})


def test_validate_rejects_unknown_effects_and_engines():
    with pytest.raises(EngineConfigError, match="unknown built-in effect"):
        validate_config("local:nope", {})
    with pytest.raises(EngineConfigError, match="unknown engine"):
        validate_config("magic:sepia", {})


def test_validate_fills_in_defaults():
    assert validate_config("local:pixelate", {}) == {"block_size": 16, "format": "jpeg", "quality": 90}


def test_long_side_is_capped():
    out = ENGINE.apply("grayscale", {}, photo_bytes((400, 100)), max_side=200)

    assert (out.width, out.height) == (200, 50)


def test_exif_orientation_is_applied_and_exif_stripped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    exif[0x8825] = {2: (1.0, 2.0, 3.0)}  # GPS
    data = photo_bytes((160, 120), fmt="JPEG", exif=exif.tobytes())

    out = ENGINE.apply("sepia", {"format": "jpeg"}, data)
    result = Image.open(io.BytesIO(out.data))

    assert result.size == (120, 160)
    assert not result.getexif()
    assert "exif" not in result.info


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp"])
def test_output_format_follows_the_config(fmt):
    out = ENGINE.apply("posterize", {"format": fmt}, photo_bytes())

    assert Image.open(io.BytesIO(out.data)).format == fmt.upper()
    assert out.content_type == f"image/{fmt}"


@pytest.mark.parametrize("mode", ["RGBA", "P", "CMYK", "L", "I;16"])
def test_input_modes_are_handled(mode):
    fmt = "JPEG" if mode == "CMYK" else "PNG"

    out = ENGINE.apply("sepia", {"format": "png"}, photo_bytes(mode=mode, fmt=fmt))

    assert Image.open(io.BytesIO(out.data)).size == (160, 120)


def test_sixteen_bit_input_is_scaled_not_clipped():
    data = image_bytes("PNG", (20, 20), 32768, mode="I;16")

    out = run("grayscale", data)

    assert 120 <= out.mean() <= 135


def test_transparency_is_kept_for_png_output():
    out = ENGINE.apply("grayscale", {"format": "png"}, photo_bytes(mode="RGBA"))

    assert Image.open(io.BytesIO(out.data)).mode == "RGBA"


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_png_output_holds_the_effects_exact_pixels_and_no_metadata_chunks(mode):
    out = ENGINE.apply("sepia", {"format": "png"}, photo_bytes(mode=mode))
    decoded = Image.open(io.BytesIO(out.data))

    assert decoded.mode == mode
    assert np.array_equal(np.asarray(decoded), np.asarray(out.image))
    assert png_chunk_types(out.data) == ["IHDR", "IDAT", "IEND"]


def png_chunk_types(data: bytes) -> list[str]:
    """The distinct chunk types of a PNG file, in order of first appearance."""
    types, offset = [], 8
    while offset < len(data):
        length = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8].decode("ascii")
        if kind not in types:
            types.append(kind)
        offset += 12 + length
    return types


def test_corrupt_input_is_a_permanent_engine_error():
    with pytest.raises(EngineFailure) as exc:
        ENGINE.apply("sepia", {}, photo_bytes()[:200])

    assert exc.value.code == "INVALID_IMAGE" and not exc.value.transient


@pytest.mark.parametrize(("mode", "bound_mb"), [("I;16", 300), ("RGBA", 400)])
def test_a_50_megapixel_png_is_processed_within_its_memory_bound(mode, bound_mb):
    data = hostile_png(mode)

    growth = peak_rss_growth_mb(lambda: ENGINE.apply("grayscale", {"format": "png"}, data, max_side=2048))

    # Decoded alone it is 100 MB (16-bit) or 200 MB (RGBA); float64 copies once took 1.2 GB.
    assert growth < bound_mb


def test_a_16_bit_source_keeps_its_tones_in_8_bits():
    ramp = (np.arange(256, dtype=np.uint32) * 257).astype(np.uint16)  # 0..65535 in 256 steps
    buf = io.BytesIO()
    Image.fromarray(np.tile(ramp, (8, 1))).save(buf, "PNG")

    out = run("grayscale", buf.getvalue())

    assert np.abs(out[0, :, 0] - np.arange(256)).max() <= 1


def test_a_large_jpeg_is_decoded_at_a_reduced_scale_but_still_fills_the_long_side():
    data = photo_bytes((4400, 3300), fmt="JPEG", quality=85)

    out = ENGINE.apply("grayscale", {}, data, max_side=1024)

    assert (out.width, out.height) == (1024, 768)


def test_a_jpeg_a_dct_scale_brings_just_under_the_cap_is_decoded_at_that_scale():
    # 2000x1500 at 1/2 is 1000x750: 2.3% under a 1024 cap, as a 4000x3000 photo is under 2048.
    data = photo_bytes((2000, 1500), fmt="JPEG", quality=85)

    out = ENGINE.apply("grayscale", {}, data, max_side=1024)

    assert (out.width, out.height) == (1000, 750)


def test_a_jpeg_whose_scaled_size_falls_too_far_short_is_decoded_in_full_and_fills_the_cap():
    data = photo_bytes((2000, 1500), fmt="JPEG", quality=85)

    out = ENGINE.apply("grayscale", {}, data, max_side=1100)

    assert (out.width, out.height) == (1100, 825)
