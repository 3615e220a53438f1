"""``lead-sim compare``: scenarios against a baseline, paired by seed, as a policy report."""

from __future__ import annotations

import argparse
import logging
import sys

from lead_sim.commands.common import (
    add_calibrated_option,
    add_force_option,
    add_run_options,
    calibrated,
    check_cost,
    locking_out,
    overrides,
    positive_float,
    positive_int,
    warn,
)
from lead_sim.params import Params
from lead_sim.reports.compare import HEADLINE_ROWS, saving_sentence, units_note
from lead_sim.reports.words import sentence, years_text
from lead_sim.runs.comparison import (
    DEFAULT_MAX_REPS,
    posterior_draws,
    prepare_comparison,
    run_comparison,
)
from lead_sim.runs.progress import progress_bar
from lead_sim.scenarios.notices import horizon_notices, replaced_start_values

logger = logging.getLogger(__name__)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare", help="compare scenarios with a baseline and write the policy report",
        description="Run BASELINE and every SCENARIO with the same seeds (paired by common "
                    "random numbers) and write comparison.csv, intercepts.csv, equity.csv, runs/, "
                    "figures/, report.html and manifest.json into --out.")
    parser.add_argument("baseline", help="baseline scenario (built-in name or TOML path)")
    parser.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                        help="scenarios to compare with the baseline")
    add_run_options(parser, reps=10)
    add_calibrated_option(parser, seeds_only=True)
    parser.add_argument("--workers", type=positive_int, default=1,
                        help="worker processes (default 1)")
    parser.add_argument("--precision", type=positive_float, default=None, metavar="P",
                        help="add replicates until every headline difference's 95%% interval "
                             "is narrower than P x its mean (or --max-reps is reached)")
    parser.add_argument("--max-reps", type=positive_int, default=None,
                        help="cap on replicates per scenario with --precision (default 200)")
    parser.add_argument("--people", action="store_true",
                        help="keep each run's event log to count distinct people per intercept "
                             "(about 20%% slower)")
    parser.add_argument("--out", required=True, help="output folder")
    add_force_option(parser)
    parser.set_defaults(handler=handle)


@locking_out
def handle(args: argparse.Namespace) -> int:
    cal = calibrated(args)
    opts = dict(years=args.years, population=args.population, overrides=overrides(args),
                calibrated=cal)
    draws = None if args.seeds_only else posterior_draws(cal, overrides(args))
    prepared = prepare_comparison(args.baseline, args.scenarios, args.reps, args.precision,
                                  args.max_reps, draws, **opts)
    warn("compare", [m for s in prepared for m in replaced_start_values(s, overrides(args))]
         + horizon_notices([args.baseline, *args.scenarios], prepared, args.years))
    most = args.reps if args.precision is None else (args.max_reps or DEFAULT_MAX_REPS)
    days = max(s.days for s in prepared)
    check_cost(args, "compare", len(prepared) * most, days,
               Params.with_overrides(prepared[0].params)["population"],
               series_replicate_years=len(prepared) * most * days / 365.25)
    bar = progress_bar(len(prepared) * args.reps, "replicates", "run")

    def on_batch(n: int, loose: list[str], more: int) -> None:
        bar.total += len(prepared) * more
        bar.refresh()
        if logger.isEnabledFor(logging.INFO):  # above the bar on a terminal, as tqdm writes
            bar.write(f"{n} replicates: {len(loose)} headline difference(s) not yet precise",
                      file=sys.stderr)

    with bar:
        comparison = run_comparison(
            args.baseline, args.scenarios, reps=args.reps, seed=args.seed, workers=args.workers,
            precision=args.precision, max_reps=args.max_reps, people=args.people,
            progress=bar.update, on_batch=on_batch, draws=draws, out_dir=args.out, **opts)
    path = comparison.write(args.out)
    _print_summary(comparison, path, args.precision)
    return 0


def _print_summary(comparison, path, precision) -> None:
    years = years_text(int(comparison.summary["days"].iloc[0]))
    table = comparison.table
    for scn in comparison.scenarios:
        for outcome, noun in HEADLINE_ROWS:
            row = table[(table["scenario"] == scn) & (table["outcome"] == outcome)].iloc[0]
            diff = (row["diff_mean"], row["diff_low"], row["diff_high"])
            print(sentence(scn, comparison.baseline, outcome, noun, diff, years))
        print(saving_sentence(comparison, scn))
    manifest = comparison.manifest
    print(f"Uncertainty: {manifest['uncertainty']}.")
    p = manifest["params"][comparison.baseline]
    print(units_note(p["population"], p["reference_population"]))
    if precision is not None:
        state = "reached" if manifest["precision_reached"] else "not reached (cap)"
        print(f"Precision {precision:g}: {state} with {manifest['reps_used']} replicates "
              "per scenario.")
        if manifest["imprecise"]:
            print("Still wider than that: " + "; ".join(manifest["imprecise"]) + ".")
    print(f"\nWrote {path}/report.html, comparison.csv, intercepts.csv, equity.csv, figures/, "
          "runs/ and manifest.json")
