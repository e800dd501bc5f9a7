"""Cluster-wide metrics kept in the broker's Redis: any process records, the scrape adds everything up."""

import multiprocessing

import pytest

from core.metrics import SHARED_METRICS, SharedCounter, SharedHistogram, SharedMetricsCollector
from tests.support.metrics import METRICS_TOKEN, parse_samples, sample_value, scrape


@pytest.fixture
def counter():
    metric = SharedCounter("photomania_test_things_total", "Things counted by the tests.", ["kind"])
    yield metric
    SHARED_METRICS.remove(metric)


@pytest.fixture
def histogram():
    metric = SharedHistogram("photomania_test_seconds", "Durations observed by the tests.", ["kind"], buckets=(1, 5))
    yield metric
    SHARED_METRICS.remove(metric)


@pytest.fixture(autouse=True)
def _metrics_token(settings):
    settings.HEALTH_TOKEN = METRICS_TOKEN


def _increment_many(counter: SharedCounter, times: int) -> None:
    for _ in range(times):
        counter.inc(kind="a")


def test_increments_from_several_processes_add_up_in_one_scrape(client, db, counter):
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_increment_many, args=(counter, 25)) for _ in range(4)]

    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=30)

    assert [process.exitcode for process in processes] == [0, 0, 0, 0]
    assert sample_value(scrape(client), "photomania_test_things_total", kind="a") == 100


def test_counter_keeps_one_sample_per_label_value(client, db, counter):
    counter.inc(kind="a")
    counter.inc(3, kind="b")

    samples = scrape(client)

    assert sample_value(samples, "photomania_test_things_total", kind="a") == 1
    assert sample_value(samples, "photomania_test_things_total", kind="b") == 3


def test_counter_refuses_to_go_down(counter):
    with pytest.raises(ValueError):
        counter.inc(-1, kind="a")


def test_counter_refuses_labels_it_does_not_declare(counter):
    with pytest.raises(ValueError):
        counter.inc(kind="a", user="42")


def test_histogram_reports_cumulative_buckets_sum_and_count(client, db, histogram):
    for value in (0.5, 2, 3, 60):
        histogram.observe(value, kind="a")

    samples = scrape(client)

    assert sample_value(samples, "photomania_test_seconds_bucket", kind="a", le="1.0") == 1
    assert sample_value(samples, "photomania_test_seconds_bucket", kind="a", le="5.0") == 3
    assert sample_value(samples, "photomania_test_seconds_bucket", kind="a", le="+Inf") == 4
    assert sample_value(samples, "photomania_test_seconds_count", kind="a") == 4
    assert sample_value(samples, "photomania_test_seconds_sum", kind="a") == pytest.approx(65.5)


def test_recording_with_redis_down_drops_the_value_without_failing_the_caller(settings, counter):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"

    counter.inc(kind="a")

    assert list(SharedMetricsCollector().collect()) == []


def test_without_a_redis_broker_nothing_is_recorded_or_exposed(settings, counter):
    settings.CELERY_BROKER_URL = "filesystem://localhost/"

    counter.inc(kind="a")

    assert list(SharedMetricsCollector().collect()) == []


def test_the_exposition_parses_as_prometheus_text(client, db, counter):
    counter.inc(kind="a")

    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")

    assert parse_samples(response.content.decode())
