"""A finished sweep's outputs: runs table, indices, convergence, discovery, figures, HTML.

Everything is computed from the store (the shards on disk), not from memory, so a resumed sweep
writes the same files as an uninterrupted one. The files land in the sweep folder together
(:func:`lead_sim.runs.io.write_folder`), beside the shards. The page is built with the report
toolkit (:mod:`lead_sim.reports.html`): this module computes its numbers and words,
``templates/sweep.html.j2`` lays them out.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from lead_sim.outcomes.tables import plural
from lead_sim.reports.html import Table, embed, frame_table, render
from lead_sim.runs.io import csv_writer, json_writer, write_folder
from lead_sim.runs.manifest import build_manifest
from lead_sim.sensitivity.analysis import MAIN, Analysis, analyse, bootstrap_seed, row_means
from lead_sim.sensitivity.context import (
    SCALE_SUFFIX,
    dates,
    rounded_places_note,
    scaled_factors,
    seeds,
    signs,
    units_text,
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
    SAMPLE_WORDS,
    SECOND_ORDER,
    fast_too_small,
    has_second_order,
    no_effect,
    out_of_range,
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
        outcomes=list(spec.outcomes), seed=spec.seed, bootstrap_seed=bootstrap_seed(spec),
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
    figures = render_figures(spec, result, manifest)
    for name, png in figures.items():
        writers[name] = lambda path, png=png: path.write_bytes(png)
    page = render_html(spec, result, discovery, counts, figures, manifest)
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



# ---- the page ----------------------------------------------------------------------------------
def render_html(spec: SweepSpec, result: Analysis, discovery: pd.DataFrame | None,
                counts: dict[str, int], figures: dict[str, bytes],
                manifest: dict[str, Any] | None = None) -> str:
    """A short, self-contained summary page: figures are embedded as base64 PNG (and also
    written beside it), so report.html can be mailed on its own; ``templates/sweep.html.j2``
    lays out what this computes."""
    frames = dict(tuple(result.indices.groupby("outcome", sort=False)))
    outcomes = []
    for outcome in spec.outcomes:
        if outcome in frames:
            outcomes.append(outcome_section(spec, result, outcome, frames[outcome], figures))
        elif outcome in result.constant:
            outcomes.append({"name": outcome, "constant": fmt(result.constant[outcome]),
                             "left_out": result.left_out.get(outcome, "")})
    return render("sweep.html.j2", __package__, spec=spec, manifest=manifest,
                  header=header(spec, counts),
                  thinned=f"{result.thinned_rows:,}" if result.thinned_rows else "",
                  skipped=result.skipped, outcomes=outcomes,
                  no_effect=", ".join(no_effect(spec, result.indices)),
                  rounded_places=rounded_places_note(spec),
                  discovery=None if discovery is None
                  else discovery_section(discovery, spec.samples))


def header(spec: SweepSpec, counts: dict[str, int]) -> dict[str, Any]:
    """What the sweep did and what its numbers stand for, before any number."""
    scenario = spec.scenario
    return {"samples": f"{spec.samples:,}", "sample_words": SAMPLE_WORDS[spec.method],
            "reps": plural(spec.reps, "replicate"),
            "scenario": scenario.name if scenario else "(test function)",
            "baseline": spec.baseline.name if spec.paired else "",
            "small_m": small_m(spec),  # first: it qualifies every index below
            "dates": dates(spec) if scenario else None,
            "units": units_text(spec) if scenario else "",
            "signs": signs(spec) if scenario else None,
            "scaled": scaled_factors(spec), "seeds": seeds(spec),
            "runs": ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items())),
            "second_order": has_second_order(spec), "second_order_file": SECOND_ORDER}


def _top_table(spec: SweepSpec, frame: pd.DataFrame) -> Table:
    """The five largest indices; a half-width that is no interval reads n/a, not 0."""
    top = frame.sort_values(MAIN[spec.method], ascending=False).head(5).drop(columns="outcome")
    for col in interval_columns(spec):
        top[f"{col}_conf"] = top[f"{col}_conf"].where(usable_interval(top[col],
                                                                      top[f"{col}_conf"]))
    return frame_table(top, fmt)


def outcome_section(spec: SweepSpec, result: Analysis, outcome: str, frame: pd.DataFrame,
                    figures: dict[str, bytes]) -> dict[str, Any]:
    """One outcome's largest indices, convergence, warnings, pair indices and figures."""
    main = MAIN[spec.method]
    conv = result.convergence[result.convergence["outcome"] == outcome]
    stable, convergence = True, None
    if len(conv):
        worst = conv["difference"].abs().max()
        scale = conv["full"].abs().max() or 1.0
        stable = worst <= CONVERGED * scale
        convergence = {"main": main, "worst": fmt(worst), "share": f"{100 * worst / scale:.0f}",
                       "verdict": "stable" if stable else "not yet stable"}
    missing = missing_intervals(spec, frame)
    fast = fast_too_small(spec)
    reasons = [*([fast] if fast else []),
               *(["some indices fall outside 0 to 1, which shares of variance cannot"]
                 if out_of_range(spec, frame) else []),
               *([f"{main} still moves when the sample is halved"] if not stable else []),
               *(["some indices have no usable interval"]
                 if missing and spec.method == "fast" else [])]
    return {"name": outcome, "constant": None, "left_out": result.left_out.get(outcome, ""),
            "table": _top_table(spec, frame), "convergence": convergence,
            "missing": ", ".join(missing),
            "too_small": too_small(spec, "; ".join(reasons)) if reasons else None,
            "pairs": pairs_section(result, outcome),
            "figures": [embed(figures[n], n) for n in figure_names(outcome) if n in figures]}


def pairs_section(result: Analysis, outcome: str) -> dict[str, Any] | None:
    """The largest second-order indices of one outcome, and where to find all of them."""
    if result.second_order is None:
        return None
    pairs = result.second_order[result.second_order["outcome"] == outcome]
    top = pairs.sort_values("S2", ascending=False).head(TOP_PAIRS).drop(columns="outcome")
    return {"shown": min(TOP_PAIRS, len(pairs)), "total": len(pairs), "file": SECOND_ORDER,
            "table": frame_table(top, fmt)}


def discovery_section(discovery: pd.DataFrame, total: int) -> dict[str, Any]:
    """The boxes, and for each question whether it rests on part of the ``total`` sample rows
    (rows without a value for the outcome are left out, as in the outcome's indices) or on
    too few rows to trust."""
    from lead_sim.sensitivity.discovery import NO_BOX, small_sample_note

    questions = []
    for question, rows in discovery.groupby("question", sort=False):
        n = int(rows["sample_rows"].iloc[0])
        questions.append({"question": question, "rows": f"{n:,}", "part": n < total,
                          "note": small_sample_note(n, round(float(rows["base_rate"].iloc[0])
                                                             * n))})
    return {"no_box": NO_BOX, "total": f"{total:,}", "questions": questions,
            "table": frame_table(discovery, fmt)}
