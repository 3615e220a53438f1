"""How much did the 2011 pilot, as launched, change bookings and jail use?

    .venv/bin/python experiments/pilot_vs_system_as_usual.py [--reps 10]

Runs the pilot and the system as usual with the same seeds and writes both to
outputs/pilot_vs_system_as_usual/<timestamp>/ with a manifest, then prints paired differences.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from lead_sim import run
from lead_sim.outcomes.tables import summary_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results = run(["system_as_usual", "pilot_2011"], seed=args.seed, reps=args.reps)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = results.write(Path("outputs") / "pilot_vs_system_as_usual" / stamp)
    print(summary_table(results.summary, baseline="system_as_usual"))
    print(f"\nWrote {out}")


if __name__ == "__main__":
    main()
