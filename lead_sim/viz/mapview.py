"""The neighbourhood map as SVG: Puget Sound and Lake Washington drawn, each area a circle at
its (opened-out) place coloured on a fixed scale with a colour bar, LEAD areas ringed."""

from __future__ import annotations

from html import escape

import numpy as np

from lead_sim.model import LeadModel
from lead_sim.neighbourhoods import AREAS
from lead_sim.viz import geography as geo
from lead_sim.viz.measures import BREAKDOWNS, DEFAULT_GROUP, measure_for
from lead_sim.viz.palette import COVERED, LAND, WATER, WATER_EDGE, map_fill
from lead_sim.viz.svg import fmt, svg_open, text

MAP_W, MAP_H = 440, 600
BAR_H = 64  # the strip under the map: colour bar and ring legend
PROJECT = geo.Projection(MAP_W, MAP_H - BAR_H)
AREA_XY = PROJECT([(a.lon, a.lat) for a in AREAS])
_WEIGHTS = np.array([a.weight for a in AREAS], float)
AREA_R = 10 + 6 * np.sqrt(_WEIGHTS / _WEIGHTS.max())


def _water() -> str:
    """The water and land, drawn once (the same for every frame)."""
    parts = [f'<rect x="0" y="0" width="{MAP_W}" height="{MAP_H - BAR_H}" fill="{LAND}"/>']
    for shape in (geo.PUGET_SOUND, geo.LAKE_WASHINGTON, geo.LAKE_UNION):
        parts.append(f'<path d="{geo.path(PROJECT(shape))}" fill="{WATER}" '
                     f'stroke="{WATER_EDGE}" stroke-width="1"/>')
    for island in (geo.VASHON, geo.MERCER_ISLAND):
        parts.append(f'<path d="{geo.path(PROJECT(island))}" fill="{LAND}" '
                     f'stroke="{WATER_EDGE}" stroke-width="1"/>')
    for line in geo.WATERWAYS:
        parts.append(f'<path d="{geo.path(PROJECT(line), closed=False)}" fill="none" '
                     f'stroke="{WATER_EDGE}" stroke-width="3" stroke-linecap="round"/>')
    for name, lon, lat in geo.WATER_LABELS:
        (x, y), = PROJECT([(lon, lat)])
        parts.append(text(x, y, name, 11, "middle", "#2f5f86").replace(
            "<text ", '<text font-style="italic" '))
    for name, lon, lat in geo.REGION_LABELS:
        (x, y), = PROJECT([(lon, lat)])
        parts.append(text(x, y, name, 11, "middle", "#777", "bold"))
    return "".join(parts)


WATER_SVG = _water()


def map_svg(model: LeadModel, measure: str, breakdown: str = "by state",
            group: str = DEFAULT_GROUP) -> str:
    """The areas coloured by ``measure`` (for a measure by group, ``group``'s) on its fixed
    scale; each area's tooltip gives its counts by ``breakdown``."""
    measure, spec = measure_for(measure, group)
    values = spec.count(model)
    details = spec.detail(model) if spec.detail else [""] * len(AREAS)
    top = spec.top(model.p["population"])
    split = BREAKDOWNS[breakdown]
    counts = split.counts(model)
    names = [a.name for a in AREAS]
    covered = [n for n, c in zip(names, model.covered, strict=True) if c]
    busiest = names[int(np.argmax(values))]
    desc = (f"{measure} by area on {model.last_date:%d %B %Y}: highest in {busiest} "
            f"({fmt(float(values.max()))}); LEAD covers {len(covered)} of {len(names)} areas.")
    parts = [svg_open("lead-map-svg", MAP_W, MAP_H,
                      f"Map of Seattle and south King County: {measure}", desc),
             WATER_SVG, _heading(measure, model)]
    for i, area in enumerate(AREAS):
        x, y = AREA_XY[i]
        ring = (f'stroke="{COVERED}" stroke-width="4"' if model.covered[i]
                else 'stroke="#555" stroke-width="1"')
        people = ", ".join(f"{label} {int(n):,}"
                           for label, n in zip(split.labels, counts[i], strict=True))
        lead = "LEAD covers it" if model.covered[i] else "no LEAD"
        parts.append(f'<circle class="lead-area" cx="{x:.1f}" cy="{y:.1f}" r="{AREA_R[i]:.1f}" '
                     f'fill="{map_fill(values[i] / top)}" {ring}><title>{escape(area.name)}: '
                     f'{fmt(round(float(values[i]), 1))} ({escape(measure)}); {lead}. '
                     + (f'{escape(details[i])}. ' if details[i] else '')
                     + f'People living here: {escape(people)}.</title></circle>')
    for i, value in enumerate(values):  # the number inside its circle, legible on its fill
        dark = values[i] / top > 0.45
        parts.append(text(AREA_XY[i, 0], AREA_XY[i, 1] + 4, fmt(float(round(value))), 11,
                          "middle",
                          "#ffffff" if dark else "#111111", "bold"))
    for (x, y, anchor), label in zip(LABEL_PLACES, NAMES, strict=True):
        parts.append(text(x, y, label, 11, anchor).replace(
            "<text ", '<text paint-order="stroke" stroke="#ffffff" stroke-width="3" '))
    parts.append(colour_bar(measure, top, values.max() > top, open_top=not spec.fixed_top))
    parts.append("</svg>")
    return "".join(parts)


def _heading(measure: str, model: LeadModel) -> str:
    """The measure and the date at the top left; the date on a line of its own when the two
    would not fit across the map (a long group name)."""
    date = f"{model.last_date:%d %b %Y}"
    if len(measure) + len(date) <= 52:
        return text(10, 18, f"{measure}, {date}", 13, weight="bold")
    return text(10, 18, measure, 13, weight="bold") + text(10, 34, date, 13, weight="bold")


def colour_bar(measure: str, top: float, clipped: bool, open_top: bool = True) -> str:
    """The fixed scale under the map, 0 to ``top`` ("top+" when ``open_top``: values above
    it are drawn in its colour), and what the green ring means."""
    x, y, w = 16, MAP_H - BAR_H + 18, 240
    steps = 24
    per_area = " per area" if open_top else ""  # a share is per area already
    parts = [text(x, y - 4, f"{measure}{per_area}" + (" (some above the scale)" if clipped
                                                     else ""), 11)]
    for k in range(steps):
        parts.append(f'<rect x="{x + k * w / steps:.1f}" y="{y}" width="{w / steps + 0.5:.1f}" '
                     f'height="12" fill="{map_fill((k + 0.5) / steps)}"/>')
    parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="12" fill="none" stroke="#555"/>')
    for k in range(5):
        plus = "+" if k == 4 and open_top else ""
        parts.append(text(x + k * w / 4, y + 26, fmt(top * k / 4) + plus, 11, "middle", "#333"))
    rx = x + w + 40
    parts.append(f'<circle cx="{rx}" cy="{y + 6}" r="8" fill="#ffffff" stroke="{COVERED}" '
                 'stroke-width="4"/>')
    parts.append(text(rx + 14, y + 10, "LEAD covers", 11))
    parts.append(text(rx + 14, y + 24, "the area", 11))
    return "".join(parts)


LABEL_CHAR_W, LABEL_H = 6.0, 12.0  # an 11 px label's width per character and its height


def label_places(xy: np.ndarray, radius: np.ndarray, labels: list[str]
                 ) -> list[tuple[float, float, str]]:
    """Where each area's label goes (x, y, text-anchor): right of its circle, or else the
    first of left, above, below, above right and below right that stays on the map and
    overlaps no label placed before it and no other circle (the least crowded if none does).
    """
    placed: list[tuple[float, float, float, float]] = []
    circles = [(x - r, y - r, x + r, y + r) for (x, y), r in zip(xy, radius, strict=True)]
    out = []
    for i, ((x, y), r, label) in enumerate(zip(xy, radius, labels, strict=True)):
        w = len(label) * LABEL_CHAR_W
        options = [(x + r + 3, y + 4, "start"), (x - r - 3, y + 4, "end"),
                   (x, y - r - 4, "middle"), (x, y + r + LABEL_H, "middle"),
                   (x - r / 2, y - r - 4, "start"), (x - r / 2, y + r + LABEL_H, "start"),
                   (x + r / 2, y - r - 4, "end"), (x + r / 2, y + r + LABEL_H, "end"),
                   (x + r + 3, y - LABEL_H + 2, "start"), (x + r + 3, y + LABEL_H + 4, "start"),
                   (x - r - 3, y - LABEL_H + 2, "end"), (x - r - 3, y + LABEL_H + 4, "end")]
        others = placed + circles[:i] + circles[i + 1:]
        boxes = [label_box(ox, oy, anchor, w) for ox, oy, anchor in options]
        clashes = [_clashes(box, others) for box in boxes]
        k = clashes.index(min(clashes))  # the first of the least crowded
        placed.append(boxes[k])
        out.append(options[k])
    return out


def _clashes(box: tuple[float, float, float, float], others: list) -> int:
    """How badly a label box fits: what it overlaps, and far worse, leaving the map."""
    off_map = not (box[0] >= 0 and box[2] <= MAP_W and box[1] >= 24
                   and box[3] <= MAP_H - BAR_H)
    return 100 * off_map + sum(overlap(box, o) for o in others)


def label_box(x: float, y: float, anchor: str, w: float) -> tuple[float, float, float, float]:
    left = {"start": x, "end": x - w, "middle": x - w / 2}[anchor]
    return (left, y - LABEL_H + 2, left + w, y + 2)


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


NAMES = [a.name for a in AREAS]
LABEL_PLACES = label_places(AREA_XY, AREA_R, NAMES)  # fixed: the names never change
