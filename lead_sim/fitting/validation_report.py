"""The validation page: the model's interval for each evaluation figure against the published one.

One self-contained HTML file (figures embedded as PNG) built from the validation table with the
report toolkit (:mod:`lead_sim.reports.html`); ``templates/validation.html.j2`` lays it out. A
metric without a published value (the held-out outcomes) is shown alone: the model's
prediction, to be checked against the papers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from lead_sim.fitting.validation import METRICS, is_ratio
from lead_sim.reports.html import embed, png_bytes, render, table
from lead_sim.reports.words import num

if TYPE_CHECKING:
    from lead_sim.fitting.replay import Validation


RANGE = "range of single replays (2.5-97.5%)"


def metric_figure(row: pd.Series, values: pd.Series) -> Figure:
    """Replicate values (dots), the model's replay range (bar) and the published value (line)."""
    fig = Figure(figsize=(6, 1.4))
    ax = fig.subplots()
    ax.plot(values, [0] * len(values), "o", color="#1f77b4", alpha=0.35, ms=4)
    ax.errorbar([row["model_mean"]], [0], xerr=[[row["model_mean"] - row["model_low"]],
                                                 [row["model_high"] - row["model_mean"]]],
                fmt="D", color="#1f77b4", capsize=4, label=f"model mean ({RANGE})")
    if not math.isnan(row["published"]):
        ax.axvline(row["published"], color="#d62728", lw=2, label="published")
    if is_ratio(row["metric"]):
        ax.axvline(1.0, color="grey", lw=0.8, ls=":")
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:g}")
        ax.xaxis.set_minor_formatter(lambda v, _: f"{v:g}" if f"{v:.0e}"[0] in "25" else "")
    ax.set_yticks([])
    ax.set_title(f"{row['metric']}: {METRICS[row['metric']]}", fontsize=8, loc="left")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return fig


def _cell(value: float, metric: str) -> str:
    if isinstance(value, float) and math.isnan(value):
        return ""
    return num(value, "cost" if "cost" in metric else "")


def report_html(v: Validation) -> str:
    """The whole validation page as one HTML string (laid out by templates/validation.html.j2)."""
    m = v.manifest
    rows = [[r.metric, METRICS[r.metric], _cell(r.model_mean, r.metric),
             f"{_cell(r.model_low, r.metric)} to {_cell(r.model_high, r.metric)}",
             _cell(r.published, r.metric), r.verdict]
            for r in v.table.itertuples()]
    figures = []
    for _, row in v.table.iterrows():
        if row["metric"] in v.replicates and not math.isnan(row["model_mean"]):
            png = png_bytes(metric_figure(row, v.replicates[row["metric"]].dropna()), m,
                            "validate")
            figures.append(embed(png, row["metric"]))
    header = ["Metric", "Meaning", "Model mean", RANGE.capitalize(), "Published", "Verdict"]
    return render("validation.html.j2", __package__, manifest=m, figures=figures,
                  table=table(header, rows, 2, {5: ""}),
                  population=f"{m['params']['population']:,}")
