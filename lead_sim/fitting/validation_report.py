"""The validation page: the model's interval for each evaluation figure against the published one.

One self-contained HTML file (figures embedded as PNG) built from the validation table, with
the layout helpers of the comparison report. A metric without a published value (the held-out
outcomes) is shown alone: the model's prediction, to be checked against the papers.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from lead_sim.fitting.validation import METRICS, is_ratio
from lead_sim.reports.html import CSS, embed_figure, esc, html_table, png_bytes
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
    """The whole validation page as one HTML string."""
    m = v.manifest
    rows = [[r.metric, METRICS[r.metric], _cell(r.model_mean, r.metric),
             f"{_cell(r.model_low, r.metric)} to {_cell(r.model_high, r.metric)}",
             _cell(r.published, r.metric), r.verdict]
            for r in v.table.itertuples()]
    figures = []
    for _, row in v.table.iterrows():
        if row["metric"] in v.replicates and not math.isnan(row["model_mean"]):
            png = png_bytes(metric_figure(row, v.replicates[row["metric"]].dropna()), v.manifest)
            figures.append(embed_figure(row["metric"], row["metric"], png, written=False))
    manifest = json.dumps(m, indent=1, default=str)
    calibrated = f" Parameters from {esc(m['calibrated'])}." if m.get("calibrated") else ""
    intro = (f"<p>Scenario <b>{esc(m['scenario']['name'])}</b>, {m['reps']} replicates (seeds "
             f"{m['seeds'][0]} to {m['seeds'][-1]}), {m['params']['population']:,} people at "
             f"risk, commit {esc(m['git_commit'])}.{calibrated}</p>")
    method = ("<p class='note'>LEAD cohort: people diverted or referred on green-light shifts in "
              "the pilot areas, 1 Oct 2011 to 31 Jul 2014. Controls: eligible people arrested as "
              "usual on red-light shifts there or in adjacent areas LEAD did not cover, sampled "
              "at random to the evaluation's ratio (115 per 203) and weighted to the LEAD "
              "cohort's pre-entry arrest history. Follow-up to 31 Jul 2014. The model mean of "
              "an odds ratio is its geometric mean over replicates. The range is the 2.5th to "
              "97.5th percentile of single replays: where one replay of the evaluation may "
              "land, not a confidence interval of the mean (unlike the 95% intervals of "
              "lead-sim compare). A published value inside it is one the model could have "
              "produced; cohort sizes are compared after scaling the model's sample to the "
              "county (reference_population / population). Published values "
              "are from the evidence file only (rows #1, #3a, #4b); the other outcomes are held "
              "out of it on purpose, so their column is empty. See docs/validation.md.</p>")
    body = ["<h1>LEAD pilot evaluation replayed in the model</h1>", intro,
            html_table(["Metric", "Meaning", "Model mean", RANGE.capitalize(), "Published",
                    "Verdict"], rows, 2, {5: ""}), method, "<h2>Each figure</h2>", *figures,
            "<h2>Manifest</h2><details><summary>Parameters, seeds, versions, commit, command"
            f"</summary><pre>{esc(manifest)}</pre></details>"]
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>LEAD validation</title><style>{CSS}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")
