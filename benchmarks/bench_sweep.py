"""Sweep throughput: run a small slice of a sweep spec and extrapolate to the full sweep.

    .venv/bin/python benchmarks/bench_sweep.py                       # sobol_core, 40 runs
    .venv/bin/python benchmarks/bench_sweep.py --samples 8 --workers 2 --executor local
    .venv/bin/python benchmarks/bench_sweep.py --full                # the whole spec

Runs the sweep exactly as ``lead-sim sweep`` does (same runner, store and executor) at a small
sample size, then reports runs per second, seconds per run (inside the worker), the machine's
load average (the machine may be shared: a load above the core count slows every figure), and
the time the full spec would take at the measured rate and, from the CPU seconds each run used,
on an idle machine with that many free cores. Prints one JSON line with --json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd


def main() -> int:
    """Parse the options; a bad value or spec ends with one line and status 2, no traceback,
    as the lead-sim commands do."""
    from lead_sim.commands.common import positive_float, positive_int
    from lead_sim.errors import LeadSimError

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", default="sobol_core",
                        help="a built-in spec's name or a sweep spec TOML (default sobol_core)")
    parser.add_argument("--samples", type=positive_int, default=4,
                        help="sample size of the slice (default 4; the method's rules apply)")
    parser.add_argument("--full", action="store_true", help="run the spec's own sample size")
    parser.add_argument("--executor", default="local", choices=("serial", "local", "dask"),
                        help="where runs execute (default local)")
    parser.add_argument("--workers", type=positive_int, default=2,
                        help="worker processes (default 2)")
    parser.add_argument("--population", type=positive_int, default=None,
                        help="override the spec's population")
    parser.add_argument("--years", type=positive_float, default=None,
                        help="override the spec's years")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    args = parser.parse_args()
    try:
        return bench(args)
    except LeadSimError as exc:
        print(f"bench_sweep.py: error: {exc}", file=sys.stderr)
        return 2


def bench(args: argparse.Namespace) -> int:
    from lead_sim.sensitivity.engine import run_sweep
    from lead_sim.sensitivity.spec import load_spec, runs_per_sample

    full = load_spec(args.spec, population=args.population, years=args.years)
    spec = full if args.full else load_spec(args.spec, samples=args.samples,
                                            population=args.population, years=args.years)
    full_runs = runs_per_sample(full.method, full.samples, len(full.factors), full.options)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        start = time.perf_counter()
        done = run_sweep(spec, Path(tmp) / "sweep", executor=args.executor,
                         workers=args.workers, progress=False, report=False)
        wall = time.perf_counter() - start
        shards = sorted((Path(tmp) / "sweep" / "shards").glob("part-*.parquet"))
        timing = pd.concat([pd.read_parquet(f) for f in shards])
    rate = done.ran / done.seconds
    result = {
        "spec": full.name, "method": spec.method, "executor": args.executor,
        "workers": args.workers, "population": spec.population, "years": spec.years,
        "paired_with_baseline": spec.paired,
        "runs": done.ran, "failed": done.failed, "sweep_seconds": round(done.seconds, 1),
        "wall_seconds_incl_setup": round(wall, 1), "runs_per_second": round(rate, 3),
        "worker_seconds_per_run_median": round(float(timing["seconds"].median()), 2),
        "cpu_seconds_per_run_mean": round(float(timing["cpu_seconds"].mean()), 2),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(), "full_sweep_runs": full_runs,
        "full_sweep_minutes_at_this_rate": round(full_runs / rate / 60, 1),
        # what the same sweep needs on an otherwise idle machine with `workers` free cores
        "full_sweep_minutes_if_cores_idle": round(
            full_runs * float(timing["cpu_seconds"].mean()) / min(args.workers,
                                                                  os.cpu_count() or 1) / 60, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>34}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
