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
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from lead_sim.io import csv_writer, json_writer, write_folder
from lead_sim.manifest import build_manifest
from lead_sim.sensitivity.analysis import COLUMNS, MAIN, Analysis, analyse, row_means
from lead_sim.sensitivity.context import (
    SCALE_SUFFIX,
    dates_html,
    rounded_places_note,
    scales_html,
    seeds_html,
    signs_html,
    units_html,
)
from lead_sim.sensitivity.sampling import applied_values
from lead_sim.sensitivity.spec import OPTIONS, SweepSpec, lhs_min_rows
from lead_sim.tables import plural, significant

#: Half-sample indices within this share of the largest index count as converged.
CONVERGED = 0.1
#: Sobol' second-order indices, written when the design was sampled for them.
SECOND_ORDER = "indices_second_order.csv"
#: Scenario discovery's boxes, written for an LHS sweep with [[discovery]] questions.
DISCOVERY = "discovery.csv"
#: Pairs shown per outcome in the report (the file has all of them).
TOP_PAIRS = 5

if TYPE_CHECKING:
    from lead_sim.sensitivity.engine import SweepRun
    from lead_sim.sensitivity.store import SweepStore


def write_outputs(spec: SweepSpec, store: SweepStore, run: SweepRun) -> Path:
    """Analyse the stored runs and write every output file into the sweep folder."""
    unasked = set(store.outcomes) - set(spec.outcomes)  # stored for a later look, not shown
    results = store.results().drop(columns=sorted(unasked), errors="ignore")
    design = store.design()
    labels = factor_labels(spec)
    result = relabel(analyse(spec, design, results), labels)
    discovery = _discovery(spec, design, results, labels)
    counts = results["status"].value_counts().to_dict()
    manifest = build_manifest(
        sweep=spec.name, spec_file=spec.source, fingerprint=store.key, settings=store.settings,
        outcomes=list(spec.outcomes),
        runs=len(results), status_counts=counts, skipped_outcomes=result.skipped,
        rows_left_out=result.left_out,
        constant_outcomes=result.constant,
        last_invocation={"ran": run.ran, "resumed": run.resumed, "failed": run.failed,
                         "seconds": round(run.seconds, 2),
                         "runs_per_second": round(run.runs_per_second, 3)},
    )
    writers: dict[str, Any] = {
        "runs.csv": csv_writer(results.rename(columns=labels)),
        "indices.csv": csv_writer(result.indices),
        "convergence.csv": csv_writer(result.convergence),
        "manifest.json": json_writer(manifest),
    }
    if discovery is not None:
        writers[DISCOVERY] = csv_writer(discovery)
    if result.second_order is not None:
        writers[SECOND_ORDER] = csv_writer(result.second_order)
    figures = _figures(spec, result)
    for name, png in figures.items():
        writers[name] = lambda path, png=png: path.write_bytes(png)
    page = render_html(spec, result, discovery, counts, figures)
    writers["report.html"] = lambda path: path.write_text(page, encoding="utf-8")
    folder = write_folder(store.dir, writers)
    remove_stale(folder, optional_outputs(spec, store) - set(writers))
    return folder


def optional_outputs(spec: SweepSpec, store: SweepStore) -> set[str]:
    """Every output a re-analysis of this folder may or may not write: the figures of any
    outcome it stores or analyses, discovery.csv and the second-order indices."""
    outcomes = {*store.outcomes, *spec.outcomes}
    return {DISCOVERY, SECOND_ORDER, *(n for o in outcomes for n in figure_names(o))}


def remove_stale(folder: Path, names: set[str]) -> None:
    """Delete outputs an earlier analysis wrote and this one does not (an outcome dropped from
    the spec, [[discovery]] removed), so the folder never mixes two analyses. Only names the
    sweep itself writes are passed in; nothing else in the folder is touched."""
    for name in sorted(names):
        (folder / name).unlink(missing_ok=True)
    figures = folder / "figures"
    if figures.is_dir() and not any(figures.iterdir()):
        figures.rmdir()


def factor_labels(spec: SweepSpec) -> dict[str, str]:
    """Reader-facing name of every factor: ``NAME_scale`` for a ``scale`` factor, else NAME."""
    return {f.name: f.name + SCALE_SUFFIX if f.how == "scale" else f.name
            for f in spec.factors}


def relabel(result: Analysis, labels: dict[str, str]) -> Analysis:
    """The analysis with its parameter column in reader-facing names."""
    def named(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
        return frame.assign(**{c: frame[c].map(lambda n: labels.get(n, n)) for c in columns})

    pairs = result.second_order
    return replace(result, indices=named(result.indices, "parameter"),
                   convergence=named(result.convergence, "parameter"),
                   second_order=None if pairs is None
                   else named(pairs, "parameter_1", "parameter_2"))


def _discovery(spec: SweepSpec, design: pd.DataFrame, results: pd.DataFrame,
               labels: dict[str, str]) -> pd.DataFrame | None:
    if not spec.discovery:
        return None
    from lead_sim.sensitivity.discovery import discover

    raw = design[design["rep"] == 0].sort_values("row")[spec.names].reset_index(drop=True)
    # the values the runs used: a box edge of an integer parameter is then a whole number
    x = pd.DataFrame([applied_values(spec, row) for row in raw.to_dict("records")],
                     columns=spec.names, dtype=float).rename(columns=labels)
    whole_numbers = frozenset(labels.get(f.name, f.name) for f in spec.factors
                              if f.kind == "int" and f.how == "set")
    _, means = row_means(spec, results)
    frames = []
    for rule in spec.discovery:
        y = means[rule.outcome].to_numpy(float)
        keep = ~pd.isna(y)
        frames.append(discover(rule, x[keep], y[keep], spec.seed, whole_numbers))
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
    drawn = any(((frame[f"{c}_conf"] > 0) & ok).any() for c, ok in zip(shown, usable))
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
        "(index &plusmn; conf); <b>n/a</b> there means SALib gave no usable interval (none, "
        "or a width of 0 around an index that is not 0), so that index is a point "
        "estimate of unknown precision. Numbers are rounded to 3 significant figures; "
        "<code>indices.csv</code> has them in full.")
#: FAST's bootstrap resamples one search curve; SALib itself calls its intervals indicative.
FAST_CONF = (" For FAST these intervals are indicative only: SALib resamples pieces of one "
             "search curve, which it documents as unreliable (SALib issue 649).")

#: What each method's sample size counts (SALib's N), for sentences.
SAMPLE_WORDS = {"sobol": "base samples", "morris": "trajectories",
                "fast": "points per search curve", "lhs": "rows"}
#: FAST samples below FAST_SMALL x M^2 points per curve (four times SALib's minimum of 4M^2,
#: 256 at the default M = 4) are flagged: FAST has no half-sample check, and on the Ishigami
#: test function its S1 errors fall from about 0.2 to under 0.03 only past about that size.
#: M is the larger of the sweep's and the default, so a small M does not lower the bar.
FAST_SMALL = 16
#: The estimator each method's M belongs to, for sentences.
ESTIMATOR = {"fast": "FAST", "lhs": "RBD-FAST"}

#: Shares of variance (Sobol, FAST, RBD-FAST) outside 0-1 by more than this are estimation noise.
SHARE_SLACK = 0.01


def out_of_range(spec: SweepSpec, frame: pd.DataFrame) -> bool:
    """Whether a variance-share index (S1, ST) lies outside 0-1: the sample is too small."""
    shares = [c for c in ("S1", "ST") if c in COLUMNS[spec.method] and c in frame]
    values = frame[shares].to_numpy(float)
    return bool(((values < -SHARE_SLACK) | (values > 1 + SHARE_SLACK)).any())


def fast_too_small(spec: SweepSpec) -> str:
    """Why a FAST sample is too small to trust ("" if it is not, or the method is not FAST)."""
    if spec.method != "fast":
        return ""
    m, default = spec.option("M"), OPTIONS["fast"]["M"]
    floor = fast_min_points(m)
    if spec.samples >= floor:
        return ""
    which = f"M = {m}" if m >= default else f"the default M = {default}, not this sweep's {m}"
    return (f"FAST with fewer than {floor:,} points per search curve (16 × M², {which}) "
            "gives unsteady indices, and its sample cannot be halved to check them")


def fast_min_points(m: int) -> int:
    """Points per search curve below which FAST's indices are flagged (16 × M², with M at
    least the default, so that a small M does not lower the bar)."""
    return FAST_SMALL * max(m, OPTIONS["fast"]["M"]) ** 2


def small_m(spec: SweepSpec) -> str:
    """A warning when M is below the method's default ("" otherwise, or without an M).

    M is the number of harmonics FAST and RBD-FAST read of each parameter's effect. With
    fewer, an effect that is not monotone (rising then falling over the range) is largely
    missed, whatever the sample size: on the Ishigami function (seed 11), RBD-FAST at M = 1
    scores x2, whose effect is sin², about 0 instead of 0.44 even with 1,000 rows, and FAST at
    M = 1 on 40 points per curve about 0.01. So a quick look with a small M can rank
    parameters wrongly and call an influential one idle.
    """
    if spec.method not in ESTIMATOR:
        return ""
    m, default = spec.option("M"), OPTIONS[spec.method]["M"]
    if m >= default:
        return ""
    name, word = ESTIMATOR[spec.method], SAMPLE_WORDS[spec.method]
    need = (fast_min_points(default) if spec.method == "fast"
            else lhs_min_rows(len(spec.factors), default))
    return (f"<p class='warn'><b>Warning: M = {m} is below {name}'s default of {default}, so "
            "these indices are a quick look only: they are biased for parameters whose effect "
            f"is not monotone.</b> M is the number of harmonics {name} reads of each "
            "parameter's effect; with fewer, an effect that rises and then falls over the "
            "parameter's range is largely missed, and its index comes out too small, often "
            "near 0, however large the sample. Do not read the ranking, or a small index as "
            f"no effect, from this sweep: run it again with the default M (no M option) and "
            f"at least {need:,} {word}, into a new folder.</p>")


def too_small(spec: SweepSpec, why: str) -> str:
    """Plain words: these indices cannot be trusted yet, and how to get a bigger sample."""
    word = SAMPLE_WORDS[spec.method]
    return (f"<p><b>The sample is too small for these indices to be trusted</b> ({why}). "
            f"Run the sweep again with more {word}, e.g. <code>--samples "
            f"{4 * spec.samples:,}</code> (now {spec.samples:,}; the number of runs grows in "
            "proportion), into a new folder.</p>")


def no_effect(spec: SweepSpec, indices: pd.DataFrame) -> list[str]:
    """Parameters whose main index is exactly 0 for every outcome."""
    main = MAIN[spec.method]
    if indices.empty:
        return []
    zero = indices.groupby("parameter", sort=False)[main].apply(lambda v: bool((v == 0).all()))
    return [name for name, flat in zero.items() if flat]


def second_order_note(spec: SweepSpec) -> str:
    """Where the pair indices are, for a Sobol' sweep sampled for them ("" otherwise)."""
    if spec.method != "sobol" or not spec.option("second_order"):
        return ""
    return f", and second-order indices of every pair in <code>{SECOND_ORDER}</code>"


def header_html(spec: SweepSpec, counts: dict[str, int]) -> list[str]:
    """What the sweep did and what its numbers stand for, before any number."""
    esc = html.escape
    scenario = esc(spec.scenario.name) if spec.scenario else "(test function)"
    base = f", baseline {esc(spec.baseline.name)}" if spec.paired else ""
    parts = [
        f"<p>Method <b>{spec.method}</b>, {spec.samples:,} {SAMPLE_WORDS[spec.method]}, "
        f"{plural(spec.reps, 'replicate')} per sample row; scenario {scenario}{base}.</p>",
        small_m(spec),  # first: it qualifies every index below
    ]
    if spec.scenario:
        parts += [dates_html(spec), units_html(spec), signs_html(spec)]
    parts += [scales_html(spec), seeds_html(spec),
              f"<p>Runs: {esc(', '.join(f'{k} {v:,}' for k, v in sorted(counts.items())))}. "
              "Details per run in <code>runs.csv</code>; all indices in "
              f"<code>indices.csv</code>{second_order_note(spec)}.</p>",
              f"<p>{EXPLAIN[spec.method]} {CONF}{FAST_CONF if spec.method == 'fast' else ''}"
              "</p>"]
    return [p for p in parts if p]


# ---- the page ----------------------------------------------------------------------------------
def _top_table(spec: SweepSpec, frame: pd.DataFrame) -> str:
    """The five largest indices; a half-width that is no interval reads n/a, not 0."""
    top = frame.sort_values(MAIN[spec.method], ascending=False).head(5).drop(columns="outcome")
    for col in interval_columns(spec):
        top[f"{col}_conf"] = top[f"{col}_conf"].where(usable_interval(top[col],
                                                                      top[f"{col}_conf"]))
    return top.to_html(index=False, float_format=fmt, na_rep="n/a")


def _outcome_html(spec: SweepSpec, result: Analysis, outcome: str, frame: pd.DataFrame,
                  figures: dict[str, bytes]) -> list[str]:
    esc = html.escape
    main = MAIN[spec.method]
    parts = [f"<h2>{esc(outcome)}</h2>"]
    if outcome in result.left_out:
        parts.append(f"<p class='warn'><b>Analysed on part of the sample:</b> "
                     f"{esc(result.left_out[outcome])}.</p>")
    parts.append(_top_table(spec, frame))
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
    missing = missing_intervals(spec, frame)
    if missing:
        parts.append(f"<p><b>No usable 95% interval</b> for {esc(', '.join(missing))}: "
                     "SALib's bootstrap gave none, or a width of 0 (to rounding). Read those "
                     "indices as point estimates of unknown precision.</p>")
    fast = fast_too_small(spec)
    reasons = [*([fast] if fast else []),
               *(["some indices fall outside 0 to 1, which shares of variance cannot"]
                 if out_of_range(spec, frame) else []),
               *([f"{main} still moves when the sample is halved"] if not stable else []),
               *(["some indices have no usable interval"]
                 if missing and spec.method == "fast" else [])]
    if reasons:
        parts.append(too_small(spec, "; ".join(reasons)))
    parts += pairs_html(result, outcome)
    for name in (n for n in figure_names(outcome) if n in figures):
        data = base64.b64encode(figures[name]).decode("ascii")
        parts.append(f"<figure><img alt='{esc(name)}' src='data:image/png;base64,"
                     f"{data}'><figcaption>{esc(name)}</figcaption></figure>")
    return parts


def constant_html(outcome: str, value: float, left_out: str = "") -> list[str]:
    """An outcome that never varied: there is no variance for any parameter to explain, so
    indices (0 or undefined) and a "stable" half-sample check would only mislead."""
    rows = "Every sample row that ran" if left_out else "Every sample row"
    note = (f"<p class='warn'><b>Part of the sample:</b> {html.escape(left_out)}.</p>"
            if left_out else "")
    return [f"<h2>{html.escape(outcome)}</h2>", note,
            f"<p><b>Did not vary across runs: no sensitivity to report.</b> {rows} "
            f"gave {fmt(value)}, whatever the parameters, so it has no indices, convergence "
            "check or figure. Within this horizon and sample nothing the sweep varies reaches "
            "it: for example a LEAD outcome when LEAD starts only after the runs end, or an "
            "event too rare to happen in a small sample.</p>"]


def pairs_html(result: Analysis, outcome: str) -> list[str]:
    """The largest second-order indices of one outcome, and where to find all of them."""
    if result.second_order is None:
        return []
    pairs = result.second_order[result.second_order["outcome"] == outcome]
    top = pairs.sort_values("S2", ascending=False).head(TOP_PAIRS).drop(columns="outcome")
    return [f"<p><b>S2</b>, second-order indices: the share of the variance due to the "
            f"interaction of two parameters alone. The {min(TOP_PAIRS, len(pairs))} largest of "
            f"{len(pairs)} pairs; all of them in <code>{SECOND_ORDER}</code>.</p>",
            top.to_html(index=False, float_format=fmt, na_rep="n/a")]


def discovery_html(discovery: pd.DataFrame, total: int) -> list[str]:
    """The boxes, what density and coverage mean, and warnings for questions on few rows or
    on part of the ``total`` sample rows (rows without a value for the outcome are left out,
    as in the outcome's indices)."""
    from lead_sim.sensitivity.discovery import NO_BOX, small_sample_note

    esc = html.escape
    parts = ["<h2>Scenario discovery</h2>",
             "<p>Boxes of parameter space where the question holds for most rows of the box "
             "and more often than in the whole sample: <b>density</b> (share of the box's rows "
             "where it holds) is above <b>base_rate</b> (the share over all rows). "
             "<b>coverage</b> is the share of all rows where it holds that fall in the box. "
             f"<i>{esc(NO_BOX)}</i> means the tree found no such region.</p>"]
    for question, rows in discovery.groupby("question", sort=False):
        n = int(rows["sample_rows"].iloc[0])
        note = small_sample_note(n, round(float(rows["base_rate"].iloc[0]) * n))
        if n < total:
            parts.append(f"<p class='warn'><b>{esc(question)}</b> rests on {n:,} of {total:,} "
                         "sample rows: the others have no value for its outcome (failed "
                         "runs, or an undefined outcome; see that outcome above), so a region "
                         "where they lie is not represented in the boxes.</p>")
        if note:
            parts.append(f"<p><b>Too few rows to trust the boxes for {esc(question)}</b>: "
                         f"{esc(note)}. Run the sweep again with more rows "
                         "(<code>--samples</code>).</p>")
    parts.append(discovery.to_html(index=False, float_format=fmt, na_rep="n/a"))
    return parts


def render_html(spec: SweepSpec, result: Analysis, discovery: pd.DataFrame | None,
                counts: dict[str, int], figures: dict[str, bytes]) -> str:
    """A short, self-contained summary page: figures are embedded as base64 PNG (and also
    written beside it), so report.html can be mailed on its own."""
    esc = html.escape
    parts = [
        "<!doctype html><meta charset='utf-8'>",
        f"<title>Sweep {esc(spec.name)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd}"
        "td{text-align:right}img{max-width:100%}.warn{color:#8a1c00}</style>",
        f"<h1>Sensitivity sweep: {esc(spec.name)}</h1>",
        *([f"<p>{esc(spec.description)}</p>"] if spec.description else []),
        *header_html(spec, counts),
    ]
    if result.thinned_rows:
        parts.append(f"<p class='warn'>{result.thinned_rows:,} sample rows are averaged over "
                     f"fewer than their {spec.reps} replicates, because some of their runs "
                     "failed (runs.csv says which); rerun with --retry-failed to restore "
                     "them.</p>")
    for outcome, reason in result.skipped.items():
        parts.append(f"<p><b>{esc(outcome)}</b> not analysed: {esc(reason)}.</p>")
    frames = dict(tuple(result.indices.groupby("outcome", sort=False)))
    for outcome in spec.outcomes:
        if outcome in frames:
            parts += _outcome_html(spec, result, outcome, frames[outcome], figures)
        elif outcome in result.constant:
            parts += constant_html(outcome, result.constant[outcome],
                                   result.left_out.get(outcome, ""))
    flat = no_effect(spec, result.indices)
    if flat:
        places = rounded_places_note(spec)
        parts.append(f"<h2>Parameters with no effect</h2><p>{esc(', '.join(flat))}: index "
                     "exactly 0 for every outcome. Within this horizon and sample, changing it "
                     "over its range changed nothing (for example a cap that never binds, or a "
                     "policy that starts after the runs end); that says nothing about longer or "
                     f"larger runs.{' ' + esc(places) if places else ''}</p>")
    if discovery is not None:
        parts += discovery_html(discovery, spec.samples)
    return "\n".join(parts) + "\n"
