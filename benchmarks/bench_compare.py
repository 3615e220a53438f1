"""Time ``lead-sim compare system_as_usual seattle_citywide king_county --reps 30 --workers 2``.

Target: under 5 minutes at the default population, whole run (simulation, analysis, figures and
report). Prints the wall-clock seconds, the CPU load before and after, and the command, so the
figure can be quoted with its conditions. Smaller cases: ``--reps 4 --years 4``.

    .venv/bin/python benchmarks/bench_compare.py [--reps 30] [--workers 2] [--years Y]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from lead_sim.cli import main as lead_sim

SCENARIOS = ("system_as_usual", "seattle_citywide", "king_county")
TARGET_SECONDS = 300


def run(reps: int, workers: int, years: float | None, population: int | None) -> float:
    with tempfile.TemporaryDirectory(prefix="bench_compare.") as tmp:
        argv = ["compare", *SCENARIOS, "--reps", str(reps), "--workers", str(workers),
                "--out", str(Path(tmp) / "out")]
        argv += ["--years", str(years)] if years else []
        argv += ["--population", str(population)] if population else []
        print("lead-sim " + " ".join(argv), file=sys.stderr)
        start = time.perf_counter()
        code = lead_sim(argv)
        seconds = time.perf_counter() - start
    if code != 0:
        raise SystemExit(code)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--years", type=float, default=None)
    parser.add_argument("--population", type=int, default=None)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    seconds = run(args.reps, args.workers, args.years, args.population)
    load_after = os.getloadavg()[0]
    verdict = "within" if seconds < TARGET_SECONDS else "over"
    print(f"seconds: {seconds:.1f} ({verdict} the {TARGET_SECONDS} s target; "
          f"1-min load average {load_before:.1f} before, {load_after:.1f} after, "
          f"{os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
