"""Readable plain-text tables for the terminal."""

from __future__ import annotations

import math

import pandas as pd

from lead_sim.outcomes.measures import OUTCOMES
from lead_sim.params import PAYERS

HEADLINE = (
    "arrests", "bookings", "arrest_diversions", "social_contact_referrals", "lead_enrollments",
    "jail_bed_days", "prison_bed_days", "felony_charges", "rearrest_12m", "cost_total",
    *(f"cost_{p}" for p in PAYERS),
)


def money(value: float) -> str:
    """US dollars for reading: $1.46M from a million up, else 3 significant figures ($205,000)."""
    sign, v = ("-" if value < 0 else ""), abs(float(value))
    if v >= 1e6:
        return f"{sign}${v / 1e6:,.2f}M"
    return f"{sign}${float(f'{v:.3g}'):,.0f}" if v >= 100 else f"{sign}${v:,.0f}"


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """'1 replicate', '3 replicates', '1 person', '2 people': a whole number with its noun."""
    return f"{n:,} {noun if n == 1 else nouns or noun + 's'}"


def count(value: float) -> str:
    """A mean of counts: one decimal below 100 (8.3, 4), whole numbers with separators above."""
    v = float(value)
    if abs(v) >= 100:
        return f"{v:,.0f}"
    text = f"{v:.1f}".removeprefix("-") if abs(v) < 0.05 else f"{v:.1f}"  # never "-0"
    return text[:-2] if text.endswith(".0") else text


def share(value: float, diff: bool = False) -> str:
    """A share as a percentage (12.5%); a difference of two shares in percentage points."""
    return f"{100 * value:.1f} pp" if diff else f"{100 * value:.1f}%"


def significant(value: float) -> str:
    """3 significant figures with thousands separators: 1,230,000 and 0.0123, never 1.23e+06."""
    sign, v = ("-" if value < 0 else ""), abs(float(value))
    rounded = float(f"{v:.3g}")
    return sign + (f"{rounded:,.0f}" if rounded >= 100 else f"{rounded:.3g}")


def plain(value: object) -> str:
    """A parameter value or bound: 5,000,000 and 800,000, not 5e+06 or 800000.0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}" if value == round(value) else f"{value:,.2f}"
    return f"{value:g}"


def units_note(population: int, reference_population: int) -> str:
    """One plain sentence on the cost basis and on what the simulated sample stands for."""
    costs = ("Units: costs are US dollars as given in the evidence file's sources (not adjusted "
             "to one price year), undiscounted totals over the whole run.")
    if population == reference_population:
        return (f"{costs} The run simulates the county's whole population at risk "
                f"({population:,} people, the reference_population), so counts and costs are "
                "county totals.")
    factor = reference_population / population
    return (f"{costs} The run simulates a sample of {population:,} people standing for the "
            f"county's {reference_population:,} at risk (reference_population): counts and "
            f"costs are for the sample; multiply by {factor:.3g} "
            f"({reference_population:,} / {population:,}) for county totals.")


def fmt(value: float, name: str, diff: bool = False) -> str:
    """A number as a reader wants it: shares as % (differences in pp), money, counts."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if name.startswith("rearrest"):
        return share(value, diff)
    if "cost" in name:
        return money(value)
    return count(value)


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
                    row[f"{scn} - {baseline}"] = sign + fmt(diff, name, diff=True)
        rows.append(row)
    table = pd.DataFrame(rows).set_index("outcome")
    return table.to_string()


def _paired_diff(summary: pd.DataFrame, scn: str, base: str, name: str) -> float:
    a = summary[summary["scenario"] == scn].set_index("seed")[name]
    b = summary[summary["scenario"] == base].set_index("seed")[name]
    return float((a - b).mean())


def describe_outcomes() -> str:
    return "\n".join(f"  {k:<26} {v}" for k, v in OUTCOMES.items())
