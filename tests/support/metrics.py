"""Reading /metrics the way Prometheus does: the text exposition parsed into samples."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

METRICS_TOKEN = "metrics-token-for-tests"


def parse_samples(text: str) -> dict[tuple[str, frozenset], float]:
    """{(sample name, frozenset of label items): value} of an exposition."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample_value(samples: dict[tuple[str, frozenset], float], name: str, **labels: str) -> float:
    """The value of one sample, 0 when it is absent (a counter never incremented is not exposed)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def label_values(samples: dict[tuple[str, frozenset], float], name: str, label: str) -> set[str]:
    """Every value a label takes on the samples of ``name``."""
    return {dict(items)[label] for sample, items in samples if sample == name and label in dict(items)}


def scrape(client, token: str = METRICS_TOKEN) -> dict[tuple[str, frozenset], float]:
    """GET /metrics with the monitoring token through a Django test client; the parsed samples."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.status_code
    return parse_samples(response.content.decode())
