"""Running a paired comparison of scenarios and writing its report folder.

Every scenario runs the same seeds (``seed .. seed + n - 1``) so replicates pair up by common
random numbers; runs go through :func:`lead_sim.runs.executors.run_tasks`, so the numbers do not
depend on the number of workers. With a precision target, batches of replicates are added until
every headline difference is pinned down or a cap is reached. Nothing is written until every run
has finished, and a folder holding a different comparison is never overwritten.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lead_sim.calibration import DEFAULT, Calibrated, replicate_draw, resolve
from lead_sim.errors import LeadSimError
from lead_sim.outcomes import analysis
from lead_sim.outcomes.equity_table import equity_table, with_indices
from lead_sim.outcomes.intercepts import intercept_table
from lead_sim.outcomes.measures import mark_extrapolated
from lead_sim.params import Params
from lead_sim.runs import display, io
from lead_sim.runs.branching import simulate_tree
from lead_sim.runs.executors import run_tasks
from lead_sim.runs.io import csv_writer, json_writer, write_folder
from lead_sim.runs.manifest import build_manifest
from lead_sim.runs.runner import (
    RunResult,
    calibration_fields,
    check_comparable,
    check_seeds,
    prepare,
)
from lead_sim.scenarios import Scenario
from lead_sim.scenarios.notices import horizon_notices
from lead_sim.service_table import SERVICES

DEFAULT_MAX_REPS = 200
#: Event kinds whose distinct people are counted when runs keep their event log.
PEOPLE_KINDS = ("social_referral", "intake", "arrest", "arrest_diversion", "in_lieu_referral",
                "booking", "charge", "conviction", "jail_release", "prison_release",
                "supervision_violation")
#: Daily stocks averaged over the run (people on an average day).
AVERAGES = {"avg_lead_caseload": ("lead_active", "lead_inactive"),
            "avg_lead_waitlist": ("lead_waitlist",), "avg_jail_population": ("jail_population",),
            "avg_prison_population": ("prison_population",),
            **{f"avg_{s.occupancy}": (s.occupancy,) for s in SERVICES},  # avg_in_treatment ...
            "avg_on_supervision": ("on_supervision",)}


# ---- one seed, in a worker ----------------------------------------------------------------------
def replicate(task: tuple[list[Scenario], int, bool]) -> list[tuple[dict[str, Any], pd.DataFrame,
                                                                     pd.DataFrame]]:
    """Run one seed of every scenario; return each summary row (with extras), time series and
    outcomes by group.

    The scenarios run as a tree (:func:`lead_sim.runs.branching.simulate_tree`): days they share are
    simulated once. The event log, when kept for ``people`` counts, stays in the worker.
    """
    scenarios, seed, people = task
    runs = simulate_tree(scenarios, seed, keep_events=people)
    return [(_row(scn, runs[scn.name], people), runs[scn.name].timeseries, runs[scn.name].equity)
            for scn in scenarios]


def _row(scenario: Scenario, result: RunResult, people: bool) -> dict[str, Any]:
    """The summary row plus people on an average day (``avg_*``), the jail cost split into
    booking and bed-days, and with ``people`` distinct people per event kind (``people_*``)."""
    row = dict(result.summary)
    ts = result.timeseries
    for name, cols in AVERAGES.items():
        row[name] = float(ts[list(cols)].sum(axis=1).mean())
    p = Params.with_overrides(scenario.params)
    row["cost_booking"] = float(ts["bookings"].to_numpy() @ daily_values(scenario, "booking_cost",
                                                                         len(ts)))
    row["cost_jail_beds"] = row["cost_jail"] - row["cost_booking"]
    row["cost_jail_beds_marginal"] = row["jail_bed_days"] * p["jail_marginal_bed_day_cost"]
    if people:
        counts = result.events.groupby("kind", observed=False)["person"].nunique()
        row.update({f"people_{k}": int(counts.get(k, 0)) for k in PEOPLE_KINDS})
    return row


def daily_values(scenario: Scenario, name: str, days: int) -> np.ndarray:
    """The value of parameter ``name`` on each simulated day: its start value, then each dated
    change from its day on (as the model applies them, before the day's events)."""
    values = np.full(days, float(Params.with_overrides(scenario.params)[name]))
    for entry in scenario.dated_changes(name):
        values[scenario.day_of(entry):] = float(entry.set[name])
    return values


# ---- the comparison ---------------------------------------------------------------------------
@dataclass
class Comparison:
    """A finished comparison: replicate runs, the comparison and SIM tables, the manifest, and
    the outcomes by group (``equity_runs`` per replicate, RRIs included; ``equity`` the table
    of means, intervals and paired differences)."""

    baseline: str
    scenarios: list[str]
    summary: pd.DataFrame
    timeseries: pd.DataFrame
    table: pd.DataFrame
    intercepts: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    equity_runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    equity: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def reps(self) -> int:
        return int(self.summary.groupby("scenario").size().min())

    def __repr__(self) -> str:
        return (f"Comparison(baseline={self.baseline!r}, scenarios={self.scenarios!r}, "
                f"reps={self.reps}, days={display.days(self.timeseries)}, "
                f"outcomes={len(self.table)})")

    def _repr_html_(self) -> str:
        """Notebooks: scenarios, replicates and headline outcomes (means over replicates);
        the paired differences are in :attr:`table`."""
        return display.html_table(self.summary, f"Comparison with baseline {self.baseline}: "
                                                f"{self.reps} paired replicate(s) per scenario")

    def write(self, out_dir: str | Path) -> Path:
        """Write the report folder (see ``docs/compare.md``) atomically."""
        from lead_sim.reports.compare import report_files

        check_out_dir(out_dir, self.manifest["comparison"])
        return write_folder(out_dir, {
            "comparison.csv": csv_writer(self.table),
            "intercepts.csv": csv_writer(self.intercepts),
            "equity.csv": csv_writer(self.equity),
            "runs/summary.csv": csv_writer(self.summary),
            "runs/timeseries.csv": csv_writer(self.timeseries),
            "runs/equity.csv": csv_writer(self.equity_runs),
            "manifest.json": json_writer(self.manifest),
            **report_files(self),
        })


def comparison_key(baseline: str, scenarios: Sequence[str], **options: Any) -> dict[str, Any]:
    """What identifies a comparison: a folder may only be rewritten by the same one."""
    return json.loads(json.dumps({"baseline": baseline, "scenarios": list(scenarios), **options},
                                 default=str))


def check_out_dir(out_dir: str | Path, key: Mapping[str, Any]) -> None:
    """Refuse a folder that holds anything other than this same comparison."""
    io.check_out_dir(out_dir, key, field="comparison", what="comparison")


def prepare_comparison(baseline: str, scenarios: Sequence[str], reps: int,
                       precision: float | None, max_reps: int | None,
                       draws: Sequence[Mapping[str, Any]] | None = None,
                       **run_options: Any) -> list[Scenario]:
    """Check every input (posterior draws too) and return the prepared scenarios (baseline
    first)."""
    if reps < 2:
        raise LeadSimError(f"--reps must be at least 2 to give an interval; got {reps}.")
    if not scenarios:
        raise LeadSimError("Give at least one SCENARIO to compare with the BASELINE.")
    names = [baseline, *scenarios]
    prepared = [prepare(name, **run_options) for name in names]
    check_comparable(names, prepared)
    if precision is not None and not precision > 0:
        raise LeadSimError(f"--precision must be positive; got {precision}.")
    if max_reps is not None and precision is None:
        raise LeadSimError("--max-reps caps the replicates that --precision adds; give "
                           "--precision P too, or use --reps alone.")
    if max_reps is not None and max_reps < reps:
        raise LeadSimError(f"--max-reps ({max_reps}) must be at least --reps ({reps}).")
    rates = _jail_costs(prepared)
    for i, draw in enumerate(draws or ()):
        for scn in prepared:
            p = Params.with_overrides({**scn.params, **draw},
                                      f"scenario '{scn.name}' with posterior draw {i + 1}")
            if (p["jail_bed_day_cost"], p["jail_marginal_bed_day_cost"]) != rates[scn.name]:
                raise LeadSimError(
                    f"Posterior draw {i + 1} changes a jail bed-day cost; compare re-prices "
                    "bed-days with one rate per scenario, so it cannot use such draws.")
    return prepared


def draw_options(draws: Sequence[Mapping[str, Any]] | None) -> dict[str, Any]:
    """The comparison-key entry for posterior draws (none without them, so keys of folders
    written without draws stay as they were)."""
    return {"posterior_draws": [dict(d) for d in draws]} if draws else {}


def _with_draw(prepared: list[Scenario], r: int,
               draws: Sequence[Mapping[str, Any]] | None) -> list[Scenario]:
    """Replicate ``r``'s scenarios: all start from posterior draw ``r`` (reused in order if
    there are fewer draws than replicates), so pairs share parameters as well as the seed."""
    if not draws:
        return prepared
    return [scn.with_params(replicate_draw(draws, r)) for scn in prepared]


def _run_batch(prepared: list[Scenario], seeds: list[int], first_seed: int, people: bool,
               workers: int, progress: Callable[[int], None] | None,
               draws: Sequence[Mapping[str, Any]] | None) -> list[tuple]:
    """One task per seed (all scenarios of it); results flattened in seed order."""
    tasks = [(_with_draw(prepared, s - first_seed, draws), s, people) for s in seeds]
    out: list[Any] = [None] * len(tasks)
    for i, result in run_tasks(replicate, tasks, "local", workers):
        out[i] = result
        if progress:
            progress(len(prepared))
    return [pair for per_seed in out for pair in per_seed]


def run_comparison(baseline: str, scenarios: list[str], *, reps: int, seed: int,
                   years: float | None, population: int | None,
                   overrides: Mapping[str, Any] | None, workers: int,
                   precision: float | None, max_reps: int | None, people: bool,
                   progress: Callable[[int], None] | None = None,
                   on_batch: Callable[[int, list[str], int], None] | None = None,
                   draws: Sequence[Mapping[str, Any]] | None = None,
                   calibrated: str | Path | Calibrated | None = DEFAULT,
                   out_dir: str | Path | None = None) -> Comparison:
    """Run the comparison; ``on_batch(n_reps, imprecise, more)`` reports each precision check
    and how many replicates per scenario the next batch adds (0 when the run stops).

    ``draws`` (parameter sets, e.g. a calibrated posterior) makes replicate r of every
    scenario start from ``replicate_draw(draws, r)``, so the differences span parameter
    uncertainty as well as noise (:func:`posterior_draws`). ``calibrated`` is what the
    scenarios start from (:func:`lead_sim.runs.runner.prepare`); the manifest names it and the
    parameters whose values it set (not overridden), so the report can say which values were
    fitted. An ``out_dir`` that holds anything but this comparison is refused before any run.
    """
    run_options = {"years": years, "population": population, "overrides": dict(overrides or {}),
                   "calibrated": calibrated}
    prepared = prepare_comparison(baseline, scenarios, reps, precision, max_reps, draws,
                                  **run_options)
    cap = (max_reps or max(DEFAULT_MAX_REPS, reps)) if precision else reps
    seed = check_seeds(seed, cap)
    key = comparison_key(prepared[0].name, [s.name for s in prepared[1:]], seed=seed,
                         reps=reps, precision=precision, max_reps=max_reps, people=people,
                         **draw_options(draws),
                         **{**run_options, "calibrated": prepared[0].calibrated})
    if out_dir is not None:
        check_out_dir(out_dir, key)
    results: list[tuple] = []
    n = 0
    while True:
        batch = list(range(seed + n, seed + min(n + reps, cap)))
        results += _run_batch(prepared, batch, seed, people, workers, progress, draws)
        n += len(batch)
        comparison = _assemble(prepared, results, seed)
        if precision is None:
            break
        loose = analysis.imprecise(comparison.table, prepared[0].name, precision)
        more = min(reps, cap - n) if loose else 0
        if on_batch:
            on_batch(n, loose, more)
        if not more:
            break
    comparison.manifest = _manifest(prepared, key, n, seed, precision, comparison, draws)
    comparison.manifest.update(calibration_fields(prepared))
    cal = resolve(prepared[0].calibrated) if prepared[0].calibrated != "none" else None
    fitted = {*cal.params, *(k for d in draws or () for k in d)} if cal else set()
    comparison.manifest["calibrated_params"] = sorted(fitted - set(overrides or {}))
    comparison.manifest["uncertainty"] = (
        f"parameter sets drawn from the posterior of the calibration ({prepared[0].calibrated}),"
        " one per replicate and the same for every scenario, and seeds" if draws
        else "seeds only (sampling noise; parameters fixed)")
    comparison.manifest["notices"] = horizon_notices([baseline, *scenarios], prepared, years)
    return comparison


def _assemble(prepared: list[Scenario], results: list[tuple], seed: int) -> Comparison:
    order = {s.name: i for i, s in enumerate(prepared)}
    summary = pd.DataFrame([r[0] for r in results])
    summary = summary.sort_values(["scenario", "seed"], key=lambda c: c.map(order)
                                  if c.name == "scenario" else c, kind="stable")
    summary = analysis.add_marginal_costs(summary.reset_index(drop=True), _jail_costs(prepared))
    timeseries = mark_extrapolated(pd.concat([r[1] for r in results], ignore_index=True))
    table = analysis.comparison_table(summary, prepared[0].name, seed)
    equity_runs = with_indices(pd.concat([r[2] for r in results], ignore_index=True))
    return Comparison(prepared[0].name, [s.name for s in prepared[1:]], summary, timeseries,
                      table, intercept_table(table), equity_runs=equity_runs,
                      equity=equity_table(equity_runs, prepared[0].name))


def _jail_costs(prepared: list[Scenario]) -> dict[str, tuple[float, float]]:
    """(average, marginal) jail cost per bed-day per scenario, from its starting parameters."""
    out = {}
    for scn in prepared:
        p = Params.with_overrides(scn.params)
        out[scn.name] = (p["jail_bed_day_cost"], p["jail_marginal_bed_day_cost"])
        if any({"jail_bed_day_cost", "jail_marginal_bed_day_cost"} & set(e.set)
               for e in scn.timeline):
            raise LeadSimError(f"Scenario '{scn.name}' changes a jail bed-day cost in its "
                               "timeline; compare re-prices bed-days with one rate per scenario.")
    return out


def _manifest(prepared: list[Scenario], key: dict[str, Any], n: int, seed: int,
              precision: float | None, comparison: Comparison,
              draws: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    loose = (analysis.imprecise(comparison.table, prepared[0].name, precision)
             if precision else [])
    return build_manifest(
        kind="lead-sim compare", comparison=key, reps_used=n,
        seeds=list(range(seed, seed + n)), imprecise=loose,
        precision_reached=(not loose) if precision else None,
        scenarios=[s.to_dict() for s in prepared],
        params={s.name: dict(Params.with_overrides(s.params)) for s in prepared},
        pairing=f"common random numbers: replicate r (counting from 1) of every scenario uses "
                f"seed N + r - 1 with N = {seed}" + (" and posterior draw r" if draws else ""),
        posterior_draws=[dict(d) for d in draws] if draws else None,
        interval="95% Student-t interval of the mean over replicates (ratios: paired "
                 "percentile bootstrap)",
    )


def posterior_draws(calibrated: str | Path | Calibrated | None,
                    overrides: Mapping[str, Any] | None = None) -> list[dict[str, Any]] | None:
    """The calibration's posterior sample, with ``overrides`` winning over every draw (None
    without a calibration)."""
    cal = resolve(calibrated)
    return [{**d, **(overrides or {})} for d in cal.draws] if cal else None


def compare(baseline: str, scenarios: str | Sequence[str], *, reps: int = 10, seed: int = 0,
            years: float | None = None, population: int | None = None,
            overrides: Mapping[str, Any] | None = None, workers: int = 1,
            precision: float | None = None, max_reps: int | None = None,
            people: bool = False, progress: Callable[[int], None] | None = None,
            calibrated: str | Path | Calibrated | None = DEFAULT, seeds_only: bool = False
            ) -> Comparison:
    """Run BASELINE and each scenario with the same seeds and compare them (docs/compare.md).

    Replicate r of every scenario starts from draw r of the calibration's posterior, so the
    intervals carry parameter uncertainty as well as sampling noise; ``seeds_only`` fixes the
    parameters at the calibrated point instead. Returns a
    :class:`lead_sim.runs.comparison.Comparison` whose ``table`` is ``comparison.csv`` and
    ``intercepts`` the Sequential Intercept Model table; ``.write(dir)`` writes the report folder.
    """
    names = [scenarios] if isinstance(scenarios, str) else list(scenarios)
    draws = None if seeds_only else posterior_draws(calibrated, overrides)
    return run_comparison(baseline, names, reps=reps, seed=seed, years=years,
                          population=population, overrides=overrides, workers=workers,
                          precision=precision, max_reps=max_reps, people=people,
                          progress=progress, draws=draws, calibrated=calibrated)
