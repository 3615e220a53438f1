"""Warm run speed, steadier than one ``lead-sim bench``: N runs in one process, timed in CPU.

    .venv/bin/python benchmarks/bench_runs.py            # seattle_citywide, 3,000 people, 12 yr
    .venv/bin/python benchmarks/bench_runs.py --scenario king_county --population 50000 \
        --years 10 --reps 2

Each replicate (seeds 0 to N-1) is built, then only its ``run()`` is timed, in process CPU
seconds (other processes on a shared machine slow the wall clock, not these). The fastest and
the median are printed. To compare two versions of the code, run this alternately for each
(e.g. with ``PYTHONPATH`` set to each checkout), several times, with the core already compiled.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="seattle_citywide")
    parser.add_argument("--population", type=int, default=3000)
    parser.add_argument("--years", type=float, default=12.0)
    parser.add_argument("--reps", type=int, default=6)
    args = parser.parse_args()
    from lead_sim.model import LeadModel

    seconds = []
    for seed in range(args.reps):
        model = LeadModel(args.scenario, seed, years=args.years, keep_events=False,
                          population=args.population)
        start = time.process_time()
        model.run()
        seconds.append(time.process_time() - start)
    print(json.dumps({"scenario": args.scenario, "population": args.population,
                      "years": args.years, "reps": args.reps, "fastest_s": round(min(seconds), 4),
                      "median_s": round(statistics.median(seconds), 4)}))


if __name__ == "__main__":
    main()
