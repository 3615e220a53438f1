"""``lead-sim validate``: the UW evaluation of the LEAD pilot, replayed in the model."""

from __future__ import annotations

import argparse

import pandas as pd

from lead_sim.commands.common import (
    add_calibrated_option,
    add_force_option,
    calibrated,
    check_cost,
    locking_out,
    overrides,
    positive_int,
    require_out,
    seed,
)
from lead_sim.fitting.replay import MIN_POPULATION, pilot_scenario, run_validation
from lead_sim.params import Params
from lead_sim.reports.words import num
from lead_sim.runs.progress import progress_bar


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "validate", help="replay the UW evaluation of the pilot and compare with its figures",
        description="Run the pilot scenario with its green-light/red-light shifts, form the "
                    "evaluation's LEAD and control cohorts (Oct 2011 - Jul 2014), follow them "
                    "to the end of July 2014 and write validation.csv, replicates.csv, "
                    "validation.html and manifest.json into --out.")
    parser.add_argument("--scenario", default="pilot_2011",
                        help="scenario to replay (default pilot_2011)")
    parser.add_argument("--seed", type=seed, default=0, help="seed of replicate 1 (default 0)")
    parser.add_argument("--reps", type=positive_int, default=10,
                        help="replicates (default 10)")
    parser.add_argument("--population", type=positive_int, default=None,
                        help=f"people at risk (default: the registry's; at least "
                             f"{MIN_POPULATION:,})")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="NAME=VALUE", help="override a parameter (repeatable)")
    add_calibrated_option(parser, draws=True)
    parser.add_argument("--workers", type=positive_int, default=1,
                        help="worker processes (default 1)")
    parser.add_argument("--out", required=True,
                        help="output folder: new, empty, or holding this same validation")
    add_force_option(parser)
    parser.set_defaults(handler=handle)


@locking_out
def handle(args: argparse.Namespace) -> int:
    out = require_out(args.out)
    cal = calibrated(args)
    scenario = pilot_scenario(args.scenario, population=args.population,
                              overrides=overrides(args), calibrated=cal)
    draws = ([{**cal.draw(i), **overrides(args)} for i in range(args.reps)]
             if cal and args.posterior_draws else None)
    # a replay keeps each replicate's cohort statistics, not its daily series
    check_cost(args, "validate", args.reps, scenario.days,
               Params.with_overrides(scenario.params)["population"])
    bar = progress_bar(args.reps, "replicates", "run", leave=False)
    with bar:
        result = run_validation(scenario, seed=args.seed, reps=args.reps, workers=args.workers,
                                progress=bar.update, draws=draws,
                                out_dir=out)
    path = result.write(out)
    times = "once" if args.reps == 1 else f"{args.reps} times"
    print(f"Evaluation replayed {times} ({scenario.name}, "
          f"{result.manifest['params']['population']:,} people):")
    print(_table(result.table))
    print(f"\nWrote {path}/validation.csv, validation.html, replicates.csv and manifest.json")
    return 0


def _table(table: pd.DataFrame) -> str:
    """The validation table for the terminal; model_low to model_high is the range of single
    replays (2.5-97.5%), not an interval of the mean."""
    def cell(value: float, metric: str) -> str:
        return "" if value != value else num(value, "cost" if "cost" in metric else "")

    frame = table.drop(columns="county_factor").assign(
        **{c: [cell(v, m) for v, m in zip(table[c], table["metric"], strict=True)]
           for c in ("model_mean", "model_low", "model_high", "published")})
    return (frame.set_index("metric").to_string()
            + "\nmodel_low to model_high: range of single replays (2.5-97.5%).")
