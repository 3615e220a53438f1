"""The equity table of ``lead-sim compare``: each group's outcomes, and the relative rate
indices, with intervals over replicates and the paired difference from the baseline.

Intervals are those of :mod:`lead_sim.outcomes.analysis` (95% Student-t of the mean over
replicates); a difference is taken seed by seed, so the pairing of common random numbers
narrows it as it does the comparison table's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lead_sim.outcomes.analysis import t_interval
from lead_sim.outcomes.equity import rri_rows

COLUMNS = ("scenario", "group", "outcome", "mean", "low", "high", "diff_mean", "diff_low",
           "diff_high")


def with_indices(runs: pd.DataFrame) -> pd.DataFrame:
    """Per-run equity rows (``equity.csv`` of ``lead-sim run``) with the relative rate index
    rows of every run added (:func:`lead_sim.outcomes.equity.rri_rows`)."""
    return pd.concat([runs, rri_rows(runs)], ignore_index=True)


def equity_table(runs: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """One row per scenario, group and outcome (RRIs included): the mean over replicates with
    its interval, and, for a scenario other than the baseline, the mean paired difference
    (scenario minus baseline, seed by seed) with its interval. ``runs`` is
    :func:`with_indices`' table."""
    wide = runs.pivot_table(index=["scenario", "seed"], columns=["group", "outcome"],
                            values="value", sort=False, dropna=False)
    base = wide.loc[baseline]
    rows = []
    for scenario in dict.fromkeys(runs["scenario"]):
        own = wide.loc[scenario]
        paired = own.sub(base.reindex(own.index)) if scenario != baseline else None
        for group, outcome in own.columns:
            level = t_interval(own[(group, outcome)].to_numpy(float))
            diff = ((np.nan,) * 3 if paired is None
                    else t_interval(paired[(group, outcome)].to_numpy(float)))
            rows.append((scenario, group, outcome, *level, *diff))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def value(table: pd.DataFrame, scenario: str, group: str, outcome: str,
          column: str = "mean") -> float:
    """One number of :func:`equity_table` (NaN when absent)."""
    hit = table[(table["scenario"] == scenario) & (table["group"] == group)
                & (table["outcome"] == outcome)]
    return float(hit[column].iloc[0]) if len(hit) else float("nan")


def composition(runs: pd.DataFrame, scenario: str, outcome: str, group: str
                ) -> tuple[float, float, float]:
    """The share of ``outcome`` that falls to ``group`` in ``scenario``: mean over replicates
    and its interval (NaN where a replicate has none of the outcome)."""
    rows = runs[(runs["scenario"] == scenario) & (runs["outcome"] == outcome)]
    wide = rows.pivot(index="seed", columns="group", values="value")
    total = wide.sum(axis=1)
    return t_interval((wide[group] / total.where(total > 0)).to_numpy(float))
