"""The gallery command renders every effect of the local engine's table onto contact sheets."""

import numpy as np
import pytest
from django.core.management import call_command
from PIL import Image

from effects.engines import EngineFailure
from effects.engines import local as local_engine


def refuses_without_a_person(rgb: np.ndarray) -> np.ndarray:
    raise EngineFailure("no person found in the photo", code="NO_SUBJECT")


@pytest.fixture
def small_table(monkeypatch):
    """The local table cut to two effects, plus one that finds no person (as a people effect would)."""
    table = {slug: local_engine.EFFECTS[slug] for slug in ("grayscale", "duotone")}
    table["needs-a-person"] = local_engine.EffectSpec(refuses_without_a_person, {}, "Needs a person")
    monkeypatch.setattr(local_engine, "EFFECTS", table)
    monkeypatch.setattr("effects.management.commands.render_gallery.EFFECTS", table)
    return table


def test_render_gallery_writes_a_sheet_per_photo_and_a_line_per_effect(small_table, tmp_path):
    call_command("render_gallery", out=str(tmp_path), photos=["coffee.png"], bench=str(tmp_path / "none.json"))

    sheet = Image.open(tmp_path / "effects" / "coffee.jpg")
    page = (tmp_path / "effects.md").read_text()
    assert sheet.format == "JPEG" and sheet.width == 5 * 300
    for slug in small_table:
        assert f"`{slug}`" in page
    assert (tmp_path / "effects" / "thumbs" / "duotone.jpg").exists()
    assert "no person: refused on coffee.png" in page
    assert not (tmp_path / "effects" / "thumbs" / "needs-a-person.jpg").exists()


def test_render_gallery_adds_the_bench_figures_when_present(small_table, tmp_path):
    bench = tmp_path / "engines.json"
    bench.write_text('{"grayscale": {"median_ms": 321.4, "peak_rss_mb": 150.2}}')

    call_command("render_gallery", out=str(tmp_path), photos=["coffee.png"], bench=str(bench))

    line = next(line for line in (tmp_path / "effects.md").read_text().splitlines() if "`grayscale`" in line)
    assert "321 ms" in line and "150 MB" in line


def test_render_gallery_gives_the_ratio_to_naive_and_when_the_bench_figures_were_measured(small_table, tmp_path):
    bench = tmp_path / "engines.json"
    bench.write_text(
        '{"grayscale": {"median_ms": 300, "bare_median_ms": 600, "peak_rss_mb": 150,'
        ' "measured_at": "2026-11-27 11:10 UTC", "load_average": 3.2},'
        ' "duotone": {"median_ms": 100, "bare_median_ms": 400, "peak_rss_mb": 120,'
        ' "measured_at": "2026-11-27 11:12 UTC", "load_average": 4.6}}'
    )

    call_command("render_gallery", out=str(tmp_path), photos=["coffee.png"], bench=str(bench))

    page = (tmp_path / "effects.md").read_text()
    line = next(line for line in page.splitlines() if "`grayscale`" in line)
    assert "| 300 ms | 0.50 | 150 MB |" in line
    assert "Measured 2026-11-27 11:10 UTC to 2026-11-27 11:12 UTC, load average 3.2–4.6." in page
