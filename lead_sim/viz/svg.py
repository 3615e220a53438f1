"""Small SVG drawing helpers: line charts with bands, stacked areas and text.

The page redraws every frame while playing. Matplotlib took 0.3-1.5 s per frame for the map and
charts on this 2-core machine (more under load), which capped Play near 2 simulated days per
second; building SVG text with numpy takes milliseconds and the browser draws it.

Every drawing carries a ``<title>`` and a ``<desc>`` (read by screen readers: the latest value
of each line), and its legend sits below the plot, never on the data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np

MAX_POINTS = 400  # points per drawn line: a 12-year daily series is thinned to this
LEGEND_ROW = 17  # px per legend row below a chart


@dataclass(frozen=True)
class Series:
    """A line (or a stacked area); ``low``/``high`` draw a shaded band around it: the range
    over the session's seeds."""

    label: str
    values: np.ndarray
    colour: str
    dashed: bool = False
    width: float = 2.0
    low: np.ndarray | None = None
    high: np.ndarray | None = None


def band(runs: np.ndarray, label: str, colour: str, **style) -> Series:
    """The mean of ``runs`` (seeds x days) as a line, their range as its band."""
    runs = np.atleast_2d(np.asarray(runs, float))
    if len(runs) < 2:
        return Series(label, runs[0] if runs.size else np.zeros(0), colour, **style)
    return Series(label, runs.mean(axis=0), colour, low=runs.min(axis=0),
                  high=runs.max(axis=0), **style)


def nice_ticks(low: float, high: float, count: int = 4) -> np.ndarray:
    """Round tick values covering ``low`` (<= 0) to ``high`` (>= 0), through zero."""
    span = high - low
    if span <= 0:
        return np.array([0.0, 1.0])
    raw = span / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return np.arange(math.floor(low / step + 1e-9) * step, high + step * 0.999, step)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten at or above ``value``."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= value * 0.9999)


def fmt(value: float) -> str:
    value = round(value, 9) + 0.0
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}M"
    if abs(value) >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def shown(value: float) -> str:
    """A latest value as a legend shows it: whole numbers with separators, else one decimal."""
    if not math.isfinite(value):
        return "n/a"
    value = round(value, 1) + 0.0  # no "-0"
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"


def thin(n: int) -> np.ndarray:
    """Indices of at most MAX_POINTS evenly spread days, always keeping the last."""
    if n <= MAX_POINTS:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, MAX_POINTS).round().astype(int))


def text(x: float, y: float, body: str, size: float = 12, anchor: str = "start",
         colour: str = "#222", weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{colour}" font-weight="{weight}">{escape(body)}</text>')


def svg_open(css_class: str, width: float, height: float, title: str, desc: str) -> str:
    """An SVG root that screen readers announce as an image with a title and a description."""
    ident = css_class or "lead-svg"
    return (f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-labelledby="{ident}-t {ident}-d" viewBox="0 0 {width} {height}" '
            f'width="100%"><title id="{ident}-t">{escape(title)}</title>'
            f'<desc id="{ident}-d">{escape(desc)}</desc>')


def _points(xs: np.ndarray, ys: np.ndarray) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


def line_chart(title: str, years: np.ndarray, series: Sequence[Series], *, stacked: bool = False,
               width: int = 440, height: int = 200, css_class: str = "",
               marks: Sequence[tuple[float, str]] = (), note: str = "") -> str:
    """A chart of daily series against time (``years`` as fractional calendar years).

    ``height`` is the plot's; the legend rows (with each series' latest value) go below it.
    ``marks`` are (year, text) events drawn as dotted vertical lines whose text shows on
    hover: the policy changes that explain a turn in a line.
    """
    left, right, top, bottom = 50, 12, 26, 24
    pw, ph = width - left - right, height - top - bottom
    n = len(years)
    idx = thin(n)
    values = [np.asarray(s.values, float)[idx] if len(s.values) else np.zeros(0)
              for s in series]
    tops = list(np.cumsum(values, axis=0)) if stacked and values else values
    extremes = [0.0]
    for s, t in zip(series, tops, strict=True):
        if len(t):
            extremes += [float(np.min(t)), float(np.max(t))]
        if s.high is not None and len(s.high):
            extremes += [float(np.min(s.low)), float(np.max(s.high))]
    low, high = min(extremes), max(extremes)
    yt = nice_ticks(low * 1.05, high * 1.05)
    y_min, y_max = float(yt[0]), float(yt[-1])
    x0 = float(years[0]) if n else 0.0
    x1 = float(years[-1]) if n > 1 else x0 + 1 / 12
    xs = left + (years[idx] - x0) / (x1 - x0) * pw if n else np.array([])

    def ys(v: np.ndarray) -> np.ndarray:
        return top + ph - (v - y_min) / (y_max - y_min) * ph

    latest = [float(v[-1]) if len(v) else 0.0 for v in values]
    desc = "; ".join(f"{s.label}: {shown(v)}" for s, v in zip(series, latest, strict=True))
    total = height + LEGEND_ROW * len(series) + (LEGEND_ROW if note else 0) + 4
    parts = [svg_open(css_class, width, total, title, f"Latest values. {desc}. {note}"),
             text(left - 40, 16, title, 14, weight="bold")]
    for t in yt:
        y = ys(t)
        grid = "#bbbbbb" if t == 0 else "#e6e6e6"
        parts.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{grid}"/>')
        parts.append(text(left - 5, y + 4, fmt(t), 12, "end", "#333"))
    for year in range(math.ceil(x0), math.floor(x1) + 1):
        x = left + (year - x0) / (x1 - x0) * pw
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph}" '
                     'stroke="#eeeeee"/>')
        parts.append(text(x, height - 7, str(year), 12, "middle", "#333"))
    for when, what in marks:
        if x0 <= when <= x1:
            x = left + (when - x0) / (x1 - x0) * pw
            parts.append(f'<g class="lead-mark"><title>{escape(what)}</title>'
                         f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph}" '
                         'stroke="#666" stroke-dasharray="2,3"/>'
                         f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph}" '
                         'stroke="transparent" stroke-width="8"/></g>')
    base = np.zeros(len(idx))
    for s, v, t in zip(series, values, tops, strict=True):
        if not len(v):
            continue
        if stacked:
            parts.append(f'<polygon points="{_points(xs, ys(t))} '
                         f'{_points(xs[::-1], ys(base)[::-1])}" fill="{s.colour}" '
                         'fill-opacity="0.8"/>')
            base = t
            continue
        if s.high is not None:
            lo, hi = np.asarray(s.low, float)[idx], np.asarray(s.high, float)[idx]
            parts.append(f'<polygon class="lead-band" points="{_points(xs, ys(hi))} '
                         f'{_points(xs[::-1], ys(lo)[::-1])}" fill="{s.colour}" '
                         'fill-opacity="0.18" stroke="none"/>')
        dash = ' stroke-dasharray="6,3"' if s.dashed else ""
        parts.append(f'<polyline points="{_points(xs, ys(v))}" fill="none" '
                     f'stroke="{s.colour}" stroke-width="{s.width}"{dash}/>')
    parts.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
                 'stroke="#888"/>')
    parts.append(legend(series, left - 40, height + 12, latest, stacked))
    if note:
        parts.append(text(left - 40, height + 12 + LEGEND_ROW * len(series), note, 12,
                          colour="#333"))
    parts.append("</svg>")
    return "".join(parts)


def legend(series: Sequence[Series], x: float, y: float, last: Sequence[float],
           stacked: bool = False) -> str:
    """Legend rows below the plot with each series' latest value (and its range over seeds)."""
    rows = []
    for i, (s, value) in enumerate(zip(series, last, strict=True)):
        yy = y + i * LEGEND_ROW
        if stacked:
            rows.append(f'<rect x="{x}" y="{yy - 9}" width="16" height="10" '
                        f'fill="{s.colour}" fill-opacity="0.8"/>')
        else:
            dash = ' stroke-dasharray="6,3"' if s.dashed else ""
            rows.append(f'<line x1="{x}" x2="{x + 16}" y1="{yy - 4}" y2="{yy - 4}" '
                        f'stroke="{s.colour}" stroke-width="3"{dash}/>')
        label = f"{s.label}: {shown(value)}"
        if s.high is not None and len(s.high):
            label += f" (range {shown(float(s.low[-1]))} to {shown(float(s.high[-1]))})"
        rows.append(text(x + 22, yy, label, 13))
    return "".join(rows)
