"""LeadModel under Mesa's batch runner: a small factorial of scenario x caseload cap.

    PYTHONPATH=. .venv/bin/python experiments/batch_run_example.py

``mesa.batch_run`` builds ``LeadModel(scenario=..., caseload_cap=..., population=...,
seed=None)`` for each combination and iteration (each model draws and records its own seed),
steps it day by day up to ``max_steps`` and returns one row per agent at the last step, with
the model reporters (the day's record: jail population, LEAD caseloads, costs, ...) on every
row. Three years from 1 January 2010 take the pilot past LEAD's launch (1 October 2011).
The main guard is needed: batch_run starts its worker processes with 'spawn'.
"""

from __future__ import annotations

import mesa
import pandas as pd

from lead_sim import LeadModel

YEARS_OF_STEPS = 3
SHOWN = ["scenario", "caseload_cap", "iteration", "seed", "Step", "jail_population",
         "lead_active", "lead_waitlist", "case_managers"]


def main() -> None:
    rows = mesa.batch_run(
        LeadModel,
        parameters={"scenario": ["system_as_usual", "pilot_2011"], "caseload_cap": [20, 25],
                    "population": 2_000},
        rng=[None] * 2,  # two iterations, each model drawing its own seed (iterations=2 works
                         # too, with Mesa's deprecation warning)
        max_steps=round(365.25 * YEARS_OF_STEPS),
        number_processes=2,
        display_progress=False,
    )
    frame = pd.DataFrame(rows)
    print(f"{len(rows)} rows (one per officer and case manager at the last step), "
          f"{frame['RunId'].nunique()} runs, columns: {', '.join(frame.columns[:8])}, ...")
    last_day = frame.drop_duplicates("RunId").sort_values(["scenario", "caseload_cap",
                                                           "iteration"])
    print(last_day[SHOWN].to_string(index=False))


if __name__ == "__main__":
    main()
