"""How results show themselves in a console and a notebook: a one-line ``repr`` and a short
HTML table (scenarios, replicates, a few headline outcomes averaged over replicates) instead
of the dataclasses' reprs, which print every frame they hold."""

from __future__ import annotations

import html

import pandas as pd

#: The outcomes a notebook shows first (summary columns, see lead_sim.outcomes.measures).
HEADLINES = ("arrests", "bookings", "lead_enrollments", "jail_bed_days", "cost_total")


def headline_table(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario, in order of appearance: its replicates and the mean of each
    headline outcome over them."""
    if summary.empty or "scenario" not in summary:
        return pd.DataFrame(columns=["replicates", *HEADLINES])
    groups = summary.groupby("scenario", sort=False)
    table = groups[[c for c in HEADLINES if c in summary]].mean()
    table.insert(0, "replicates", groups.size())
    return table


def scenario_names(summary: pd.DataFrame) -> list[str]:
    """The scenarios of a summary, in order of appearance."""
    return list(dict.fromkeys(summary["scenario"])) if "scenario" in summary else []


def days(timeseries: pd.DataFrame) -> int:
    """Days simulated per replicate (the longest scenario's)."""
    if timeseries.empty or "day" not in timeseries:
        return 0
    return int(timeseries["day"].max()) + 1


def html_table(summary: pd.DataFrame, caption: str) -> str:
    """The headline table as HTML (values escaped), under ``caption``."""
    table = headline_table(summary).to_html(float_format=lambda v: f"{v:,.1f}", escape=True)
    return f"<div><p><b>{html.escape(caption)}</b></p>{table}</div>"
