"""Fuzzing fixtures: stored files in a per-test folder."""

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "effects.storage.SignedFileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
