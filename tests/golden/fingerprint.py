"""The golden numbers: a fingerprint of every built-in scenario, committed beside this file.

    .venv/bin/python -m tests.golden.fingerprint      # rewrite tests/golden/fingerprint.json

`tests/test_golden.py` recomputes the fingerprint and compares it with the committed file, so a
change that moves any number (a summary value, a day of the daily series, an event) fails the
test. A restructure or a speed-up must leave it byte-identical. A change that is meant to move the
numbers rewrites the file with the command above, and its commit message says why.

Each scenario runs at a small population over its whole horizon (2010-2021, or 2010-2030 for
the scenarios to 2030), so every dated policy change is crossed; once with its event log and
once without, since runs without a log take other code paths. Each keeps the seed it was first
given, so adding a scenario does not move the others. Summaries are kept value by value (as
`repr`, exact to the last bit) so a failure names what moved; the daily series and event log are
kept as SHA-256 of their CSV text.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from lead_sim import builtin_names, prepare, simulate

GOLDEN = Path(__file__).with_name("fingerprint.json")
POPULATION = 1_000


def _sha(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv().encode()).hexdigest()


def scenario_fingerprint(name: str, seed: int, population: int = POPULATION,
                         years: float | None = None) -> dict[str, object]:
    """Summary values, and hashes of the daily series and event log, of one built-in scenario
    (at the golden size and horizon unless told otherwise)."""
    scenario = prepare(name, population=population, years=years)
    with_log = simulate(scenario, seed, keep_events=True)
    without = simulate(scenario, seed)
    return {"seed": seed,
            "summary": {key: repr(value) for key, value in with_log.summary.items()},
            "timeseries": _sha(with_log.timeseries), "events": _sha(with_log.events),
            "timeseries_without_log": _sha(without.timeseries)}


def seeds(committed: dict[str, dict[str, object]]) -> dict[str, int]:
    """Each built-in scenario's seed: the one committed for it, so adding a scenario leaves
    the others' fingerprints as they were; a new scenario takes the next unused seed (in name
    order)."""
    own = {name: int(entry["seed"]) for name, entry in committed.items()
           if name in builtin_names()}
    after = max(own.values(), default=0)
    new = [name for name in sorted(builtin_names()) if name not in own]
    return {**own, **{name: after + i for i, name in enumerate(new, start=1)}}


def fingerprint() -> dict[str, dict[str, object]]:
    """The fingerprint of every built-in scenario, each with its own seed."""
    committed = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}
    return {name: scenario_fingerprint(name, seed) for name, seed in seeds(committed).items()}


def write(path: Path = GOLDEN) -> None:
    path.write_text(json.dumps(fingerprint(), indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write()
    print(f"wrote {GOLDEN}")
