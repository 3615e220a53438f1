"""``lead-sim sweep``: a sensitivity sweep from a spec, resumable, on any executor."""

from __future__ import annotations

import argparse
import logging

from lead_sim.commands.common import (
    add_executor_options,
    add_force_option,
    check_cost,
    check_scheduler_option,
    positive_float,
    positive_int,
    require_out,
)

logger = logging.getLogger(__name__)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "sweep", help="sensitivity sweep (Morris, Sobol, FAST, LHS) from a spec",
        description="Run a sensitivity sweep described by SPEC: a built-in spec's name "
                    "(morris_screen, sobol_core, lhs_savings, equity_drivers) or a TOML file. "
                    "Results stream into DIR as they finish; running the same command again "
                    "after an interruption finishes only the missing runs. Writes indices.csv, "
                    "convergence.csv, runs.csv, discovery.csv (lhs with [[discovery]]), "
                    "figures and report.html.")
    parser.add_argument("spec", help="a built-in spec's name (e.g. sobol_core) or a sweep "
                        "spec TOML file")
    parser.add_argument("--out", required=True, metavar="DIR", help="sweep folder")
    add_executor_options(parser, "runs")
    parser.add_argument("--samples", type=positive_int, default=None,
                        help="override the spec's sample size")
    parser.add_argument("--reps", type=positive_int, default=None,
                        help="override the spec's replicates per sample row")
    parser.add_argument("--population", type=positive_int, default=None,
                        help="override the spec's population")
    parser.add_argument("--years", type=positive_float, default=None,
                        help="override the spec's years")
    parser.add_argument("--option", action="append", default=[], type=method_option,
                        metavar="KEY=VALUE",
                        help="override a method option of the spec's [options], e.g. M=2 for a "
                             "quick (biased) lhs or fast look, or second_order=true for sobol "
                             "interaction indices in indices_second_order.csv (repeatable)")
    parser.add_argument("--shard-size", type=positive_int, default=50,
                        help="finished runs per shard file (default 50; a shard is also "
                             "written every 20 s, and after every group of runs when runs "
                             "take seconds, as lead_sim runs do)")
    parser.add_argument("--retry-failed", action="store_true",
                        help="on resume, rerun runs recorded as failed")
    add_force_option(parser)
    parser.set_defaults(handler=handle)


def method_option(text: str) -> tuple[str, bool | int]:
    """Parse ``--option KEY=VALUE``: a whole number, or true/false (checked with the spec)."""
    key, sep, raw = (part.strip() for part in text.partition("="))
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got '{text}'")
    if raw.lower() in ("true", "false"):
        return key, raw.lower() == "true"
    try:
        return key, int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{raw}' is not a whole number or true/false (in '{text}')") from None


def handle(args: argparse.Namespace) -> int:
    from lead_sim.params import Params
    from lead_sim.runs.executors import check_scheduler
    from lead_sim.sensitivity.engine import open_store, run_sweep
    from lead_sim.sensitivity.spec import load_spec, runs_per_sample
    from lead_sim.sensitivity.targets import LeadTarget

    out = require_out(args.out)
    check_scheduler_option(args)
    spec = load_spec(args.spec, samples=args.samples, reps=args.reps,
                     population=args.population, years=args.years, options=dict(args.option))
    if args.scheduler:  # before the header: an unreachable cluster is one line and exit 2
        check_scheduler(args.scheduler)
    store = open_store(spec, out, LeadTarget.from_spec(spec))  # so is another sweep's folder
    if change := store.code_change():
        logger.warning(change)
    rows = runs_per_sample(spec.method, spec.samples, len(spec.factors), spec.options)
    # shards keep memory flat; a paired run simulates the baseline too (an upper figure:
    # runs of one block share their history)
    check_cost(args, "sweep", rows * spec.reps * (2 if spec.paired else 1), spec.scenario.days,
               Params.with_overrides(spec.scenario.params)["population"])
    print(f"Sweep '{spec.name}': {spec.method}, {len(spec.factors)} parameters, {rows} sample "
          f"rows x {spec.reps} replicate(s) = {rows * spec.reps} runs "
          f"({'scenario and baseline' if spec.paired else 'one simulation'} each).")
    try:
        done = run_sweep(spec, out, executor=args.executor, workers=args.workers,
                         scheduler=args.scheduler, shard_size=args.shard_size,
                         retry_failed=args.retry_failed)
    except KeyboardInterrupt:
        logger.warning("interrupted; finished runs are kept in %s/shards. Run the same command "
                       "again to finish the missing runs.", out)
        return 130
    if done.resumed:
        print(f"Resumed: {done.resumed} of {done.total} runs were already done.")
    rate = f"{done.runs_per_second:.2f} runs/s" if done.ran else "nothing left to run"
    print(f"Ran {done.ran} runs in {done.seconds:.1f} s ({rate}); {done.failed} failed.")
    if done.failed:
        print("Some runs failed; their errors are in runs.csv, and report.html says what the "
              "analysis could not use (sobol, morris and fast need every row of their design). "
              "--retry-failed runs them again: that helps if the failure was transient.")
    written = ["indices.csv", "convergence.csv", "runs.csv",
               *(name for name in ("indices_second_order.csv", "discovery.csv")
                 if (done.out_dir / name).exists()),
               "report.html", *(["figures/"] if (done.out_dir / "figures").is_dir() else [])]
    print(f"Results in {done.out_dir}/: {', '.join(written)} (shards in shards/).")
    return 0
