"""A chart split by race/ethnicity group: an outcome per 1,000 person-years at risk, for the
policy and the baseline side by side (mean over the session's seeds), drawn as SVG bars.

The rates come from :func:`lead_sim.outcomes.equity.wide` (totals so far by group), so the
chart shows what ``equity.csv`` would hold for the same runs. docs/equity.md explains where the
model's group differences come from.
"""

from __future__ import annotations

import numpy as np

from lead_sim.groups import GROUPS, LABELS
from lead_sim.model import LeadModel
from lead_sim.outcomes import equity
from lead_sim.viz.palette import BLUE, GREY
from lead_sim.viz.session import VizSession
from lead_sim.viz.svg import fmt, nice_ceiling, svg_open, text

PER_PERSON_YEARS = 1_000
#: What the chart can show: an equity outcome and how the page names it.
GROUP_OUTCOMES = {"bookings": "bookings", "arrests": "arrests", "jail_bed_days": "jail bed-days"}
CAVEAT = ("The model's group differences come only from where people live and the mechanisms "
          "set in the parameters; by default the group-level mechanisms are off.")


def group_rates(models: list[LeadModel], outcome: str) -> np.ndarray:
    """``outcome`` so far per 1,000 person-years at risk, by group (GROUPS order), the mean
    over ``models`` (NaN for a group with no days at risk in any of them)."""
    rates = []
    for model in models:
        frame = equity.wide(model)
        years = frame["person_days"] / 365.25
        rates.append((frame[outcome] / years.where(years > 0) * PER_PERSON_YEARS).to_numpy())
    with np.errstate(invalid="ignore"):
        return np.nanmean(np.vstack(rates), axis=0) if rates else np.full(len(GROUPS), np.nan)


def group_chart(session: VizSession, outcome: str = "bookings") -> str:
    """Horizontal bars, one pair per group: the policy (blue) above the baseline (grey)."""
    noun = GROUP_OUTCOMES[outcome]
    sides = [("policy", session.policies, BLUE)]
    if session.baselines:
        sides.append(("system as usual", session.baselines, GREY))
    rates = {label: group_rates(models, outcome) for label, models, _ in sides}
    top = nice_ceiling(max((float(np.nanmax(r)) for r in rates.values()
                            if np.isfinite(r).any()), default=1.0))
    left, width, row, bar = 170, 230, 34, 12
    height = 40 + row * len(GROUPS) + 30
    title = f"{noun.capitalize()} per {PER_PERSON_YEARS:,} person-years at risk, by group"
    desc = "; ".join(f"{LABELS[g]}: " + ", ".join(
        f"{label} {fmt(float(np.round(rates[label][i], 1)))}" for label, _, _ in sides)
        for i, g in enumerate(GROUPS))
    parts = [svg_open("lead-chart-groups", left + width + 50, height, title, desc),
             text(8, 16, title, 13, weight="bold")]
    for i, group in enumerate(GROUPS):
        y = 36 + i * row
        parts.append(text(left - 6, y + bar + 3, LABELS[group], 11, "end"))
        for k, (label, _, colour) in enumerate(sides):
            value = float(rates[label][i])
            shown = value if np.isfinite(value) else 0.0
            w = width * min(shown / top, 1.0)
            parts.append(f'<rect x="{left}" y="{y + k * bar:.1f}" width="{w:.1f}" '
                         f'height="{bar - 1}" fill="{colour}"><title>{LABELS[group]}, {label}: '
                         f'{shown:.1f} {noun} per {PER_PERSON_YEARS:,} person-years at risk'
                         '</title></rect>')
            parts.append(text(left + w + 4, y + k * bar + bar - 2,
                              f"{shown:.1f}" if np.isfinite(value) else "n/a", 10))
    axis_y = 36 + row * len(GROUPS)
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + width}" y2="{axis_y}" '
                 'stroke="#555"/>')
    for k in range(5):
        parts.append(text(left + k * width / 4, axis_y + 14, fmt(top * k / 4), 10, "middle"))
    x = 8
    for label, _, colour in sides:  # the key
        parts.append(f'<rect x="{x}" y="{axis_y + 20}" width="10" height="10" fill="{colour}"/>')
        parts.append(text(x + 14, axis_y + 29, label, 10))
        x += 14 + 6 * len(label) + 12
    parts.append(text(x, axis_y + 29, f"(mean of {len(session.seeds)} seeds)", 10))
    parts.append("</svg>")
    return "".join(parts)
