"""The map and the charts of the page, drawn as SVG text (see :mod:`lead_sim.viz.svg`)."""

from __future__ import annotations

import math
from html import escape

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_hex

from lead_sim.model import LeadModel
from lead_sim.neighbourhoods import AREA_KEYS
from lead_sim.params import PAYERS
from lead_sim.viz.measures import MEASURES, STATE_GROUPS, DotSample
from lead_sim.viz.session import VizSession
from lead_sim.viz.svg import Series, line_chart, text

COVERED = "#1b7a3a"
PAYER_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                 "#7f7f7f", "#bcbd22", "#17becf")  # one per payer (tab10)
_HEAT = colormaps["YlOrRd"]
MAP_W, MAP_H = 430, 560


def node_centres(model: LeadModel) -> np.ndarray:
    """(lon, lat) of each area, in AREA_KEYS order."""
    return np.array([model.graph.nodes[k]["pos"] for k in AREA_KEYS], float)


def spread(centres: np.ndarray, power: float = 0.6) -> np.ndarray:
    """Positions for drawing: geography kept, the dense downtown core opened up.

    Distances from the centroid of the busiest areas are raised to ``power`` (< 1), which
    pushes close neighbours apart and pulls the far south county in, without reordering
    anything (a stable, roughly geographic layout; no force-directed jiggle between frames).
    """
    core = centres[:5].mean(axis=0)  # Belltown, Downtown, ID, Capitol Hill, Central District
    kx = math.cos(math.radians(core[1]))
    d = (centres - core) * [kx, 1.0]
    r = np.hypot(d[:, 0], d[:, 1])
    scale = np.where(r > 0, r ** power / np.where(r > 0, r, 1), 0.0)
    return d * scale[:, None]


def _projector(centres: np.ndarray):
    """Spread coordinates (see :func:`spread`) to pixels."""
    flat = spread(centres)
    lo, hi = flat.min(axis=0), flat.max(axis=0)
    scale = min((MAP_W - 170) / (hi[0] - lo[0]), (MAP_H - 60) / (hi[1] - lo[1]))

    def project(points: np.ndarray) -> np.ndarray:
        """Pixels of ``points`` given as offsets from their area's spread position."""
        return np.column_stack([25 + (points[:, 0] - lo[0]) * scale,
                                35 + (hi[1] - points[:, 1]) * scale])
    return flat, project
def map_svg(model: LeadModel, measure: str, dots: DotSample | None) -> str:
    """Neighbourhoods at their rough geographic place, coloured by ``measure``, LEAD areas ringed
    in green, and a sample of people as dots coloured by state."""
    centres = node_centres(model)
    flat, project = _projector(centres)
    xy = project(flat)
    index = {k: i for i, k in enumerate(AREA_KEYS)}
    values = MEASURES[measure](model)
    top = max(1, int(values.max()))
    weights = np.array([model.graph.nodes[k]["weight"] for k in AREA_KEYS], float)
    radius = 9 + 7 * np.sqrt(weights / weights.max())
    parts = [f'<svg class="lead-map-svg" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {MAP_W} {MAP_H}" width="100%">',
             text(10, 14, f"{measure} by neighbourhood, {model.last_date:%d %b %Y}", 12,
                  weight="bold")]
    for a, b in model.graph.edges:
        (x0, y0), (x1, y1) = xy[index[a]], xy[index[b]]
        parts.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" '
                     'stroke="#d0d0d0"/>')
    for i, key in enumerate(AREA_KEYS):
        fill = to_hex(_HEAT(values[i] / top))
        ring = (f'stroke="{COVERED}" stroke-width="4"' if model.covered[i]
                else 'stroke="#808080" stroke-width="1"')
        name = escape(model.graph.nodes[key]["name"])
        parts.append(f'<circle cx="{xy[i, 0]:.1f}" cy="{xy[i, 1]:.1f}" r="{radius[i]:.1f}" '
                     f'fill="{fill}" {ring}><title>{name}: {values[i]} ({measure})</title>'
                     '</circle>')
    if dots is not None:
        area = dots.areas(model)
        pts = xy[area] + dots.offset * (0.85 * radius[area])[:, None]
        for (x, y), colour in zip(pts, dots.colours(model), strict=True):
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.3" fill="{colour}"/>')
    labels = [f"{model.graph.nodes[key]['name']} ({values[i]})" for i, key in enumerate(AREA_KEYS)]
    for (x, y, anchor), label in zip(label_places(xy, radius, labels), labels, strict=True):
        parts.append(text(x, y, label, 9, anchor))
    parts.append(_map_legend(measure, top))
    parts.append("</svg>")
    return "".join(parts)


LABEL_CHAR_W, LABEL_H = 5.0, 10.0  # a 9 px label's width per character and its height


def label_places(xy: np.ndarray, radius: np.ndarray, labels: list[str]
                 ) -> list[tuple[float, float, str]]:
    """Where each area's label goes (x, y, text-anchor): right of its circle, or else the
    first of left, above, below, above right and below right that stays on the map and
    overlaps no label placed before it and no other circle (the least crowded if none does).

    Downtown's areas sit close together even after :func:`spread`; labels all to the right
    ran into each other (Ballard & Fremont over University District, SODO over West Seattle).
    """
    placed: list[tuple[float, float, float, float]] = []
    circles = [(x - r, y - r, x + r, y + r) for (x, y), r in zip(xy, radius, strict=True)]
    out = []
    for i, ((x, y), r, label) in enumerate(zip(xy, radius, labels, strict=True)):
        w = len(label) * LABEL_CHAR_W
        options = [(x + r + 2, y + 3, "start"), (x - r - 2, y + 3, "end"),
                   (x, y - r - 3, "middle"), (x, y + r + LABEL_H, "middle"),
                   (x - r / 2, y - r - 3, "start"), (x - r / 2, y + r + LABEL_H, "start")]
        others = placed + circles[:i] + circles[i + 1:]
        boxes = [_label_box(ox, oy, anchor, w) for ox, oy, anchor in options]
        clashes = [_clashes(box, others) for box in boxes]
        k = clashes.index(min(clashes))  # the first of the least crowded
        placed.append(boxes[k])
        out.append(options[k])
    return out


def _clashes(box: tuple[float, float, float, float], others: list) -> int:
    """How badly a label box fits: what it overlaps, and far worse, leaving the map."""
    off_map = not (box[0] >= 0 and box[2] <= MAP_W and box[1] >= 0 and box[3] <= MAP_H)
    return 100 * off_map + sum(_overlap(box, o) for o in others)


def _label_box(x: float, y: float, anchor: str, w: float) -> tuple[float, float, float, float]:
    left = {"start": x, "end": x - w, "middle": x - w / 2}[anchor]
    return (left, y - LABEL_H + 2, left + w, y + 2)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _map_legend(measure: str, top: int) -> str:
    x, y = MAP_W - 140, MAP_H - 132
    rows = [text(x, y, "people (dots)", 10, weight="bold")]
    for i, (label, _, colour) in enumerate(STATE_GROUPS):
        rows.append(f'<circle cx="{x + 4}" cy="{y + 11 + i * 12}" r="3.5" fill="{colour}"/>')
        rows.append(text(x + 12, y + 15 + i * 12, label, 9))
    yy = y + 15 + len(STATE_GROUPS) * 12
    rows.append(f'<circle cx="{x + 5}" cy="{yy + 4}" r="5" fill="white" stroke="{COVERED}" '
                'stroke-width="3"/>')
    rows.append(text(x + 14, yy + 8, "LEAD covers the area", 9))
    rows.append(text(x, yy + 22, "area colour: pale 0,", 9))
    rows.append(text(x, yy + 33, f"dark red {top} ({measure})", 9))
    return "".join(rows)


def _years(model: LeadModel, days: int) -> np.ndarray:
    start = model.lead_scenario.start_date
    return start.year + (start.timetuple().tm_yday - 1) / 365.25 + np.arange(days) / 365.25


def charts_svg(session: VizSession) -> list[str]:
    """Jail population; caseload against capacity and the waitlist; cumulative costs by payer;
    arrests against diversions and referrals. The baseline is dashed when side by side."""
    pol = session.policy
    day = pol.day
    frame = pol.record.frame(day)
    base = session.baseline.record.frame(day) if session.baseline is not None else None
    years = _years(pol, day)

    def monthly(f, column):
        return f[column].rolling(30, min_periods=1).sum().to_numpy()

    jail = [Series("policy" if base is not None else "jail", frame["jail_population"],
                   "#d62728")]
    flow = [Series("arrests", monthly(frame, "arrests"), "#d62728"),
            Series("bookings", monthly(frame, "bookings"), "#8c564b", width=1),
            Series("arrest diversions", monthly(frame, "arrest_diversions"), "#2a9d4b"),
            Series("social-contact referrals", monthly(frame, "social_contact_referrals"),
                   "#17becf")]
    if base is not None:
        jail.append(Series("baseline", base["jail_population"], "#222", dashed=True))
        flow.append(Series("baseline arrests", monthly(base, "arrests"), "#222", dashed=True))
    lead = [Series("on a caseload", frame["lead_active"] + frame["lead_inactive"], "#2a9d4b"),
            Series("caseload capacity", frame["lead_capacity"], "#1f4e79", width=1),
            Series("waitlist", frame["lead_waitlist"], "#f0a030")]
    cum = np.cumsum(frame[[f"cost_{p}" for p in PAYERS]].to_numpy(), axis=0) / 1e6
    cost = [Series(p.replace("_", " "), cum[:, i], PAYER_COLOURS[i])
            for i, p in enumerate(PAYERS)]
    marks = policy_marks(pol)
    return [
        line_chart("Jail population (people)", years, jail, css_class="lead-chart-jail",
                   marks=marks),
        line_chart("LEAD caseload, capacity and waitlist (people)", years, lead,
                   css_class="lead-chart-lead", marks=marks),
        line_chart("Cumulative cost by payer ($ million)", years, cost, stacked=True,
                   height=250, css_class="lead-chart-cost", marks=marks),
        line_chart("Arrests, diversions and referrals (per 30 days)", years, flow,
                   height=250, css_class="lead-chart-flow", marks=marks),
    ]


def policy_marks(model: LeadModel) -> list[tuple[float, str]]:
    """The dated changes simulated so far (the scenario's and pinned levers), as chart marks:
    the launch, each expansion, the 2018 and 2021 drug-law changes."""
    start = _years(model, 1)[0]
    return [(start + day / 365.25, f"{entry.date:%d %b %Y}: {entry.note or 'policy change'}")
            for day, entries in sorted(model.timeline.items()) if 0 < day < model.day
            for entry in entries]
