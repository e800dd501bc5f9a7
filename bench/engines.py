"""Each local effect on a 12-megapixel photo: the engine against the naive pipeline (full decode +
downscale + operation + encode with the bare library calls), time, peak RSS and model load time,
each in its own process pinned to one core."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys

from bench import data
from bench.harness import BENCH_DIR, ROOT, Row, bench_env, median, report

RUNS = 3
TIME_RATIO_TARGET = 0.7
TIME_TARGET_S = 1.5
RSS_TARGET_MB = 300
MAX_SIDE = 2048  # IMAGE_MAX_SIDE's default: what the worker passes to the engine


def _measure(effect: str, mode: str, image: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.engine_child", "--effect", effect, "--mode", mode, "--image", image],
        cwd=ROOT,
        env=bench_env(RUNS=str(RUNS)),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def run(effects: list[str] | None = None) -> list[Row]:
    from effects.engines.local import EFFECTS

    image = BENCH_DIR / "astronaut-12mp.jpg"
    if not image.exists():
        image.parent.mkdir(parents=True, exist_ok=True)
        image.write_bytes(data.real_photo_jpeg(4000, 3000))
    rows, figures = [], {"_image": "4000x3000 JPEG (the astronaut portrait upscaled)", "_max_side": MAX_SIDE}
    for effect in effects or list(EFFECTS):
        # Alternate naive and engine so drift in the machine's load hits both alike.
        measured_at = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        bare = _measure(effect, "naive", str(image))
        engine = _measure(effect, "engine", str(image))
        load = os.getloadavg()[0]  # the machine is shared: the figures say how busy it was
        # CPU seconds of a process pinned to one core: the machine is shared, wall time is
        # reported beside it.
        ours_s, base_s = median(engine["cpu_times"]), median(bare["cpu_times"])
        ratio = ours_s / base_s
        model_load = f", model load {engine['model_load_ms']:.0f} ms" if engine["model_load_ms"] is not None else ""
        rows.append(
            Row(
                f"local:{effect} (4000x3000 JPEG)",
                f"{ours_s * 1000:,.0f} ms CPU, peak RSS {engine['peak_rss_mb']:.0f} MB{model_load}",
                f"{base_s * 1000:,.0f} ms CPU, peak RSS {bare['peak_rss_mb']:.0f} MB",
                f"{ratio:.2f}",
                f"<= {TIME_TARGET_S} s, <= {TIME_RATIO_TARGET}x naive, RSS <= {RSS_TARGET_MB} MB",
                ours_s <= TIME_TARGET_S and ratio <= TIME_RATIO_TARGET and engine["peak_rss_mb"] <= RSS_TARGET_MB,
                note=f"median of {RUNS} runs after a warm-up (first call {engine['first_ms']:,.0f} ms wall); "
                f"CPU ours {[round(t * 1000) for t in engine['cpu_times']]} ms, "
                f"naive {[round(t * 1000) for t in bare['cpu_times']]} ms; "
                f"wall ours {[round(t * 1000) for t in engine['times']]} ms; "
                f"output {engine['output_size']} (naive {bare['output_size']}); load average {load:.1f}",
            )
        )
        figures[effect] = {
            "median_ms": ours_s * 1000,
            "bare_median_ms": base_s * 1000,
            "wall_median_ms": median(engine["times"]) * 1000,
            "peak_rss_mb": engine["peak_rss_mb"],
            "first_call_ms": engine["first_ms"],
            "model_load_ms": engine["model_load_ms"],
            "measured_at": measured_at,
            "load_average": load,
        }
    # The gallery (docs/effects.md) reads these figures; a run of some effects updates theirs only.
    figures_path = BENCH_DIR / "engines.json"
    previous = json.loads(figures_path.read_text()) if figures_path.exists() else {}
    figures_path.write_text(json.dumps({**previous, **figures}, indent=2))
    report(f"Local effects on a 12 MP photo ({image.stat().st_size // 1024} KB), one core each", rows)
    return rows


if __name__ == "__main__":
    # ``python -m bench.engines [effect ...]``: this benchmark alone, without the web services.
    run(sys.argv[1:] or None)
