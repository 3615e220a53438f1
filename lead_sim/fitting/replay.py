"""Replicates of the evaluation replay: run the pilot, form the cohorts, estimate, summarise.

Shared by ``lead-sim validate`` (many replicates of one parameter set) and ``lead-sim
calibrate`` (a few replicates of many candidate sets). A replicate runs in a worker and sends
back only its figures, never its event log, so memory stays small however many run at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lead_sim.calibration import DEFAULT, Calibrated, replicate_draw
from lead_sim.errors import LeadSimError
from lead_sim.fitting.system import system_figures
from lead_sim.fitting.validation import ENROL_END, FOLLOW_END, evaluate, summarise, with_verdicts
from lead_sim.params import Params
from lead_sim.runs.executors import run_tasks
from lead_sim.runs.io import check_out_dir, csv_writer, json_writer, write_folder
from lead_sim.runs.manifest import build_manifest
from lead_sim.runs.runner import calibration_fields, check_seeds, prepare, run_key, simulate
from lead_sim.scenarios import Scenario

MIN_POPULATION = 5_000  # below this the cohorts hold a few dozen people and the ORs are noise
CASELOAD_DAYS = 365  # caseload is averaged over the last year of the enrolment window


def pilot_scenario(scenario: str | Path | Scenario = "pilot_2011", *,
                   population: int | None = None,
                   overrides: Mapping[str, Any] | None = None,
                   min_population: int = MIN_POPULATION,
                   calibrated: str | Path | Calibrated | None = DEFAULT) -> Scenario:
    """The scenario, checked, run only to the end of follow-up (later days change nothing)."""
    scn = prepare(scenario, population=population, overrides=overrides, calibrated=calibrated)
    people = Params.with_overrides(scn.params)["population"]
    if people < min_population:
        raise LeadSimError(
            f"A population of {people:,} is too small to form the evaluation's cohorts; use "
            f"--population {min_population:,} or more (the registry default is "
            f"{Params()['population']:,}).")
    if scn.end_date > FOLLOW_END:
        scn = dataclasses.replace(scn, end_date=FOLLOW_END)
    return scn


def replicate(task: tuple[Scenario, int, bool]) -> dict[str, float]:
    """One replicate's evaluation figures plus the run's calibration statistics.

    ``rearrest_12m`` is the run's share of police-contact episodes re-arrested within 12 months;
    ``caseload`` the mean participants per case manager over the last year of enrolment;
    ``n_lead_reference`` the LEAD cohort scaled to the reference population the scenario's
    budgets are set for (what the published 203 counts); and the system-level figures of
    :func:`lead_sim.fitting.system.system_figures` (jail use and bookings).
    """
    scenario, seed, sample = task
    result = simulate(scenario, seed, keep_events=True)
    row = {"seed": seed, **evaluate(result.events, scenario, seed, sample=sample)}
    p = Params.with_overrides(scenario.params)
    row["n_lead_reference"] = row["n_lead"] * p["reference_population"] / p["population"]
    row["rearrest_12m"] = float(result.summary["rearrest_12m"])
    row["caseload"] = _caseload(result.timeseries, scenario)
    row.update(system_figures(result.timeseries, scenario))
    return row


def _caseload(ts: pd.DataFrame, scenario: Scenario) -> float:
    last = (min(ENROL_END, scenario.end_date) - scenario.start_date).days
    window = ts[(ts["day"] > last - CASELOAD_DAYS) & (ts["day"] <= last)
                & (ts["case_managers"] > 0)]
    if window.empty:
        return float("nan")
    return float(((window["lead_active"] + window["lead_inactive"])
                  / window["case_managers"]).mean())


@dataclass
class Validation:
    """Replicate figures, the summary table against the published values, and the manifest."""

    replicates: pd.DataFrame
    table: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)

    def write(self, out_dir: str | Path) -> Path:
        """validation.csv, replicates.csv, validation.html and manifest.json, atomically."""
        from lead_sim.fitting.validation_report import report_html

        if "run_key" in self.manifest:
            check_out_dir(out_dir, self.manifest["run_key"], field="run_key", what="validation")
        page = report_html(self)
        return write_folder(out_dir, {
            "validation.csv": csv_writer(self.table),
            "replicates.csv": csv_writer(self.replicates),
            "validation.html": lambda p: p.write_text(page, encoding="utf-8"),
            "manifest.json": json_writer(self.manifest),
        })


def run_validation(scenario: Scenario, *, seed: int = 0, reps: int = 10, workers: int = 1,
                   progress: Callable[[int], None] | None = None,
                   draws: list[dict[str, Any]] | None = None,
                   out_dir: str | Path | None = None) -> Validation:
    """Replay the evaluation ``reps`` times with seeds ``seed .. seed + reps - 1``.

    ``draws`` (parameter sets from a calibrated posterior) makes replicate i run with
    :func:`~lead_sim.calibration.replicate_draw`, so the intervals span parameter uncertainty as
    well as noise. Every draw, and ``out_dir`` (which may hold only this same validation),
    are checked before any replay runs.
    """
    seed = check_seeds(seed, reps)
    seeds = [seed + r for r in range(reps)]
    tasks = []
    for r, s in enumerate(seeds):
        scn = scenario.with_params(replicate_draw(draws, r)) if draws else scenario
        if draws:
            Params.with_overrides(scn.params, f"scenario '{scn.name}' with posterior draw {r + 1}")
        tasks.append((scn, s, True))
    if out_dir is not None:
        check_out_dir(out_dir, run_key([scenario], seeds, draws), field="run_key",
                      what="validation")
    rows: list[dict[str, float] | None] = [None] * reps
    for i, row in run_tasks(replicate, tasks, "local", workers):
        rows[i] = row
        if progress:
            progress(1)
    frame = pd.DataFrame(rows)
    manifest = build_manifest(
        kind="lead-sim validate", run_key=run_key([scenario], seeds, draws),
        scenario=scenario.to_dict(), params=dict(Params.with_overrides(scenario.params)),
        seeds=seeds, reps=reps, **calibration_fields([scenario]), posterior_draws=draws,
        controls="random sample at the evaluation's ratio 115/203 per replicate",
        weighting="controls weighted to the LEAD cohort's pre-entry arrest strata (ATT)",
        interval="2.5th to 97.5th percentile over replicates")
    p = Params.with_overrides(scenario.params)
    table = with_verdicts(summarise(frame.to_dict("records")),
                          p["reference_population"] / p["population"])
    return Validation(frame, table, manifest)


def mean_stats(rows: list[dict[str, float]], names: list[str]) -> dict[str, float]:
    """Mean over replicates of each named statistic (NaN-aware)."""
    frame = pd.DataFrame(rows)
    return {n: float(np.nanmean(frame[n].astype(float))) if frame[n].notna().any()
            else float("nan") for n in names}
