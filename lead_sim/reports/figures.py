"""Figures of a comparison, drawn with matplotlib's Agg renderer and returned as PNG bytes.

Figures are built on :class:`matplotlib.figure.Figure` (no pyplot, no global backend), so they
render the same headless, in tests and in worker-free report generation. Each PNG carries the
comparison's manifest in its metadata (a ``tEXt`` chunk), so a figure copied out of the report
still says what produced it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from lead_sim.outcomes.analysis import band
from lead_sim.reports.html import png_bytes
from lead_sim.service_table import SERVICES

if TYPE_CHECKING:
    from lead_sim.runs.comparison import Comparison

PAYER_LABELS = {
    "police": "Police", "jail": "Jail (average bed-day rate)",
    "jail_marginal": "Jail (marginal bed-day rate)", "prosecution": "Prosecution",
    "public_defense": "Public defence", "courts": "Courts", "prison": "State prison",
    "supervision": "Community supervision",
    "lead_case_management": "LEAD case management",
    **{service.name: service.title for service in SERVICES},  # Treatment, Housing
}
PATHWAYS = {"rearrest_12m_booked": "booked", "rearrest_12m_diverted": "diverted (LEAD)",
            "rearrest_12m_referred": "referred (LEAD)"}
#: Re-arrest shares resting on fewer people than this (mean per replicate) are not shown.
MIN_COHORT = 30
COLORS = ("#4d4d4d", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


def cohort_column(share: str) -> str:
    """The people behind a re-arrest share: rearrest_12m_booked -> cohort_12m_booked."""
    return share.replace("rearrest_12m", "cohort_12m", 1)



def _color(comparison: Comparison, scenario: str) -> str:
    order = [comparison.baseline, *comparison.scenarios]
    return COLORS[order.index(scenario) % len(COLORS)]


def _bands(ax, comparison: Comparison, column: str, title: str) -> None:
    ts = comparison.timeseries
    if column not in ts:
        ts = ts.assign(**{column: ts["lead_active"] + ts["lead_inactive"]})
    for scn, group in band(ts, column).groupby("scenario", sort=False):
        color = _color(comparison, scn)
        ax.plot(group["date"], group["mean"], color=color, label=scn, lw=1.5)
        ax.fill_between(group["date"], group["low"], group["high"], color=color, alpha=0.2,
                        lw=0)
    ax.set_title(title, fontsize=10)
    ax.set_ylim(bottom=0)  # people: an all-zero series must not show an axis from -0.04
    ax.grid(alpha=0.3)
    shade_extrapolated(ax, ts)


#: How the days past the last dated evidence look in figures over time.
EXTRAPOLATED_LABEL = "extrapolated (past the evidence)"


def shade_extrapolated(ax, ts: pd.DataFrame) -> None:
    """Shade the span of days past the last dated evidence (the ``extrapolated`` column of
    the daily series), so a reader sees which part of a line no evidence supports."""
    if "extrapolated" not in ts or not ts["extrapolated"].any():
        return
    first = ts.loc[ts["extrapolated"], "date"].min()
    ax.axvspan(first, ts["date"].max(), color="#999999", alpha=0.15, lw=0,
               label=EXTRAPOLATED_LABEL)


def jail_population(comparison: Comparison) -> Figure:
    fig = Figure(figsize=(8, 3.6))
    ax = fig.subplots()
    _bands(ax, comparison, "jail_population", "People in jail (monthly mean; band: 95% of runs)")
    ax.set_ylabel("people")
    ax.legend(fontsize=8)
    return fig


def lead_caseload(comparison: Comparison) -> Figure:
    fig = Figure(figsize=(8, 5.5))
    top, bottom = fig.subplots(2, 1, sharex=True)
    _bands(top, comparison, "lead_caseload", "LEAD caseload: active and inactive participants")
    _bands(bottom, comparison, "lead_waitlist", "Waiting for a LEAD case manager")
    top.set_ylabel("people")
    bottom.set_ylabel("people")
    top.legend(fontsize=8)
    return fig


def money_tick(value: float, _pos: object = None) -> str:
    """A cost axis tick in millions with the sign before the currency: -$0.6M, not $-0.6M."""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value) / 1e6:,.1f}M"


def count_tick(value: float, _pos: object = None) -> str:
    """A count axis tick with thousands separators (12,000), never an offset like 1e4."""
    return f"{value:,.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.2g}"


#: Unit of each headline outcome, for its x-axis.
HEADLINE_UNITS = {"arrests": "arrests", "bookings": "jail bookings",
                  "jail_bed_days": "jail bed-days", "felony_charges": "felony charges",
                  "prison_bed_days": "prison bed-days"}


def _diff_bars(ax, rows: pd.DataFrame, labels: list[str], comparison: Comparison) -> None:
    """Horizontal bars of paired differences with their 95% intervals, grouped by scenario."""
    scenarios = comparison.scenarios
    height = 0.8 / len(scenarios)
    for k, scn in enumerate(scenarios):
        own = rows[rows["scenario"] == scn].set_index("outcome").reindex(labels)
        y = [i + k * height for i in range(len(labels))]
        err = [own["diff_mean"] - own["diff_low"], own["diff_high"] - own["diff_mean"]]
        ax.barh(y, own["diff_mean"], height=height, color=_color(comparison, scn), label=scn,
                xerr=err, capsize=2, error_kw={"lw": 0.8})
    ax.axvline(0, color="black", lw=0.8)
    ax.grid(axis="x", alpha=0.3)
    ax.invert_yaxis()


def costs_by_payer(comparison: Comparison) -> Figure:
    payers = list(PAYER_LABELS)
    names = [f"net_cost_{p}" for p in payers]
    rows = comparison.table[comparison.table["outcome"].isin(names)]
    fig = Figure(figsize=(8, 0.45 * len(payers) * max(1, len(comparison.scenarios)) + 1.5))
    ax = fig.subplots()
    _diff_bars(ax, rows, names, comparison)
    ax.set_yticks([i + 0.4 - 0.4 / len(comparison.scenarios) for i in range(len(payers))])
    ax.set_yticklabels([PAYER_LABELS[p] for p in payers], fontsize=8)
    ax.set_xlabel(f"change in cost vs {comparison.baseline} (USD, whole run); "
                  "right = pays more, left = saves")
    ax.xaxis.set_major_formatter(money_tick)
    ax.legend(fontsize=8)
    return fig


def headline(comparison: Comparison) -> Figure:
    """One small panel per outcome, each on its own scale: bars are paired differences."""
    outcomes = list(HEADLINE_UNITS)
    table, scenarios = comparison.table, comparison.scenarios
    fig = Figure(figsize=(8, 0.5 + 1.2 * len(outcomes) * max(1, len(scenarios) / 2)))
    axes = fig.subplots(len(outcomes), 1)
    for ax, outcome in zip(axes, outcomes, strict=True):
        own = table[table["outcome"] == outcome].set_index("scenario").reindex(scenarios)
        err = [own["diff_mean"] - own["diff_low"], own["diff_high"] - own["diff_mean"]]
        ax.barh(range(len(scenarios)), own["diff_mean"], xerr=err, capsize=3,
                color=[_color(comparison, s) for s in scenarios], error_kw={"lw": 0.8})
        ax.set_yticks(range(len(scenarios)))
        ax.set_yticklabels(scenarios, fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.8)
        ax.grid(axis="x", alpha=0.3)
        ax.set_title(f"{outcome.replace('_', ' ')}: change vs {comparison.baseline} "
                     "(95% interval)", fontsize=9, loc="left")
        ax.tick_params(axis="x", labelsize=8)
        ax.xaxis.set_major_formatter(count_tick)
        ax.set_xlabel(f"{HEADLINE_UNITS[outcome]}, whole run (difference)", fontsize=8)
    fig.tight_layout()
    return fig


def recidivism(comparison: Comparison) -> Figure:
    table = comparison.table
    order = [comparison.baseline, *comparison.scenarios]
    fig = Figure(figsize=(8, 3.6))
    ax = fig.subplots()
    width = 0.8 / len(order)
    for k, scn in enumerate(order):
        own = table[table["scenario"] == scn].set_index("outcome")
        n = own["mean"].reindex([cohort_column(p) for p in PATHWAYS]).to_numpy()
        own = own.reindex(list(PATHWAYS))
        own.loc[~(n >= MIN_COHORT), ["mean", "low", "high"]] = float("nan")
        x = [i + k * width for i in range(len(PATHWAYS))]
        err = [own["mean"] - own["low"], own["high"] - own["mean"]]
        ax.bar(x, 100 * own["mean"], width=width, color=_color(comparison, scn), label=scn,
               yerr=[100 * e for e in err], capsize=2, error_kw={"lw": 0.8})
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(PATHWAYS))])
    ax.set_xticklabels([f"first contact {v}" for v in PATHWAYS.values()], fontsize=8)
    ax.set_ylabel("% re-arrested within 12 months")
    ax.set_ylim(bottom=0)
    ax.set_title(f"bars left out where fewer than {MIN_COHORT} people took the pathway",
                 fontsize=8, loc="left")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return fig


FIGURES: dict[str, tuple[str, Callable[[Comparison], Figure]]] = {
    "headline": ("Change in arrests, bookings and custody", headline),
    "jail_population": ("Jail population over time", jail_population),
    "lead_caseload": ("LEAD caseload and waitlist over time", lead_caseload),
    "costs_by_payer": ("Who pays more, who saves", costs_by_payer),
    "recidivism": ("Re-arrest within 12 months by pathway", recidivism),
}


def render_all(comparison: Comparison) -> dict[str, bytes]:
    """Every figure as PNG bytes, keyed by file stem."""
    return {name: png_bytes(draw(comparison), comparison.manifest)
            for name, (_, draw) in FIGURES.items()}
