"""``lead-sim scenarios``: the built-in scenarios and their dated timelines."""

from __future__ import annotations

import argparse

from lead_sim.scenarios import builtin_names, load_scenario
from lead_sim.scenarios.schema import EVIDENCE_END, EVIDENCE_SOURCE


def register(subparsers) -> None:
    parser = subparsers.add_parser("scenarios", help="list built-in scenarios",
                                   description="List the built-in scenarios, or show one.")
    parser.add_argument("name", nargs="?", help="show this scenario's timeline")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.name is None:
        width = max(map(len, builtin_names()), default=0)
        for name in builtin_names():
            print(f"{name:<{width}} {load_scenario(name).description}")
        return 0
    scn = load_scenario(args.name)
    print(f"{scn.name}: {scn.description}\n{scn.start_date} to {scn.end_date}  ({scn.source})")
    if scn.extrapolated_from:
        print(f"  days from {scn.extrapolated_from} on are an extrapolation: past the last dated "
              f"evidence ({EVIDENCE_END}, row {EVIDENCE_SOURCE})")
    for key, value in scn.params.items():
        print(f"  start: {key} = {value}")
    for entry in scn.timeline:
        changes = ", ".join(f"{k} = {v}" for k, v in entry.set.items())
        cover = f"cover {', '.join(entry.cover)}" if entry.cover else ""
        after = "  (after end_date: not simulated)" if entry.date > scn.end_date else ""
        print(f"  {entry.date}  {'; '.join(x for x in (cover, changes) if x)}{after}")
        if entry.note:
            print(f"              {entry.note}")
    return 0
