"""``lead-sim optimize``: search budget and coverage policies (NSGA-II/III), resumable."""

from __future__ import annotations

import argparse
import sys

from lead_sim.commands.common import (
    add_executor_options,
    add_force_option,
    check_cost,
    check_scheduler_option,
    positive_float,
    positive_int,
    require_out,
    seed,
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "optimize", help="search policies for the best use of a budget (NSGA-II), resumable",
        description="Search the policies CONFIG allows (a built-in config such as budget_mix, "
                    "or a TOML file; docs/optimize.md) for the best trade-offs between its "
                    "objectives within its budget cap. Every candidate runs on the same seeds. "
                    "Evaluations stream into DIR/store as they finish; running the same command "
                    "again after an interruption runs only the missing ones and gives the same "
                    "front. Writes pareto.csv, evaluations.csv, report.html and manifest.json.")
    parser.add_argument("config", help="built-in config name (budget_mix) or config TOML")
    parser.add_argument("--out", required=True, metavar="DIR", help="search folder")
    parser.add_argument("--generations", type=positive_int, default=None,
                        help="generations (default: the config's)")
    parser.add_argument("--pop-size", type=positive_int, default=None,
                        help="candidates per generation, at least 4 (default: the config's)")
    parser.add_argument("--reps", type=positive_int, default=None,
                        help="replicates per candidate (default: the config's)")
    parser.add_argument("--population", type=positive_int, default=None,
                        help="people at risk (default: the config's, else the parameter's)")
    parser.add_argument("--years", type=positive_float, default=None,
                        help="years simulated after the policy start (default: the config's)")
    parser.add_argument("--seed", type=seed, default=None,
                        help="seed of the search and of replicate 1 (default: the config's)")
    add_executor_options(parser, "evaluations")
    add_force_option(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from lead_sim.optimize.config import load_config
    from lead_sim.optimize.search import open_store, run_search
    from lead_sim.params import REGISTRY
    from lead_sim.runs.executors import check_scheduler

    out = require_out(args.out)
    check_scheduler_option(args)
    config = load_config(args.config, generations=args.generations, pop_size=args.pop_size,
                         reps=args.reps, population=args.population, years=args.years,
                         seed=args.seed)
    if args.scheduler:
        check_scheduler(args.scheduler)
    population = config.population or REGISTRY["population"].default
    check_cost(args, "optimize", config.evaluations, round(config.years * 365.25), population)
    open_store(config, out)  # another search's folder is refused before anything runs
    print(f"Search '{config.name}': {config.algorithm}, {len(config.variables)} decisions, "
          f"{len(config.objectives)} objectives, {config.generations} generations x "
          f"{config.pop_size} candidates x {config.reps} replicates = {config.evaluations:,} "
          f"evaluations; budget cap ${config.budget_cap:,.0f} a year.")
    try:
        done = run_search(config, out, executor=args.executor, workers=args.workers,
                          scheduler=args.scheduler)
    except KeyboardInterrupt:
        print(f"lead-sim optimize: interrupted; finished evaluations are kept in {out}/store. "
              "Run the same command again to finish the missing ones.", file=sys.stderr)
        return 130
    if done.resumed:
        print(f"Resumed: {done.resumed} of {done.total} evaluations were already done.")
    per = f", {done.cpu_seconds / done.ran:.2f} CPU s each" if done.ran else ""
    print(f"Ran {done.ran} evaluations in {done.seconds:.1f} s{per}.")
    print(f"Results in {done.out_dir}/: pareto.csv, evaluations.csv, report.html, manifest.json "
          "(evaluations in store/).")
    return 0
