"""The Replicate engine's reading of predictions: the percentage its logs report."""

import pytest

from effects.engines.replicate import prediction_from_json, progress_from_logs


@pytest.mark.parametrize(
    ("logs", "expected"),
    [
        (" 42%|████▏     | 21/50 [00:03<00:04,  6.01it/s]", 42),
        ("Using seed: 1\n  0%|          | 0/50\n 10%|█         | 5/50\n 96%|█████████▌| 48/50\n", 96),
        # A bar redrawn in place with carriage returns: the last redraw wins.
        ("  5%|▌         | 1/20\r 50%|█████     | 10/20\r 75%|███████▌  | 15/20", 75),
        ("100%|██████████| 50/50 [00:08<00:00]\nsaving output", 100),
    ],
)
def test_progress_is_the_last_percentage_the_logs_report(logs, expected):
    assert progress_from_logs(logs) == expected


@pytest.mark.parametrize("logs", [None, "", "loading weights\nmemory at 85% of capacity", "250%|█| 1/1", 12])
def test_logs_without_a_progress_bar_report_no_percentage(logs):
    assert progress_from_logs(logs) is None


def test_a_prediction_carries_the_percentage_of_its_logs():
    prediction = prediction_from_json({"id": "p1", "status": "processing", "logs": " 12%|█▏        | 6/50"})

    assert prediction.progress == 12
