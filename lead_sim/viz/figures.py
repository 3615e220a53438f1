"""The map and the charts, drawn with matplotlib into PNG bytes for the page.

Figures are built on :class:`matplotlib.figure.Figure` (not pyplot), so concurrent browser
sessions draw in their own threads without sharing global state, and nothing leaks between
frames.
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from lead_sim.model import LeadModel
from lead_sim.neighbourhoods import AREA_KEYS
from lead_sim.params import PAYERS
from lead_sim.viz.measures import MEASURES, STATE_GROUPS, DotSample
from lead_sim.viz.session import VizSession

DPI = 72
COVERED = "#1b7a3a"


def to_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def node_centres(model: LeadModel) -> np.ndarray:
    """(lon, lat) of each area, in AREA_KEYS order."""
    return np.array([model.graph.nodes[k]["pos"] for k in AREA_KEYS], float)


def map_figure(model: LeadModel, measure: str, dots: DotSample | None) -> Figure:
    """Neighbourhoods at their rough geographic place, coloured by ``measure``, LEAD areas ringed
    in green, and a sample of people as dots coloured by state."""
    fig = Figure(figsize=(6.4, 6.6), layout="constrained")
    ax = fig.subplots()
    centres = node_centres(model)
    for a, b in model.graph.edges:
        (x0, y0), (x1, y1) = model.graph.nodes[a]["pos"], model.graph.nodes[b]["pos"]
        ax.plot([x0, x1], [y0, y1], color="#d0d0d0", lw=1, zorder=1)
    values = MEASURES[measure](model)
    weights = np.array([model.graph.nodes[k]["weight"] for k in AREA_KEYS], float)
    nodes = ax.scatter(centres[:, 0], centres[:, 1], s=90 * weights, c=values, cmap="YlOrRd",
                       vmin=0, vmax=max(1, values.max()), zorder=2,
                       edgecolors=np.where(model.covered, COVERED, "#707070"),
                       linewidths=np.where(model.covered, 3.0, 0.8))
    fig.colorbar(nodes, ax=ax, shrink=0.5, location="left", label=measure)
    if dots is not None:
        xy = dots.positions(model, centres)
        ax.scatter(xy[:, 0], xy[:, 1], s=3, c=dots.colours(model), zorder=3, linewidths=0)
    for key, (x, y), value in zip(AREA_KEYS, centres, values):
        ax.annotate(f"{model.graph.nodes[key]['name']} ({value})", (x, y), fontsize=6.5,
                    xytext=(7, 4), textcoords="offset points", zorder=4)
    handles = [Line2D([], [], ls="", marker="o", color=c, label=label)
               for label, _, c in STATE_GROUPS]
    handles.append(Line2D([], [], ls="", marker="o", mfc="white", mec=COVERED, mew=2.5,
                          ms=10, label="LEAD covers the area"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
    ax.set_aspect(1 / math.cos(math.radians(47.5)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"{measure} by neighbourhood, {model.date:%d %b %Y}", fontsize=10)
    return fig


def _dates(model: LeadModel, days: int) -> np.ndarray:
    start = np.datetime64(model.lead_scenario.start_date, "D")
    return start + np.arange(days)


def charts_figure(session: VizSession) -> Figure:
    """Jail population; caseload against capacity and the waitlist; cumulative costs by payer;
    arrests against diversions and referrals. The baseline is dashed when side by side."""
    pol = session.policy
    day = pol.day
    fig = Figure(figsize=(9.5, 6.6), layout="constrained")
    (jail, lead), (cost, flow) = fig.subplots(2, 2, sharex=True)
    frame = pol.record.frame(day)
    base = session.baseline.record.frame(day) if session.baseline is not None else None
    x = _dates(pol, day)

    jail.plot(x, frame["jail_population"], color="#d62728", label="policy")
    if base is not None:
        jail.plot(x, base["jail_population"], "k--", lw=1, label="baseline")
        jail.legend(fontsize=7)
    jail.set_title("Jail population (people)", fontsize=9)

    lead.plot(x, frame["lead_active"] + frame["lead_inactive"], color="#2a9d4b",
              label="on a caseload")
    lead.plot(x, frame["lead_capacity"], color="#1f4e79", lw=1, label="caseload capacity")
    lead.plot(x, frame["lead_waitlist"], color="#f0a030", label="waitlist")
    lead.legend(fontsize=7, loc="upper left")
    lead.set_title("LEAD caseload, capacity and waitlist (people)", fontsize=9)

    if day:
        cum = np.cumsum(frame[[f"cost_{p}" for p in PAYERS]].to_numpy(), axis=0) / 1e6
        cost.stackplot(x, cum.T, labels=[p.replace("_", " ") for p in PAYERS])
        if base is not None:
            cost.plot(x, np.cumsum(base["cost_total"]) / 1e6, "k--", lw=1, label="baseline total")
        cost.legend(fontsize=6, loc="upper left", ncol=2)
    cost.set_title("Cumulative cost by payer ($ million)", fontsize=9)

    def monthly(f, column):
        return f[column].rolling(30, min_periods=1).sum()

    flow.plot(x, monthly(frame, "arrests"), color="#d62728", label="arrests")
    flow.plot(x, monthly(frame, "bookings"), color="#8c564b", lw=1, label="bookings")
    flow.plot(x, monthly(frame, "arrest_diversions"), color="#2a9d4b", label="arrest diversions")
    flow.plot(x, monthly(frame, "social_contact_referrals"), color="#17becf",
              label="social-contact referrals")
    if base is not None:
        flow.plot(x, monthly(base, "arrests"), "k--", lw=1, label="baseline arrests")
    flow.legend(fontsize=6, loc="upper left")
    flow.set_title("Arrests, diversions and referrals (per 30 days)", fontsize=9)
    for ax in (jail, lead, cost, flow):
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    return fig
