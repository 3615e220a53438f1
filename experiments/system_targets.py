"""Does the system as usual match King County's jail at the default population?

    .venv/bin/python experiments/system_targets.py [--reps 5] [--uncalibrated]

Runs system_as_usual (20,000 people, 2010-01-01 to 2014-07-31) and sets its jail bed-days per
booking, bookings a year and average daily jail population over 2011 to mid-2014 beside the
sourced ranges of lead_sim/fitting/system.py. Writes the table (CSV and Markdown, as in
docs/validation.md) and the manifest to outputs/system_targets/<timestamp>/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from lead_sim.fitting.system import WINDOW, system_figures, system_table
from lead_sim.runs.manifest import build_manifest
from lead_sim.runs.runner import calibration_fields, prepare, simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--uncalibrated", action="store_true")
    args = parser.parse_args()
    scenario = prepare("system_as_usual", calibrated=None if args.uncalibrated else "shipped")
    scenario = scenario.with_horizon((WINDOW[1] - scenario.start_date).days / 365.25)
    seeds = range(args.seed, args.seed + args.reps)
    rows = [system_figures(simulate(scenario, s).timeseries, scenario) for s in seeds]
    table = system_table(rows)
    out = Path("outputs") / "system_targets" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out.mkdir(parents=True)
    table.to_csv(out / "system_targets.csv", index=False)
    markdown = markdown_table(table)
    (out / "system_targets.md").write_text(markdown, encoding="utf-8")
    manifest = build_manifest(kind="system targets", scenario=scenario.to_dict(),
                              seeds=list(seeds), **calibration_fields([scenario]))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str))
    print(markdown)
    print(f"Wrote {out}")


def markdown_table(table) -> str:
    lines = ["| figure | source | model (mean; range over replicates) | sourced range | inside |",
             "|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.description} (`{r.figure}`) | {r.source} | {r.model_mean:,.1f} "
                     f"({r.model_low:,.1f} to {r.model_high:,.1f}) | {r.low:,.0f} to "
                     f"{r.high:,.0f} | {'yes' if r.inside else 'NO'} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
