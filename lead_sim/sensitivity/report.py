"""A finished sweep's outputs: runs table, indices, convergence, discovery, figures, HTML.

Everything is computed from the store (the shards on disk), not from memory, so a resumed sweep
writes the same files as an uninterrupted one. The files land in the sweep folder together
(:func:`lead_sim.runs.io.write_folder`), beside the shards.
"""

from __future__ import annotations

import base64
import html
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from lead_sim.outcomes.tables import plural
from lead_sim.runs.io import csv_writer, json_writer, write_folder
from lead_sim.runs.manifest import build_manifest
from lead_sim.sensitivity.analysis import MAIN, Analysis, analyse, row_means
from lead_sim.sensitivity.context import (
    SCALE_SUFFIX,
    dates_html,
    rounded_places_note,
    scales_html,
    seeds_html,
    signs_html,
    units_html,
)
from lead_sim.sensitivity.figures import (
    figure_names,
    fmt,
    interval_columns,
    missing_intervals,
    render_figures,
    usable_interval,
)
from lead_sim.sensitivity.notes import (
    CONF,
    EXPLAIN,
    FAST_CONF,
    SAMPLE_WORDS,
    SECOND_ORDER,
    fast_too_small,
    no_effect,
    out_of_range,
    second_order_note,
    small_m,
    too_small,
)
from lead_sim.sensitivity.sampling import applied_values
from lead_sim.sensitivity.spec import SweepSpec

#: Half-sample indices within this share of the largest index count as converged.
CONVERGED = 0.1
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
    figures = render_figures(spec, result)
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
