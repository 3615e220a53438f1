"""``lead-sim params``: every parameter with its default, calibrated value, bounds, unit and
source."""

from __future__ import annotations

import argparse
import textwrap

from lead_sim.calibration import DEFAULT
from lead_sim.commands.common import add_calibrated_option, calibrated
from lead_sim.outcomes.tables import plain
from lead_sim.params import GROUPS, REGISTRY


def register(subparsers) -> None:
    parser = subparsers.add_parser("params", help="list every parameter with its source",
                                   description="List every model parameter: default, bounds, "
                                               "unit, description and source.")
    parser.add_argument("--group", choices=GROUPS, help="only this group")
    parser.add_argument("--csv", action="store_true", help="print as CSV")
    add_calibrated_option(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    params = [p for p in REGISTRY.values() if args.group in (None, p.group)]
    cal = calibrated(args)
    fitted = cal.params if cal else {}
    if args.csv:
        import csv
        import sys

        writer = csv.writer(sys.stdout)
        writer.writerow(["name", "group", "kind", "sweepable", "default", "calibrated", "low",
                         "high", "unit", "description", "source"])
        for p in params:
            bounds = ("|".join(p.choices), "") if p.kind == "choice" else (p.low, p.high)
            writer.writerow([p.name, p.group, p.kind, p.sweepable, p.default,
                             fitted.get(p.name, ""), *bounds, p.unit, p.description, p.source])
        return 0
    print("Sources cite rows of evidence/lead_evidence.md (#16, C6, O10 ...); parameters marked "
          "'not sweepable' cannot be varied in a sweep spec.")
    if cal:
        which = "the shipped calibration" if cal.name == DEFAULT else cal.name
        print(f"Runs start from {which}: a parameter it fits shows 'default -> calibrated' "
              "(--uncalibrated runs from the defaults).")
    for group in GROUPS:
        members = [p for p in params if p.group == group]
        if not members:
            continue
        print(f"\n== {group} ==")
        for p in members:
            allowed = (" | ".join(p.choices) if p.kind == "choice"
                       else f"{plain(p.low)} to {plain(p.high)} {p.unit}")
            default = repr(p.default) if p.kind == "choice" else plain(p.default)
            if p.name in fitted:
                default += f" -> calibrated {plain(fitted[p.name])}"
            fixed = "" if p.sweepable else "   (not sweepable)"
            print(f"{p.name} = {default}   [{allowed}]{fixed}")
            for line in textwrap.wrap(p.description, 92):
                print(f"    {line}")
            for line in textwrap.wrap(f"source: {p.source}", 92):
                print(f"    {line}")
    return 0
