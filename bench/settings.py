"""The bench's settings: PhotoMania's own (production mode from the bench's environment, see
bench/harness.py) with the bench's URL conf, which adds the baseline views under /bench/."""

from photomania.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
