"""Benchmark the simulation core against its targets (not a test: run it by hand).

    .venv/bin/python benchmarks/bench_core.py

Runs ``lead-sim bench`` (one model run per process, so peak memory is per run) for
king_county over 10 years at 50,000 and 200,000 people, and checks the targets: 50,000 people
in under 10 s on one core and under 1 GB; 200,000 people in under 4.5 times the 50,000 time.
"""

from __future__ import annotations

import json
import subprocess
import sys

TARGET_SECONDS_50K = 10.0
TARGET_RSS_MB = 1024.0
TARGET_SCALING = 4.5


def bench(population: int, years: float = 10.0) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "lead_sim.cli", "bench", "--scenario", "king_county",
         "--population", str(population), "--years", str(years), "--json"],
        check=True, capture_output=True, text=True,
    )
    return json.loads(done.stdout)


def main() -> int:
    small, large = bench(50_000), bench(200_000)
    for result in (small, large):
        print(json.dumps(result))
    ratio = large["seconds"] / small["seconds"]
    checks = {
        f"50k: {small['seconds']:.2f} s < {TARGET_SECONDS_50K} s":
            small["seconds"] < TARGET_SECONDS_50K,
        f"50k: {small['peak_rss_mb']:.0f} MB < {TARGET_RSS_MB:.0f} MB":
            small["peak_rss_mb"] < TARGET_RSS_MB,
        f"200k/50k time ratio {ratio:.2f} < {TARGET_SCALING}": ratio < TARGET_SCALING,
    }
    for label, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
