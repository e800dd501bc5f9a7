"""The segmentation-backed effects on a real portrait, and what happens when the model is missing.

The model is the one `scripts/models.sh` installs (run by `make venv`, hence by `make test`).

data/astronaut.jpg: Eileen Collins, NASA portrait, public domain ("No known copyright
restrictions", NASA Great Images); taken from scikit-image 0.26's bundled skimage/data/astronaut.png
and scaled from 512x512 to 320x320 (JPEG quality 88).
"""

import io
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command

from billing.models import CreditTransaction
from effects.admin.effects import EffectForm
from effects.engines import EngineConfigError, segmentation, validate_config
from effects.engines.local import LocalEngine
from effects.engines.subjects import NoSubjectError
from effects.jobs.run import job_process
from effects.jobs.steps import JobOutcome
from effects.models import Effect, JobStatus
from tests.support.factories import EffectFactory, JobFactory
from tests.support.people_photos import box_slices, group_of_two

ENGINE = LocalEngine()
PORTRAIT = (Path(__file__).parent / "data" / "astronaut.jpg").read_bytes()
# Regions of the 320x320 portrait, found by looking at it: her face, and the flag behind her.
FACE = (slice(60, 95), slice(125, 155))
FLAG = (slice(0, 100), slice(0, 50))
CORNERS = [(slice(0, 20), slice(0, 20)), (slice(0, 20), slice(300, 320))]


def decode(data: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def run(model: str, data: bytes = PORTRAIT, **config) -> np.ndarray:
    return decode(ENGINE.apply(model, {"format": "png", **config}, data).data).astype(np.int32)


def detail(rgb: np.ndarray) -> float:
    """Variance of the Laplacian: high for sharp texture, low once blurred."""
    gray = cv2.cvtColor(np.ascontiguousarray(rgb, dtype=np.uint8), cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(gray, cv2.CV_64F).var())


@pytest.fixture
def missing_model(tmp_path):
    previous = segmentation.model_path()
    segmentation.configure(model_path=tmp_path / "absent.tflite")
    yield
    segmentation.configure(model_path=previous)


# --- The mask ------------------------------------------------------------------------------------


def test_mask_covers_the_person_and_leaves_the_background_out():
    mask = segmentation.person_mask(decode(PORTRAIT))

    assert mask.shape == (320, 320) and mask.dtype == np.float32
    assert mask[FACE].min() > 0.9
    assert mask[FLAG].max() < 0.1
    for corner in CORNERS:
        assert mask[corner].max() < 0.1


def test_mask_is_at_full_resolution_for_any_shape():
    wide = cv2.resize(decode(PORTRAIT), (500, 200))

    assert segmentation.person_mask(wide).shape == (200, 500)


def test_probability_keeps_the_photos_aspect_ratio():
    wide = cv2.resize(decode(PORTRAIT), (1000, 400))

    assert segmentation.person_probability(wide).shape == (102, 256)


def test_both_people_of_a_wide_photo_are_found_not_squeezed_away():
    picture, bodies = group_of_two()

    mask = segmentation.person_mask(picture)

    for body in bodies:
        head, neck, _ = body
        assert mask[box_slices(head)].mean() > 0.8 and mask[box_slices(neck)].mean() > 0.8


def test_feather_softens_the_outline():
    source = decode(PORTRAIT)

    hard = segmentation.person_mask(source, feather=0)
    soft = segmentation.person_mask(source, feather=8)

    def in_between(mask):
        return ((mask > 0.1) & (mask < 0.9)).mean()

    assert in_between(soft) > 5 * in_between(hard)


def test_a_higher_threshold_keeps_less_of_the_image():
    source = decode(PORTRAIT)

    assert (
        segmentation.person_mask(source, threshold=0.9).mean() < segmentation.person_mask(source, threshold=0.1).mean()
    )


def test_an_image_without_a_person_has_an_empty_mask():
    noise = np.random.default_rng(1).integers(0, 256, (200, 300, 3), dtype=np.uint8)

    assert segmentation.person_mask(noise).max() < 0.05


def test_the_model_is_loaded_once_per_process():
    assert segmentation.load_model() is segmentation.load_model()


# --- The effects ---------------------------------------------------------------------------------


def test_background_blur_blurs_the_background_and_keeps_the_person():
    source = decode(PORTRAIT).astype(np.int32)

    out = run("background-blur", radius=15)

    assert detail(out[FLAG]) < 0.1 * detail(source[FLAG])
    assert np.abs(out[FACE] - source[FACE]).mean() < 2
    assert detail(out[FACE]) > 0.9 * detail(source[FACE])


def test_background_blur_radius_sets_the_strength():
    assert detail(run("background-blur", radius=30)[FLAG]) < detail(run("background-blur", radius=2)[FLAG])


def test_background_blur_without_a_person_raises_no_subject_instead_of_blurring_everything():
    rng = np.random.default_rng(2)
    noise = cv2.imencode(".png", rng.integers(0, 256, (120, 160, 3), dtype=np.uint8))[1].tobytes()

    with pytest.raises(NoSubjectError):
        run("background-blur", noise, radius=5)


def test_background_gray_keeps_colour_on_the_person_only():
    source = decode(PORTRAIT).astype(np.int32)

    out = run("background-gray")

    flag = out[FLAG]
    assert (flag[..., 0] == flag[..., 1]).all() and (flag[..., 1] == flag[..., 2]).all()
    assert np.abs(out[FACE] - source[FACE]).mean() < 2
    assert np.abs(out[FACE][..., 0] - out[FACE][..., 2]).mean() > 20


# --- Config --------------------------------------------------------------------------------------


def test_validate_fills_in_the_mask_defaults():
    assert validate_config("local:background-blur", {}) == {
        "radius": 15,
        "feather": 3.0,
        "threshold": 0.5,
        "face_score": 0.6,
        "min_coverage": 0.02,
        "format": "jpeg",
        "quality": 90,
    }


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"radius": 0}, "'radius' must be between 1 and 60"),
        ({"radius": 2.5}, "'radius' must be a whole number"),
        ({"feather": -1}, "'feather' must be between 0 and 50"),
        ({"threshold": 1.0}, "'threshold' must be between 0.05 and 0.95"),
        ({"threshold": "high"}, "'threshold' must be a number"),
        ({"focus": 0.3}, "unknown parameter"),
    ],
)
def test_validate_rejects_bad_mask_parameters(config, message):
    with pytest.raises(EngineConfigError, match=re.escape(message)):
        validate_config("local:background-blur", config)


def test_background_gray_has_no_radius():
    with pytest.raises(EngineConfigError, match=r"unknown parameter.*radius"):
        validate_config("local:background-gray", {"radius": 5})


# --- Without the model ---------------------------------------------------------------------------


def test_the_django_setting_points_the_engine_at_the_installed_model():
    assert segmentation.model_path() == settings.SEGMENTATION_MODEL_PATH
    assert settings.SEGMENTATION_MODEL_PATH.is_file()


@pytest.mark.parametrize("model", ["background-blur", "background-gray"])
def test_missing_model_is_a_permanent_config_error(missing_model, model):
    with pytest.raises(EngineConfigError, match="not installed") as exc:
        ENGINE.apply(model, {}, PORTRAIT)

    assert exc.value.code == "MODEL_UNAVAILABLE" and not exc.value.transient


def test_missing_model_leaves_the_other_effects_working(missing_model):
    out = run("grayscale")

    assert (out[..., 0] == out[..., 2]).all()


def test_unreadable_model_file_is_reported_as_unavailable(tmp_path):
    broken = tmp_path / "broken.tflite"
    broken.write_bytes(b"not a flatbuffer" * 64)
    previous = segmentation.model_path()
    segmentation.configure(model_path=broken)
    try:
        with pytest.raises(EngineConfigError, match="could not be loaded") as exc:
            validate_config("local:background-blur", {})
    finally:
        segmentation.configure(model_path=previous)

    assert exc.value.code == "MODEL_UNAVAILABLE"


@pytest.mark.django_db
def test_admin_form_refuses_the_effect_while_the_model_is_missing(missing_model):
    form = EffectForm(
        data={
            "name": "Blur",
            "slug": "blur",
            "credits": 2,
            "category": "Portrait",
            "model_id": "local:background-blur",
            "config": "{}",
            "position": 0,
        }
    )

    assert not form.is_valid()
    assert "not installed" in str(form.errors["config"])


@pytest.mark.django_db
def test_job_fails_with_model_unavailable_and_is_refunded(missing_model):
    job = JobFactory(
        effect=EffectFactory(model_id="local:background-blur", credits=2), status=JobStatus.PENDING, credits_charged=2
    )
    job.source.save("source.jpg", ContentFile(PORTRAIT))

    step = job_process(job_id=job.pk)

    job.refresh_from_db()
    assert step.outcome == JobOutcome.DONE
    assert (job.status, job.error_code) == (JobStatus.FAILED, "MODEL_UNAVAILABLE")
    assert CreditTransaction.objects.filter(reference=f"refund:{job.pk}").count() == 1


@pytest.mark.django_db
def test_job_with_the_model_completes():
    job = JobFactory(
        effect=EffectFactory(model_id="local:background-blur", credits=2), status=JobStatus.PENDING, credits_charged=2
    )
    job.source.save("source.jpg", ContentFile(PORTRAIT))

    job_process(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    with job.result.open("rb") as handle:
        assert decode(handle.read()).shape == (320, 320, 3)


@pytest.mark.django_db
def test_seed_demo_hides_the_effects_needing_segmentation_while_the_model_is_missing(missing_model):
    call_command("seed_demo", stdout=io.StringIO())

    hidden = set(Effect.objects.filter(is_active=False).values_list("slug", flat=True))
    assert hidden == {"background-blur", "background-gray", "remove-background", "replace-background", "avatar"}


@pytest.mark.django_db
def test_seed_demo_shows_the_effects_it_hid_once_the_model_is_installed(tmp_path):
    installed = segmentation.model_path()
    segmentation.configure(model_path=tmp_path / "absent.tflite")
    try:
        call_command("seed_demo", stdout=io.StringIO())
    finally:
        segmentation.configure(model_path=installed)

    call_command("seed_demo", stdout=io.StringIO())

    assert Effect.objects.get(slug="remove-background").is_active is True
    assert Effect.objects.get(slug="remove-background").preview
