"""Small SVG drawing helpers: line charts, stacked areas and shapes as text.

The page redraws every frame while playing. Matplotlib took 0.3-1.5 s per frame for the map and
charts on this 2-core machine (more under load), which capped Play near 2 simulated days per
second; building SVG text with numpy takes milliseconds and the browser draws it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

MAX_POINTS = 400  # points per drawn line: a 12-year daily series is thinned to this


@dataclass(frozen=True)
class Series:
    label: str
    values: np.ndarray
    colour: str
    dashed: bool = False
    width: float = 1.6


def nice_ticks(high: float, count: int = 4) -> np.ndarray:
    """Round tick values from 0 to at least ``high``."""
    if high <= 0:
        return np.array([0.0, 1.0])
    raw = high / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return np.arange(0, high + step * 0.999, step)


def fmt(value: float) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def thin(n: int) -> np.ndarray:
    """Indices of at most MAX_POINTS evenly spread days, always keeping the last."""
    if n <= MAX_POINTS:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, MAX_POINTS).round().astype(int))


def text(x: float, y: float, body: str, size: float = 11, anchor: str = "start",
         colour: str = "#333", weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{colour}" font-weight="{weight}">{escape(body)}</text>')


def line_chart(title: str, years: np.ndarray, series: Sequence[Series], *, stacked: bool = False,
               width: int = 400, height: int = 220, css_class: str = "",
               marks: Sequence[tuple[float, str]] = ()) -> str:
    """A chart of daily series against time (``years`` as fractional calendar years).

    ``marks`` are (year, text) events drawn as dotted vertical lines whose text shows on
    hover: the policy changes that explain a turn in a line.
    """
    left, right, top, bottom = 46, 10, 24, 22
    pw, ph = width - left - right, height - top - bottom
    n = len(years)
    idx = thin(n)
    values = [np.asarray(s.values, float)[idx] for s in series]
    tops = np.cumsum(values, axis=0) if stacked and values else values
    high = max((float(np.max(v)) for v in tops if len(v)), default=0.0)
    yt = nice_ticks(high * 1.05)
    y_max = float(yt[-1])
    x0 = float(years[0]) if n else 0.0
    x1 = float(years[-1]) if n > 1 else x0 + 1 / 12
    xs = left + (years[idx] - x0) / (x1 - x0) * pw if n else np.array([])

    def ys(v: np.ndarray) -> np.ndarray:
        return top + ph - v / y_max * ph

    parts = [f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {width} {height}" width="100%">',
             text(left, 15, title, 12, weight="bold")]
    for t in yt:
        y = ys(t)
        parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#e4e4e4"/>')
        parts.append(text(left - 4, y + 4, fmt(t), 10, "end", "#666"))
    for year in range(math.ceil(x0), math.floor(x1) + 1):
        x = left + (year - x0) / (x1 - x0) * pw
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph}" '
                     'stroke="#eeeeee"/>')
        parts.append(text(x, height - 6, str(year), 10, "middle", "#666"))
    for when, note in marks:
        if x0 <= when <= x1:
            x = left + (when - x0) / (x1 - x0) * pw
            parts.append(f'<g class="lead-mark"><title>{escape(note)}</title>'
                         f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph}" '
                         'stroke="#777" stroke-dasharray="2,3"/>'
                         f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph}" '
                         'stroke="transparent" stroke-width="8"/></g>')
    base = np.zeros(len(idx))
    for s, v, t in zip(series, values, tops, strict=True):
        if not len(v):
            continue
        if stacked:
            upper = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys(t), strict=True))
            lower = " ".join(f"{x:.1f},{y:.1f}"
                             for x, y in zip(xs[::-1], ys(base)[::-1], strict=True))
            parts.append(f'<polygon points="{upper} {lower}" fill="{s.colour}" '
                         'fill-opacity="0.85"/>')
            base = t
        else:
            dash = ' stroke-dasharray="5,3"' if s.dashed else ""
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys(v), strict=True))
            parts.append(f'<polyline points="{points}" fill="none" stroke="{s.colour}" '
                         f'stroke-width="{s.width}"{dash}/>')
    parts.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
                 'stroke="#999"/>')
    parts.append(legend(series, left + 6, top + 12, last=[v[-1] if len(v) else 0
                                                          for v in values]))
    parts.append("</svg>")
    return "".join(parts)


def legend(series: Sequence[Series], x: float, y: float, last: Sequence[float]) -> str:
    """Legend rows with each series' latest value, so the numbers can be read off exactly."""
    rows = []
    for i, (s, value) in enumerate(zip(series, last, strict=True)):
        yy = y + i * 13
        dash = ' stroke-dasharray="4,2"' if s.dashed else ""
        rows.append(f'<line x1="{x}" x2="{x + 14}" y1="{yy - 4}" y2="{yy - 4}" '
                    f'stroke="{s.colour}" stroke-width="3"{dash}/>')
        shown = (f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer()
                 else f"{value:,.1f}")
        rows.append(text(x + 18, yy, f"{s.label}: {shown}", 10))
    return "".join(rows)
