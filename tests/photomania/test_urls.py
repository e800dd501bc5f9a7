"""The project's URL conf serves PhotoMania only: the benchmark baselines live in the bench's own
URL conf (bench/urls.py), which adds them beside every project route."""

import pytest
from django.urls import Resolver404, resolve


def test_the_project_url_conf_has_no_benchmark_routes(monkeypatch):
    monkeypatch.setenv("PHOTOMANIA_BENCH", "1")

    with pytest.raises(Resolver404):
        resolve("/bench/bare/effects", urlconf="photomania.urls")


def test_the_bench_url_conf_serves_the_baselines_beside_the_project_routes():
    assert resolve("/bench/bare/effects", urlconf="bench.urls").func.__name__ == "precomputed"
    assert resolve("/bench/peer/jobs/1", urlconf="bench.urls").url_name == "peer-job-detail"
    assert resolve("/api/effects", urlconf="bench.urls").func.view_class.__name__ == "EffectListView"
