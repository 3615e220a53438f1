"""Time ``lead-sim optimize budget_mix`` and extrapolate to the full search.

Target: the built-in ``budget_mix`` search, 40 generations x 24 candidates x 5 replicates of
King County at the default population, in under 20 minutes on a 2-core machine with
``--workers 2``. A full search takes that long to measure, so by default this runs a reduced
one (3 generations) and extrapolates from what each part costs in CPU seconds, which load on a
shared machine inflates far less than wall-clock time:

- the history (2010 to the policy start), simulated once per seed by each worker that needs it:
  at most workers x replicates histories over the whole search;
- one evaluation: a copy of the history, the policy period and its outcomes;
- the search's own work between generations (pymoo, decoding, the store) and the report.

It prints the measured wall and CPU seconds, the extrapolation, the CPU load, and the command
to run the whole search on a quiet machine to check the figure (``--generations 40``).

    .venv/bin/python benchmarks/bench_optimize.py [--generations 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from lead_sim.model import LeadModel
from lead_sim.optimize.config import load_config
from lead_sim.optimize.policy import history_scenario
from lead_sim.optimize.search import run_search

TARGET_SECONDS = 20 * 60
FULL_GENERATIONS = 40


def history_cpu(config) -> float:
    """CPU seconds to simulate the shared history of one seed up to the policy start."""
    history = history_scenario(config)
    start_day = (config.start - history.start_date).days
    cpu = time.process_time()
    LeadModel(history, config.seed).simulate_until(start_day)
    return time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generations", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--population", type=int, default=None)
    args = parser.parse_args()
    config = load_config("budget_mix", generations=args.generations,
                         population=args.population)
    full = load_config("budget_mix", generations=FULL_GENERATIONS, population=args.population)
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    one_history = history_cpu(config)
    with tempfile.TemporaryDirectory(prefix="bench_optimize.") as tmp:
        wall, own = time.perf_counter(), time.process_time()
        run = run_search(config, Path(tmp) / "out", workers=args.workers, progress=True)
        wall = time.perf_counter() - wall
        own = time.process_time() - own
    histories = args.workers * config.reps  # the most a whole search simulates
    eval_cpu = (run.cpu_seconds - run.history_cpu_seconds) / run.ran  # the fork and period
    coordinator = own / args.generations  # pymoo, store, decoding per generation (+ report)
    full_cpu = histories * one_history + full.evaluations * eval_cpu
    estimate = full_cpu / args.workers + coordinator * FULL_GENERATIONS
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)
    print(f"reduced search: {config.generations} generations x {config.pop_size} x "
          f"{config.reps} = {run.ran} evaluations, workers {args.workers}")
    print(f"  wall {wall:.1f} s ({wall / run.ran:.3f} s per evaluation)")
    print(f"  CPU: in the workers' tasks {run.cpu_seconds:.1f} s (as each task measured it), "
          f"in the coordinator {own:.1f} s (pymoo, store, report)")
    print(f"  one history (2010 to the policy start): {one_history:.2f} CPU s; histories "
          f"took {run.history_cpu_seconds:.1f} CPU s here, at most {histories} in a search")
    print(f"  one evaluation (copy, policy period, outcomes): {eval_cpu:.3f} CPU s")
    print(f"full search ({full.evaluations} evaluations), extrapolated from CPU seconds on "
          f"{args.workers} quiet cores: {estimate / 60:.1f} min (target "
          f"{TARGET_SECONDS / 60:.0f} min: {'met' if estimate < TARGET_SECONDS else 'NOT met'})")
    print(f"check on a quiet machine: time .venv/bin/lead-sim optimize budget_mix --out "
          f"/tmp/budget_mix --workers {args.workers}")


if __name__ == "__main__":
    main()
