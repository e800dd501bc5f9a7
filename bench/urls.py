"""The bench's URL conf: PhotoMania's routes, plus the baselines the benchmarks compare against
under /bench/ (bench/baseline_urls.py). Only the bench's settings (bench/settings.py) use it."""

from django.urls import include, path

urlpatterns = [
    path("bench/", include("bench.baseline_urls")),
    path("", include("photomania.urls")),
]
