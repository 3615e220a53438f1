"""``lead-sim run``: replicates of a scenario (and optionally a baseline) written to a folder."""

from __future__ import annotations

import argparse

from lead_sim.commands.common import (
    add_calibrated_option,
    add_force_option,
    add_run_options,
    calibrated,
    calibration_note,
    check_cost,
    locking_out,
    overrides,
    positive_int,
    require_out,
    warn,
)
from lead_sim.outcomes.tables import plural, summary_table, units_note
from lead_sim.params import Params
from lead_sim.runs.progress import progress_bar
from lead_sim.runs.runner import check_comparable, prepare, run
from lead_sim.scenarios.notices import horizon_notices, replaced_start_values


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="run a scenario and write summary.csv, timeseries.csv, equity.csv, "
        "manifest.json",
        description="Run replicates of a scenario (a built-in name or a TOML file). With "
                    "--baseline, the baseline runs too with the same seeds, and the table shows "
                    "paired differences.")
    parser.add_argument("scenario", help="built-in scenario name or path to a scenario TOML")
    parser.add_argument("--baseline", default=None,
                        help="also run this scenario with the same seeds and show differences")
    add_run_options(parser)
    add_calibrated_option(parser, draws=True)
    parser.add_argument("--workers", type=positive_int, default=1,
                        help="worker processes (default 1)")
    parser.add_argument("--out", required=True,
                        help="output folder: new, empty, or holding this same run")
    add_force_option(parser)
    parser.set_defaults(handler=handle)


@locking_out
def handle(args: argparse.Namespace) -> int:
    out = require_out(args.out)
    names = [args.baseline, args.scenario] if args.baseline else [args.scenario]
    cal = calibrated(args)
    opts = dict(years=args.years, population=args.population, overrides=overrides(args),
                calibrated=cal)
    prepared = [prepare(name, **opts) for name in names]  # fail fast, before any run
    check_comparable(names, prepared)
    warn("run", [m for s in prepared for m in replaced_start_values(s, overrides(args))]
         + horizon_notices(names, prepared, args.years))
    check_cost(args, "run", len(prepared) * args.reps, max(s.days for s in prepared),
               Params.with_overrides(prepared[-1].params)["population"],
               series_replicate_years=sum(s.days for s in prepared) / 365.25 * args.reps)
    draws = ([{**cal.draw(r), **overrides(args)} for r in range(args.reps)]
             if cal and args.posterior_draws else None)
    total = sum(s.days for s in prepared) * args.reps
    # a bar on a terminal, plain lines otherwise (an IDE console, `2>&1 | tee run.log`), where
    # a bare tqdm bar hides itself and a run of several minutes would show nothing at all
    bar = progress_bar(total, "simulating", "day", unit_scale=True, leave=False)
    with bar:
        results = run(prepared, seed=args.seed, reps=args.reps, workers=args.workers,
                      years=args.years, population=args.population, progress=bar.update,
                      draws=draws, calibrated=cal, out_dir=out)
    path = results.write(out)
    baseline = prepared[0].name if args.baseline else None
    reps = plural(args.reps, "replicate")
    seeds = (f"seed {args.seed}" if args.reps == 1
             else f"seeds {args.seed}-{args.seed + args.reps - 1}")
    print(f"Mean over {reps} ({seeds}), "
          f"{prepared[-1].start_date} to {prepared[-1].end_date}, "
          f"{Params.with_overrides(prepared[-1].params)['population']:,} people:")
    print(summary_table(results.summary, baseline))
    p = Params.with_overrides(prepared[-1].params)
    print(units_note(p["population"], p["reference_population"]))
    print(calibration_note(prepared[-1].calibrated, args.posterior_draws))
    if baseline:
        print(f"Differences are means of {reps}, without intervals; 'lead-sim compare "
              f"{args.baseline} {args.scenario} --out outputs/compare' gives 95% "
              "intervals.")
    print(f"\nWrote {path}/summary.csv, timeseries.csv, equity.csv and manifest.json")
    return 0
