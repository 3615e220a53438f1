"""Fingerprint same-seed outputs, to show a speed change left the numbers alone.

    .venv/bin/python benchmarks/fingerprint.py before.json     # on the old commit
    .venv/bin/python benchmarks/fingerprint.py after.json      # on the new one
    diff before.json after.json                                # empty: identical outputs

Runs five scenarios (with their event logs, and once more without, since runs without a log
take other code paths) and records each summary and a SHA-1 of its daily time series and
event log. Not a test: two commits are compared, which a test of one commit cannot do.
"""

from __future__ import annotations

import hashlib
import json
import sys

from lead_sim.runs.runner import prepare, simulate

CASES = [("seattle_citywide", 3000, 12, 1), ("king_county", 5000, 6, 2),
         ("pilot_2011", 4000, 4, 3), ("system_as_usual", 3000, 5, 4),
         ("full_capacity", 3000, 5, 5)]


def _sha(frame) -> str:
    return hashlib.sha1(frame.to_csv().encode()).hexdigest()


def fingerprint() -> dict:
    out = {}
    for name, population, years, seed in CASES:
        scenario = prepare(name, population=population, years=years)
        with_log = simulate(scenario, seed, keep_events=True)
        without = simulate(scenario, seed)
        out[name] = {"summary": {k: str(v) for k, v in with_log.summary.items()},
                     "timeseries": _sha(with_log.timeseries), "events": _sha(with_log.events),
                     "timeseries_without_log": _sha(without.timeseries)}
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: fingerprint.py OUT.json")
    with open(sys.argv[1], "w", encoding="utf-8") as handle:
        json.dump(fingerprint(), handle, indent=1, sort_keys=True)
