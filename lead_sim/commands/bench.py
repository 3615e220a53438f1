"""``lead-sim bench``: time one model run and report person-days per second and peak memory."""

from __future__ import annotations

import argparse
import json
import resource
import time

from lead_sim.commands.common import positive_float, positive_int, seed
from lead_sim.runs.runner import prepare, simulate
from lead_sim.runs.warmup import warm_up

LOAD_POPULATION, MIN_YEARS = 100, 0.1  # a tiny first run, untimed, loads the compiled core


def register(subparsers) -> None:
    parser = subparsers.add_parser("bench", help="benchmark the simulation core",
                                   description="Time one replicate (model run only) and report "
                                               "person-days per second and peak memory. A tiny "
                                               "run first loads the compiled core (reported as "
                                               "load_seconds, not timed in seconds).")
    parser.add_argument("--scenario", default="king_county",
                        help="built-in scenario name or scenario TOML path (default king_county)")
    parser.add_argument("--population", type=positive_int, default=50_000,
                        help="people at risk (default 50,000)")
    parser.add_argument("--years", type=positive_float, default=10.0,
                        help="years simulated from the scenario's start date (default 10)")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the replicate (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON line")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    scenario = prepare(args.scenario, years=args.years, population=args.population)
    start = time.perf_counter()  # load (or compile) the compiled core: once per process
    warm_up()
    simulate(prepare(args.scenario, years=MIN_YEARS, population=LOAD_POPULATION), args.seed)
    load_seconds = time.perf_counter() - start
    start = time.perf_counter()
    simulate(scenario, args.seed)
    seconds = time.perf_counter() - start
    person_days = args.population * scenario.days
    result = {
        "scenario": scenario.name, "population": args.population, "years": args.years,
        "person_days": person_days, "seconds": round(seconds, 3),
        "person_days_per_s": round(person_days / seconds),
        "load_seconds": round(load_seconds, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value}")
    return 0
