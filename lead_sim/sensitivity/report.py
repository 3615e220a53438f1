"""A finished sweep's outputs: runs table, indices, convergence, discovery, figures, HTML.

Everything is computed from the store (the shards on disk), not from memory, so a resumed sweep
writes the same files as an uninterrupted one. The files land in the sweep folder together
(:func:`lead_sim.io.write_folder`), beside the shards.
"""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from lead_sim.io import csv_writer, json_writer, write_folder
from lead_sim.manifest import build_manifest
from lead_sim.sensitivity.analysis import COLUMNS, MAIN, Analysis, analyse, row_means
from lead_sim.sensitivity.spec import SweepSpec
from lead_sim.tables import significant

#: Half-sample indices within this share of the largest index count as converged.
CONVERGED = 0.1

if TYPE_CHECKING:
    from lead_sim.sensitivity.engine import SweepRun
    from lead_sim.sensitivity.store import SweepStore


def write_outputs(spec: SweepSpec, store: SweepStore, run: SweepRun) -> Path:
    """Analyse the stored runs and write every output file into the sweep folder."""
    results = store.results()
    design = store.design()
    result = analyse(spec, design, results)
    discovery = _discovery(spec, design, results)
    counts = results["status"].value_counts().to_dict()
    manifest = build_manifest(
        sweep=spec.name, spec_file=spec.source, fingerprint=store.key, settings=store.settings,
        runs=len(results), status_counts=counts, skipped_outcomes=result.skipped,
        last_invocation={"ran": run.ran, "resumed": run.resumed, "failed": run.failed,
                         "seconds": round(run.seconds, 2),
                         "runs_per_second": round(run.runs_per_second, 3)},
    )
    writers: dict[str, Any] = {
        "runs.csv": csv_writer(results),
        "indices.csv": csv_writer(result.indices),
        "convergence.csv": csv_writer(result.convergence),
        "manifest.json": json_writer(manifest),
    }
    if discovery is not None:
        writers["discovery.csv"] = csv_writer(discovery)
    figures = _figures(spec, result)
    for name, png in figures.items():
        writers[name] = lambda path, png=png: path.write_bytes(png)
    page = render_html(spec, result, discovery, counts, figures)
    writers["report.html"] = lambda path: path.write_text(page, encoding="utf-8")
    return write_folder(store.dir, writers)


def _discovery(spec: SweepSpec, design: pd.DataFrame,
               results: pd.DataFrame) -> pd.DataFrame | None:
    if not spec.discovery:
        return None
    from lead_sim.sensitivity.discovery import discover

    x = design[design["rep"] == 0].sort_values("row")[spec.names].reset_index(drop=True)
    _, means = row_means(spec, results)
    frames = []
    for rule in spec.discovery:
        y = means[rule.outcome].to_numpy(float)
        keep = ~pd.isna(y)
        frames.append(discover(rule, x[keep], y[keep], spec.seed))
    return pd.concat(frames, ignore_index=True)


def _figures(spec: SweepSpec, result: Analysis) -> dict[str, bytes]:
    """Every figure as PNG bytes, keyed by its file name in the sweep folder."""
    figures: dict[str, bytes] = {}
    for outcome, frame in result.indices.groupby("outcome", sort=False):
        indices, morris = figure_names(outcome)
        figures[indices] = _png(_bars(spec, outcome, frame))
        if spec.method == "morris":
            figures[morris] = _png(_morris(outcome, frame))
    return figures


def figure_names(outcome: str) -> tuple[str, str]:
    """File names of an outcome's index bars and Morris mu*-sigma plot."""
    slug = outcome.replace(":", "_")
    return f"figures/{slug}_indices.png", f"figures/{slug}_morris.png"


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _bars(spec: SweepSpec, outcome: str, frame: pd.DataFrame) -> Figure:
    main = MAIN[spec.method]
    frame_sorted = frame.sort_values(main)
    shown = [c for c in ("S1", "ST", "mu_star") if c in COLUMNS[spec.method]]
    fig = Figure(figsize=(7, 0.35 * len(frame) + 1.5))
    ax = fig.add_subplot()
    height = 0.8 / len(shown)
    for k, col in enumerate(shown):
        pos = [i + k * height for i in range(len(frame_sorted))]
        ax.barh(pos, frame_sorted[col], height=height, xerr=frame_sorted[f"{col}_conf"],
                capsize=2, label=col)
    ax.set_yticks([i + height * (len(shown) - 1) / 2 for i in range(len(frame_sorted))])
    ax.set_yticklabels(frame_sorted["parameter"], fontsize=8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v)))
    ax.set_title(f"{outcome}: {spec.method} indices (95% intervals)", fontsize=10)
    ax.legend(fontsize=8)
    return fig


def _morris(outcome: str, frame: pd.DataFrame) -> Figure:
    fig = Figure(figsize=(6, 5))
    ax = fig.add_subplot()
    ax.errorbar(frame["mu_star"], frame["sigma"], xerr=frame["mu_star_conf"], fmt="o",
                ms=4, capsize=2)
    top = frame.nlargest(8, "mu_star")
    for _, r in top.iterrows():
        ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v)))
    ax.set_xlabel("mu* (mean absolute elementary effect)")
    ax.set_ylabel("sigma (interaction / non-linearity)")
    ax.set_title(f"Morris screening: {outcome}", fontsize=10)
    return fig


def fmt(value: float) -> str:
    """A number for reading: thousands separators and 3 significant figures, never 2e+06.

    Values below 0.0001 (where 3 significant figures would need an exponent) read as 0;
    indices.csv keeps full precision.
    """
    if value is None or math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    return "0" if abs(value) < 1e-4 else significant(value)


def _tick(value: float) -> str:
    """An axis label short enough not to collide with its neighbours: 2.5M, 40k, 0.35."""
    v = abs(value)
    if v >= 1e6:
        return f"{value / 1e6:.3g}M"
    if v >= 1e4:
        return f"{value / 1e3:.3g}k"
    return fmt(value)


#: One or two sentences per method on what the indices shown mean.
EXPLAIN = {
    "morris": "<b>mu*</b> is the mean absolute elementary effect: how much the outcome moves, "
              "in its own units, when the parameter steps across its range; it ranks the size "
              "of a parameter's influence. <b>sigma</b> is the spread of those effects: large "
              "when the effect depends on the other parameters' values (non-linearity or "
              "interactions); <b>mu</b> is the signed mean (the direction).",
    "sobol": "<b>S1</b> is the share of the outcome's variance due to the parameter alone; "
             "<b>ST</b> is its total share, including interactions with other parameters "
             "(ST &minus; S1 is the interaction part; ST near 0 means the parameter hardly "
             "matters over its range).",
    "fast": "<b>S1</b> is the share of the outcome's variance due to the parameter alone; "
            "<b>ST</b> is its total share, including interactions with other parameters "
            "(ST &minus; S1 is the interaction part).",
    "lhs": "<b>S1</b> is the share of the outcome's variance due to the parameter alone "
           "(RBD-FAST estimate from the Latin hypercube sample).",
}
CONF = ("Columns ending in <b>_conf</b> are half-widths of 95% bootstrap intervals "
        "(index &plusmn; conf). Numbers are rounded to 3 significant figures; "
        "<code>indices.csv</code> has them in full.")


#: Shares of variance (Sobol, FAST, RBD-FAST) outside 0-1 by more than this are estimation noise.
SHARE_SLACK = 0.01


def out_of_range(spec: SweepSpec, frame: pd.DataFrame) -> bool:
    """Whether a variance-share index (S1, ST) lies outside 0-1: the sample is too small."""
    shares = [c for c in ("S1", "ST") if c in COLUMNS[spec.method] and c in frame]
    values = frame[shares].to_numpy(float)
    return bool(((values < -SHARE_SLACK) | (values > 1 + SHARE_SLACK)).any())


def too_small(spec: SweepSpec, why: str) -> str:
    """Plain words: these indices cannot be trusted yet, and how to get a bigger sample."""
    return (f"<p><b>The sample is too small for these indices to be trusted</b> ({why}). "
            f"Run the sweep again with more base samples, e.g. <code>--samples "
            f"{4 * spec.samples:,}</code> (now {spec.samples:,}; the number of runs grows in "
            "proportion), into a new folder.</p>")


def no_effect(spec: SweepSpec, indices: pd.DataFrame) -> list[str]:
    """Parameters whose main index is exactly 0 for every outcome."""
    main = MAIN[spec.method]
    if indices.empty:
        return []
    zero = indices.groupby("parameter", sort=False)[main].apply(lambda v: bool((v == 0).all()))
    return [name for name, flat in zero.items() if flat]


def render_html(spec: SweepSpec, result: Analysis, discovery: pd.DataFrame | None,
                counts: dict[str, int], figures: dict[str, bytes]) -> str:
    """A short, self-contained summary page: figures are embedded as base64 PNG (and also
    written beside it), so report.html can be mailed on its own."""
    esc = html.escape
    main = MAIN[spec.method]
    scenario = spec.scenario.name if spec.scenario else "(test function)"
    base = f", baseline {spec.baseline.name}" if spec.baseline else ""
    population = f"{spec.population:,}" if spec.population else "scenario default"
    parts = [
        "<!doctype html><meta charset='utf-8'>",
        f"<title>Sweep {esc(spec.name)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd}"
        "td{text-align:right}img{max-width:100%}</style>",
        f"<h1>Sensitivity sweep: {esc(spec.name)}</h1>",
        f"<p>{esc(spec.description)}</p>",
        f"<p>Method <b>{spec.method}</b>, {spec.samples:,} base samples, {spec.reps} "
        f"replicate(s) per row, seed {spec.seed}; scenario {esc(scenario)}{esc(base)}; "
        f"population {population}, years {spec.years or 'to scenario end'}.</p>",
        f"<p>Runs: {esc(', '.join(f'{k} {v:,}' for k, v in sorted(counts.items())))}. "
        "Details per run in <code>runs.csv</code>; all indices in <code>indices.csv</code>.</p>",
        f"<p>{EXPLAIN[spec.method]} {CONF}</p>",
    ]
    for outcome, reason in result.skipped.items():
        parts.append(f"<p><b>{esc(outcome)}</b> not analysed: {esc(reason)}.</p>")
    for outcome, frame in result.indices.groupby("outcome", sort=False):
        top = frame.sort_values(main, ascending=False).head(5)
        parts.append(f"<h2>{esc(outcome)}</h2>")
        parts.append(top.drop(columns="outcome").to_html(index=False, float_format=fmt))
        conv = result.convergence[result.convergence["outcome"] == outcome]
        stable = True
        if len(conv):
            worst = conv["difference"].abs().max()
            scale = conv["full"].abs().max() or 1.0
            stable = worst <= CONVERGED * scale
            verdict = "stable" if stable else "not yet stable"
            parts.append(f"<p>Convergence: {main} at half the sample differs by at most "
                         f"{fmt(worst)} ({100 * worst / scale:.0f}% of the largest {main}): "
                         f"{verdict}.</p>")
        reasons = [*(["some indices fall outside 0 to 1, which shares of variance cannot"]
                     if out_of_range(spec, frame) else []),
                   *([f"{main} still moves when the sample is halved"] if not stable else [])]
        if reasons:
            parts.append(too_small(spec, "; ".join(reasons)))
        for name in (n for n in figure_names(outcome) if n in figures):
            data = base64.b64encode(figures[name]).decode("ascii")
            parts.append(f"<figure><img alt='{esc(name)}' src='data:image/png;base64,"
                         f"{data}'><figcaption>{esc(name)}</figcaption></figure>")
    flat = no_effect(spec, result.indices)
    if flat:
        parts.append(f"<h2>Parameters with no effect</h2><p>{esc(', '.join(flat))}: index "
                     "exactly 0 for every outcome. Within this horizon and sample, changing it "
                     "over its range changed nothing (for example a cap that never binds, or a "
                     "policy that starts after the runs end); that says nothing about longer or "
                     "larger runs.</p>")
    if discovery is not None:
        parts.append("<h2>Scenario discovery</h2>")
        parts.append("<p>Boxes of parameter space where the question holds for most rows "
                     "(density) and that hold most of the rows where it does (coverage).</p>")
        parts.append(discovery.to_html(index=False, float_format=fmt))
    return "\n".join(parts) + "\n"
