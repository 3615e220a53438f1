"""A sweep's figures: index bars with their intervals, and the Morris mu*-sigma plot.

Also how numbers are printed in the sweep report (:func:`fmt`): small indices keep their
significant figures instead of reading as zero.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from lead_sim.outcomes.tables import significant
from lead_sim.reports.html import png_bytes
from lead_sim.sensitivity.analysis import COLUMNS, MAIN, Analysis
from lead_sim.sensitivity.spec import SweepSpec


def render_figures(spec: SweepSpec, result: Analysis,
                   manifest: dict[str, Any]) -> dict[str, bytes]:
    """Every figure as PNG bytes, keyed by its file name in the sweep folder; each PNG carries
    the sweep's manifest in its metadata, as a comparison's figures do."""
    figures: dict[str, bytes] = {}
    for outcome, frame in result.indices.groupby("outcome", sort=False):
        indices, morris = figure_names(outcome)
        figures[indices] = _png(_bars(spec, outcome, frame), manifest)
        if spec.method == "morris":
            figures[morris] = _png(_morris(outcome, frame), manifest)
    return figures


def figure_names(outcome: str) -> tuple[str, str]:
    """File names of an outcome's index bars and Morris mu*-sigma plot."""
    slug = outcome.replace(":", "_")
    return f"figures/{slug}_indices.png", f"figures/{slug}_morris.png"


def _png(fig: Figure, manifest: dict[str, Any]) -> bytes:
    fig.tight_layout()
    return png_bytes(fig, manifest, "sweep")


#: A half-width below this share of its index is a width of 0 plus floating-point rounding.
ROUNDING = 1e-9


def usable_interval(index: pd.Series, conf: pd.Series) -> pd.Series:
    """Whether each half-width is a real interval around its index.

    SALib gives NaN when its bootstrap fails, and 0 (or 1e-16, rounding) when every resample
    gives the same value: FAST on a small sample does both, its resamples being shifted copies
    of one search curve. A width of 0 around a non-zero index would claim exact precision, so
    it does not count; around an index of exactly 0 (a parameter that changed nothing) it is
    exact.
    """
    zero_width = conf.abs() <= ROUNDING * index.abs()
    return conf.notna() & ~(zero_width & (index != 0))


def interval_columns(spec: SweepSpec) -> list[str]:
    """The index columns that SALib gives a 95% interval for (``NAME_conf``)."""
    columns = COLUMNS[spec.method]
    return [c for c in columns if f"{c}_conf" in columns]


def missing_intervals(spec: SweepSpec, frame: pd.DataFrame) -> list[str]:
    """Parameters with at least one index that has no usable interval."""
    bad = pd.Series(False, index=frame.index)
    for col in interval_columns(spec):
        bad |= ~usable_interval(frame[col], frame[f"{col}_conf"])
    return list(frame.loc[bad, "parameter"])


def bars_title(spec: SweepSpec, outcome: str, frame: pd.DataFrame) -> str:
    """The index figure's title: it mentions 95% intervals only as far as they are drawn."""
    shown = [c for c in ("S1", "ST", "mu_star") if c in COLUMNS[spec.method]]
    usable = [usable_interval(frame[c], frame[f"{c}_conf"]) for c in shown]
    drawn = any(((frame[f"{c}_conf"] > 0) & ok).any() for c, ok in zip(shown, usable, strict=True))
    missing = not all(ok.all() for ok in usable)
    note = ("95% intervals where available" if drawn and missing
            else "95% intervals" if drawn else "no intervals available")
    return f"{outcome}: {spec.method} indices ({note})"


def _bars(spec: SweepSpec, outcome: str, frame: pd.DataFrame) -> Figure:
    main = MAIN[spec.method]
    frame_sorted = frame.sort_values(main)
    shown = [c for c in ("S1", "ST", "mu_star") if c in COLUMNS[spec.method]]
    fig = Figure(figsize=(7, 0.35 * len(frame) + 1.5))
    ax = fig.add_subplot()
    height = 0.8 / len(shown)
    for k, col in enumerate(shown):
        pos = [i + k * height for i in range(len(frame_sorted))]
        conf = frame_sorted[f"{col}_conf"]
        conf = conf.where(usable_interval(frame_sorted[col], conf))  # NaN: no bar drawn
        ax.barh(pos, frame_sorted[col], height=height, xerr=conf, capsize=2, label=col)
    ax.set_yticks([i + height * (len(shown) - 1) / 2 for i in range(len(frame_sorted))])
    ax.set_yticklabels(frame_sorted["parameter"], fontsize=8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v)))
    ax.set_title(bars_title(spec, outcome, frame), fontsize=10)
    ax.legend(fontsize=8)
    return fig


def _morris(outcome: str, frame: pd.DataFrame) -> Figure:
    fig = Figure(figsize=(6, 5))
    ax = fig.add_subplot()
    conf = frame["mu_star_conf"].where(usable_interval(frame["mu_star"], frame["mu_star_conf"]))
    ax.errorbar(frame["mu_star"], frame["sigma"], xerr=conf, fmt="o", ms=4, capsize=2)
    _label_points(ax, frame.nlargest(8, "mu_star"))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v)))
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma (interaction / non-linearity)")
    ax.set_title(f"Morris screening: {outcome}", fontsize=10)
    return fig


def _label_points(ax, top: pd.DataFrame, size: float = 7.0) -> None:
    """Name the most influential parameters beside their points, moving a label up while it
    would overlap one already placed (nearby points are common in a Morris plot)."""
    ax.autoscale_view()
    to_points = 72.0 / ax.figure.dpi
    placed: list[tuple[float, float, float]] = []  # left, bottom, width of each label (points)
    for _, r in top.sort_values("sigma").iterrows():
        x, y = (v * to_points for v in ax.transData.transform((r["mu_star"], r["sigma"])))
        width, dy = 0.55 * size * len(r["parameter"]), 3.0
        while any(x < px + pw and px < x + width and abs(y + dy - py) < 1.3 * size
                  for px, py, pw in placed):
            dy += 1.3 * size
        placed.append((x, y + dy, width))
        ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=size,
                    xytext=(3, dy), textcoords="offset points")

SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def fmt(value: float) -> str:
    """A number for reading: thousands separators and 3 significant figures, never 2e+06.

    Values below 0.0001 keep 3 significant figures as a power of ten (1.2×10⁻⁷): printing
    them as 0 would hide a small index that is not zero. indices.csv keeps full precision.
    """
    if value is None or math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if value == 0 or abs(value) >= 1e-4:
        return significant(value)
    mantissa, exponent = f"{value:.2e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}×10{str(int(exponent)).translate(SUPERSCRIPT)}"


def _tick(value: float) -> str:
    """An axis label short enough not to collide with its neighbours: 2.5M, 40k, 0.35."""
    v = abs(value)
    if v >= 1e6:
        return f"{value / 1e6:.3g}M"
    if v >= 1e4:
        return f"{value / 1e3:.3g}k"
    return fmt(value)
