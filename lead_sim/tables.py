"""Readable plain-text tables for the terminal."""

from __future__ import annotations

import math

import pandas as pd

from lead_sim.outcomes import OUTCOMES
from lead_sim.params import PAYERS

HEADLINE = (
    "arrests", "bookings", "arrest_diversions", "social_contact_referrals", "lead_enrollments",
    "jail_bed_days", "prison_bed_days", "felony_charges", "rearrest_12m", "cost_total",
    *(f"cost_{p}" for p in PAYERS),
)


def fmt(value: float, name: str) -> str:
    """A number as a reader wants it: shares as %, money and counts with separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if name.startswith("rearrest"):
        return f"{100 * value:.1f}%"
    if name.startswith("cost"):
        sign = "-" if value < 0 else ""
        value = abs(value)
        return sign + (f"${value / 1e6:,.2f}M" if value >= 1e5 else f"${value:,.0f}")
    return f"{value:,.0f}"


def summary_table(summary: pd.DataFrame, baseline: str | None = None) -> str:
    """Mean over replicates per scenario; with a baseline, the paired mean difference too."""
    scenarios = list(dict.fromkeys(summary["scenario"]))
    means = summary.groupby("scenario", sort=False)[list(HEADLINE)].mean()
    rows = []
    for name in HEADLINE:
        row = {"outcome": name}
        for scn in scenarios:
            row[scn] = fmt(means.loc[scn, name], name)
        if baseline is not None:
            for scn in scenarios:
                if scn != baseline:
                    diff = _paired_diff(summary, scn, baseline, name)
                    sign = "+" if diff > 0 else ""
                    row[f"{scn} - {baseline}"] = sign + fmt(diff, name)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("outcome")
    return table.to_string()


def _paired_diff(summary: pd.DataFrame, scn: str, base: str, name: str) -> float:
    a = summary[summary["scenario"] == scn].set_index("seed")[name]
    b = summary[summary["scenario"] == base].set_index("seed")[name]
    return float((a - b).mean())


def describe_outcomes() -> str:
    return "\n".join(f"  {k:<26} {v}" for k, v in OUTCOMES.items())
