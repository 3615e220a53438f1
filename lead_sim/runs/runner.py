"""Running scenarios: one replicate (:func:`simulate`) or many (:func:`run`).

Replicate ``r`` (counting from 0) of a run with seed ``s`` uses seed ``s + r``, for every
scenario alike, so runs of two scenarios with the same seed pair up replicate by replicate
(common random numbers). The CLI counts replicates from 1: replicate r uses seed N + r - 1.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lead_sim.calibration import DEFAULT, Calibrated, model_fingerprint, replicate_draw, resolve
from lead_sim.errors import LeadSimError
from lead_sim.model import LeadModel
from lead_sim.outcomes import equity as equity_outcomes
from lead_sim.outcomes.measures import mark_extrapolated, summary, timeseries
from lead_sim.params import Params
from lead_sim.runs import display
from lead_sim.runs.executors import compile_first, run_tasks
from lead_sim.runs.io import check_out_dir, csv_writer, json_writer, write_folder
from lead_sim.runs.manifest import build_manifest
from lead_sim.scenarios import Scenario
from lead_sim.scenarios.notices import past_evidence

# MIN_DAYS (the shortest horizon prepare() accepts) and the seed rules live below the model,
# which uses them too; they are importable from here as before
from lead_sim.scenarios.prepare import MIN_DAYS as MIN_DAYS
from lead_sim.scenarios.prepare import prepare_scenario
from lead_sim.scenarios.schema import EVIDENCE_END, EVIDENCE_SOURCE
from lead_sim.seeds import MAX_SEED as MAX_SEED
from lead_sim.seeds import check_seeds
from lead_sim.seeds import parse_seed as parse_seed

PROGRESS_EVERY = 365  # days between progress callbacks


def prepare(scenario: str | Path | Scenario, *, years: float | None = None,
            population: int | None = None,
            overrides: Mapping[str, Any] | None = None,
            calibrated: str | Path | Calibrated | None = DEFAULT) -> Scenario:
    """Load a scenario and apply run options, checking every value before anything runs
    (:func:`lead_sim.scenarios.prepare.prepare_scenario`, which :class:`LeadModel` calls too).

    Its start values begin from ``calibrated``: the shipped fit by default, another
    calibrated file, or None for the registry's defaults (:mod:`lead_sim.calibration`); the
    calibrated values replace the scenario's own start values, and ``overrides`` replace both.
    A scenario prepared already keeps the calibration it was prepared from.
    """
    return prepare_scenario(scenario, years=years, population=population, overrides=overrides,
                            calibrated=calibrated)


def calibration_fields(prepared: Sequence[Scenario]) -> dict[str, str]:
    """What a manifest records of the calibration the runs started from: its name ('shipped',
    a file, or 'none'), the model fingerprint it was fitted on, and the current model's."""
    name = prepared[0].calibrated or "none"
    cal = resolve(name) if name != "none" else None
    return {"calibrated": name, "calibration_fitted_on": cal.fitted_on if cal else "",
            "model_fingerprint": model_fingerprint()}


def check_comparable(inputs: Sequence[str | Path | Scenario], prepared: Sequence[Scenario]
                     ) -> None:
    """Refuse to set side by side scenarios that share a name or simulate different dates.

    Results are labelled by name, so two with one name would be mixed up. Differences and
    "averted" counts are totals over the run: a scenario that stops in 2011 would "avert"
    every arrest the baseline makes afterwards.
    """
    seen: dict[str, str] = {}  # name -> what the user gave for it
    for given, scn in zip(map(str, inputs), prepared, strict=True):
        if scn.name in seen:
            clash = (f"'{seen[scn.name]}' and '{given}' are both named '{scn.name}'"
                     if seen[scn.name] != given else f"'{scn.name}' is given twice")
            raise LeadSimError(f"Each scenario may appear once, baseline included: {clash}. "
                               "Give each scenario file its own 'name'.")
        seen[scn.name] = given
    first = prepared[0]
    for scn in prepared[1:]:
        if (scn.start_date, scn.end_date) != (first.start_date, first.end_date):
            raise LeadSimError(
                f"Scenarios to compare must simulate the same dates: '{first.name}' runs "
                f"{first.start_date} to {first.end_date}, '{scn.name}' {scn.start_date} to "
                f"{scn.end_date}. Give them the same start_date and end_date (--years cuts "
                "both at the same number of years from their start).")


@dataclass
class RunResult:
    """One replicate: its summary row, daily time series, (optionally) its event log, and its
    outcomes by race/ethnicity group (:func:`lead_sim.outcomes.equity.by_group`)."""

    summary: dict[str, Any]
    timeseries: pd.DataFrame
    events: pd.DataFrame | None = None
    equity: pd.DataFrame | None = None


def simulate(scenario: Scenario, seed: int, *, keep_events: bool = False,
             on_progress: Callable[[int], None] | None = None) -> RunResult:
    """Run one replicate of a prepared scenario to its end date."""
    model = LeadModel(scenario, check_seeds(seed), keep_events=keep_events)
    while model.running:
        before = model.day
        model.simulate_until(before + PROGRESS_EVERY if on_progress else model.days)
        if on_progress:
            on_progress(model.day - before)
    model.finish()
    events = model.events.to_frame() if keep_events else None
    return RunResult(summary(model), timeseries(model), events, equity_outcomes.by_group(model))


def _simulate_task(task: tuple[Scenario, int]) -> RunResult:
    scenario, seed = task
    return simulate(scenario, seed)


# The manifest entries that decide a run's numbers, named when a folder holding another is refused.
RUN_SETTINGS = ("scenarios", "params", "seeds", "reps", "years", "population", "posterior_draws")


@dataclass
class Results:
    """Replicates of one or more scenarios, with the manifest that describes them."""

    summary: pd.DataFrame
    timeseries: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    equity: pd.DataFrame | None = None  # outcomes by group (equity.csv)

    def __repr__(self) -> str:
        return (f"Results(scenarios={display.scenario_names(self.summary)!r}, "
                f"replicates={len(self.summary)}, days={display.days(self.timeseries)})")

    def _repr_html_(self) -> str:
        """Notebooks: scenarios, replicates and headline outcomes (means over replicates)."""
        return display.html_table(self.summary, f"Results: {len(self.summary)} replicate(s), "
                                                f"{display.days(self.timeseries)} days each")

    def write(self, out_dir: str | Path) -> Path:
        """Write summary.csv, timeseries.csv, equity.csv and manifest.json into ``out_dir``
        atomically.

        A folder holding anything but these same runs is refused, as ``lead-sim compare`` does.
        """
        if "run_key" in self.manifest:
            settings = {k: self.manifest[k] for k in RUN_SETTINGS if k in self.manifest}
            check_out_dir(out_dir, self.manifest["run_key"], field="run_key", what="run",
                          settings=settings)
        return write_folder(out_dir, {
            "summary.csv": csv_writer(self.summary),
            "timeseries.csv": csv_writer(self.timeseries),
            **({"equity.csv": csv_writer(self.equity)} if self.equity is not None else {}),
            "manifest.json": json_writer(self.manifest),
        })


def run_key(scenarios: list[Scenario], seeds: list[int],
            draws: list[Mapping[str, Any]] | None = None) -> str:
    """What identifies a run's results: the prepared scenarios (timeline, parameters, horizon),
    the seeds and any posterior draws, hashed. An --out folder may only be rewritten by the same
    run, so rerunning a command is safe but other results are never overwritten."""
    data = {"scenarios": [s.to_dict() for s in scenarios], "seeds": list(seeds),
            "draws": [dict(d) for d in draws] if draws else None}
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run(scenarios: str | Path | Scenario | list, *, seed: int = 0, reps: int = 1,
        years: float | None = None, population: int | None = None,
        overrides: Mapping[str, Any] | None = None, workers: int = 1,
        progress: Callable[[int], None] | None = None,
        draws: list[Mapping[str, Any]] | None = None,
        calibrated: str | Path | Calibrated | None = DEFAULT,
        out_dir: str | Path | None = None) -> Results:
    """Run ``reps`` replicates of each scenario with seeds ``seed .. seed + reps - 1``.

    ``progress`` is called with a number of simulated days done (serial runs) or with a
    scenario's whole horizon as each replicate finishes (parallel runs). ``draws`` (parameter
    sets, e.g. from a calibrated posterior) makes replicate r of every scenario start from
    :func:`replicate_draw`, so results span parameter uncertainty as well as noise.
    ``calibrated`` is what the scenarios start from (see :func:`prepare`).
    """
    if reps < 1:
        raise LeadSimError(f"--reps must be at least 1; got {reps}.")
    seed = check_seeds(seed, reps)
    items = scenarios if isinstance(scenarios, list) else [scenarios]
    prepared = [prepare(s, years=years, population=population, overrides=overrides,
                        calibrated=calibrated) for s in items]
    check_comparable(items, prepared)  # results are labelled by name: one name, one scenario
    seeds = [seed + r for r in range(reps)]
    draws = [dict(d) for d in draws] if draws else None
    tasks = [(scn.with_params(replicate_draw(draws, r)) if draws else scn, s)
             for scn in prepared for r, s in enumerate(seeds)]
    for scn, _ in tasks if draws else ():  # every draw is checked before anything runs
        Params.with_overrides(scn.params, f"scenario '{scn.name}' with a posterior draw")
    described = {  # what the manifest records of the run: a refused folder's differences
        "scenarios": [scn.to_dict() for scn in prepared],
        "params": {scn.name: dict(Params.with_overrides(scn.params)) for scn in prepared},
        "seeds": seeds, "reps": reps, "years": years, "population": population,
        "posterior_draws": draws,
    }
    if out_dir is not None:
        check_out_dir(out_dir, run_key(prepared, seeds, draws), field="run_key", what="run",
                      settings=described)
    results: list[RunResult | None] = [None] * len(tasks)
    compile_first("local", None)
    if workers == 1:
        for i, task in enumerate(tasks):
            results[i] = simulate(*task, on_progress=progress)
    else:
        for i, result in run_tasks(_simulate_task, tasks, "local", workers):
            results[i] = result
            if progress:
                progress(tasks[i][0].days)
    manifest = build_manifest(kind="lead-sim run", run_key=run_key(prepared, seeds, draws),
                              **described, **calibration_fields(prepared),
                              evidence_end=f"{EVIDENCE_END} ({EVIDENCE_SOURCE})",
                              notices=past_evidence(prepared))
    return Results(
        summary=pd.DataFrame([r.summary for r in results]),
        timeseries=mark_extrapolated(pd.concat([r.timeseries for r in results],
                                               ignore_index=True)),
        manifest=manifest,
        equity=pd.concat([r.equity for r in results], ignore_index=True),
    )
