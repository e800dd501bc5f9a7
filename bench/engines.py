"""Each built-in effect on a 12-megapixel photo-like JPEG: the engine against the bare library
calls (decode + downscale + operation + encode), time and peak RSS, each in its own process."""

from __future__ import annotations

import json
import subprocess
import sys

from bench import data
from bench.harness import BENCH_DIR, ROOT, Row, bench_env, median, report

RUNS = 3
TIME_RATIO_TARGET = 1.2
RSS_TARGET_MB = 600


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


def run() -> list[Row]:
    from effects.engines.local import EFFECTS

    image = BENCH_DIR / "photo-12mp.jpg"
    if not image.exists():
        image.write_bytes(data.photo_jpeg(4000, 3000))
    rows = []
    # The people effects need a photo with a person: bench.people measures them.
    for effect in (name for name, spec in EFFECTS.items() if not spec.faces):
        # Alternate bare and engine so drift in the machine's load hits both alike.
        bare = _measure(effect, "bare", str(image))
        engine = _measure(effect, "engine", str(image))
        ours_s, base_s = median(engine["times"]), median(bare["times"])
        ratio = ours_s / base_s
        rows.append(
            Row(
                f"local:{effect} (4000x3000 JPEG)",
                f"{ours_s * 1000:,.0f} ms, peak RSS {engine['peak_rss_mb']:.0f} MB",
                f"{base_s * 1000:,.0f} ms, peak RSS {bare['peak_rss_mb']:.0f} MB",
                f"{ratio:.2f}",
                f"<= {TIME_RATIO_TARGET}x time, RSS <= {RSS_TARGET_MB} MB",
                ratio <= TIME_RATIO_TARGET and engine["peak_rss_mb"] <= RSS_TARGET_MB,
                note=f"median of {RUNS} runs after a warm-up; "
                f"times ours {[round(t * 1000) for t in engine['times']]} ms, "
                f"bare {[round(t * 1000) for t in bare['times']]} ms",
            )
        )
    report(f"Built-in effects on a 12 MP photo-like JPEG ({image.stat().st_size // 1024} KB)", rows)
    return rows
