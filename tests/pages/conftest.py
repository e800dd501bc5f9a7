"""Fixtures for the page tests: real images made with Pillow."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def make_jpeg(size=(64, 48), color=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def jpeg_upload():
    return SimpleUploadedFile("photo.jpg", make_jpeg(), content_type="image/jpeg")


@pytest.fixture
def media_storage(settings, tmp_path):
    """Local signed storage in a temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "effects.storage.SignedFileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


# The billing suite's fixtures (fake Stripe server, catalog), reused for the checkout buttons.
from tests.billing.conftest import *  # noqa: E402, F403
from tests.billing.conftest import _fake_stripe_server  # noqa: E402, F401
