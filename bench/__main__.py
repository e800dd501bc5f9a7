"""``python -m bench [name ...]``: run the benchmarks (all by default) and print their tables.

Each benchmark measures PhotoMania beside a baseline run in the same process tree, so the
ratios hold on a machine whose absolute speed drifts. Results also go to var/bench/results.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import sys
import time

from bench import harness

BENCHMARKS = [
    "engines",
    "people",
    "api_reads",
    "apply",
    "sync_apply",
    "pipeline",
    "queries",
    "hostile",
    "request_metrics",
    "broker",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], help="benchmarks to run (default: all)")
    args = parser.parse_args(argv)
    names = args.names or BENCHMARKS

    harness.django_setup()
    harness.ensure_wrk()
    harness.ensure_database()
    harness.redis_flush()
    machine = harness.machine()
    print("# PhotoMania benchmarks")
    print(f"machine: {machine}")
    print(
        f"gunicorn: {harness.WEB_WORKERS} {harness.WEB_WORKER_CLASS} workers x {harness.WEB_THREADS} threads; wrk: {harness.CONNECTIONS} connections, "
        f"{harness.CORES} threads, {harness.DURATION} s per measurement after a 3 s warm-up"
    )
    started = time.time()
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        module.run()
        harness.redis_flush()
    machine["load_average_at_end"] = harness.os.getloadavg()
    out = harness.BENCH_DIR / "results.json"
    out.write_text(
        json.dumps(
            {
                "machine": machine,
                "seconds": round(time.time() - started),
                "rows": [dataclasses.asdict(r) for r in harness.RESULTS],
            },
            indent=2,
        )
    )
    missed = [r.what for r in harness.RESULTS if r.met is False]
    print(f"\nresults: {out}")
    if missed:
        print("targets missed: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
