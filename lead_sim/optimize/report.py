"""A search's outputs: pareto.csv, evaluations.csv, report.html and manifest.json.

Written into the search folder in one swap (:func:`lead_sim.runs.io.write_folder`), which
carries the store over. The tables hold no timings, so a resumed search writes the same files
as an uninterrupted one (the manifest says how long this invocation took).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from lead_sim.optimize.config import BUDGET, OptimizeConfig, describe, objective_names
from lead_sim.optimize.front import evaluations_table, pareto_table
from lead_sim.optimize.policy import history_scenario
from lead_sim.optimize.results import SearchRun
from lead_sim.optimize.tradeoffs import front_sentences, money_sentences
from lead_sim.params import Params
from lead_sim.reports.html import embed, frame_table, png_bytes, render
from lead_sim.runs.io import csv_writer, json_writer, write_folder
from lead_sim.runs.manifest import build_manifest


def write_outputs(config: OptimizeConfig, run: SearchRun) -> Path:
    """Analyse the evaluated candidates and write every output file into the folder."""
    table = evaluations_table(config, run.candidates)
    front = pareto_table(config, run.candidates, table)
    manifest = manifest_for(config, run, len(front))
    figure = png_bytes(front_figure(config, table), manifest, "optimize")
    page = render("optimize.html.j2", __package__, manifest=manifest,
                  **page_context(config, run, table, front, figure))
    return write_folder(run.out_dir, {
        "pareto.csv": csv_writer(front),
        "evaluations.csv": csv_writer(table),
        "report.html": lambda path: path.write_text(page, encoding="utf-8"),
        "manifest.json": json_writer(manifest),
    })


def manifest_for(config: OptimizeConfig, run: SearchRun, front_size: int) -> dict[str, Any]:
    """What was searched, how, on which seeds, with what code; and this invocation's work."""
    import pymoo

    per_eval = run.cpu_seconds / run.ran if run.ran else None
    return build_manifest(
        kind="lead-sim optimize", config=config.name, config_file=config.source,
        scenario=config.scenario, history=run.history_name, start=config.start.isoformat(),
        years=config.years,
        population=Params.with_overrides(history_scenario(config).params)["population"],
        objectives=dict(config.objectives), budget_cap=config.budget_cap,
        variables={v.name: {"low": v.low, "high": v.high, "kind": v.kind,
                            "meaning": describe(v.name)} for v in config.variables},
        algorithm={"name": config.algorithm, "class": config.algorithm.upper(),
                   "pymoo": pymoo.__version__, "generations": config.generations,
                   "pop_size": config.pop_size},
        reps=config.reps, seed=config.seed,
        seeds=[config.seed + r for r in range(config.reps)],
        evaluations=run.total, front_size=front_size,
        last_invocation={"ran": run.ran, "resumed": run.resumed,
                         "seconds": round(run.seconds, 2),
                         "cpu_seconds_per_evaluation": round(per_eval, 3) if per_eval else None},
    )


def front_figure(config: OptimizeConfig, table: pd.DataFrame) -> Figure:
    """Each pair of objectives: every policy evaluated within the cap (grey) and the front."""
    names = list(config.objectives)
    pairs = list(itertools.combinations(names, 2)) or [(names[0], names[0])]
    fig = Figure(figsize=(4.2 * len(pairs), 4.0))
    ok = table[table["within_budget_cap"]]
    front = ok[ok["on_front"]]
    for k, (x, y) in enumerate(pairs):
        ax = fig.add_subplot(1, len(pairs), k + 1)
        ax.scatter(ok[x], ok[y], s=10, color="0.75", label="evaluated (within the cap)")
        ax.scatter(front[x], front[y], s=28, color="C3", label="Pareto front")
        ax.set_xlabel(f"{x} ({config.objectives[x]})")
        ax.set_ylabel(f"{y} ({config.objectives[y]})")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(FuncFormatter(_tick))
        if k == 0:
            ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig


def page_context(config: OptimizeConfig, run: SearchRun, table: pd.DataFrame,
                 front: pd.DataFrame, figure: bytes) -> dict[str, Any]:
    """Every value the template shows, as text, tables and figures."""
    shown = front.drop(columns=["noise_note"])
    descriptions = objective_names()
    clear = int(front["clear_of_noise"].sum())
    return {
        "config": config,
        "header": {
            "history": run.history_name, "evaluations": f"{run.total:,}",
            "candidates": f"{len(table):,}",
            "within_cap": f"{int(table['within_budget_cap'].sum()):,}",
            "front": len(front), "n_clear": clear, "seeds": ", ".join(
                str(config.seed + r) for r in range(config.reps)),
            "budget_cap": f"${config.budget_cap:,.0f}",
        },
        "objectives": [f"{name} ({sense}): {descriptions[name]}"
                       for name, sense in config.objectives.items()],
        "variables": [f"{v.name}, {v.low:,.10g} to {v.high:,.10g}: {describe(v.name)}"
                      for v in config.variables],
        "figure": embed(figure, "The Pareto front: each pair of objectives"),
        "front_table": frame_table(shown, _fmt),
        "noise": [f"Policy {p}: {note}." for p, note in zip(front["policy"], front["noise_note"],
                                                            strict=True)],
        "money": money_sentences(config, table),
        "along": front_sentences(config, front),
        "budget_column": BUDGET,
    }


def _tick(value: float, _position: int) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def _fmt(value: float) -> str:
    if not np.isfinite(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"
