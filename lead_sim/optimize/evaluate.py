"""Evaluating one candidate policy with one seed, in a worker: fork the shared history, run on.

Every candidate of a search shares the base scenario's history up to the policy start, and
every candidate is run on the same seeds (common random numbers). So a worker simulates the
history of a seed once, keeps the model at the start day (:data:`_HISTORIES`, per process,
a few seeds at most), and for each candidate copies it, switches it to the candidate's
timeline and runs the policy period (:mod:`lead_sim.runs.branching` does the same for
scenarios that extend each other; the numbers are exactly those of a run from day 0, which
``tests/test_optimize.py`` checks).

Outcomes are measured over the policy period only: the run's summary at the end minus the
history's at the start, for counts and costs, scaled to the county (reference_population /
population) and per year; the re-arrest shares are those of the follow-up windows that ended
in the policy period (re-arrested and ended windows, each counted as a difference).
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from lead_sim.model import LeadModel
from lead_sim.outcomes.measures import summary
from lead_sim.params import Params
from lead_sim.scenarios import Scenario

#: Histories a worker keeps (one per seed of the search: the default search has 5).
MAX_HISTORIES = 12
_HISTORIES: OrderedDict[str, tuple[LeadModel, dict[str, Any]]] = OrderedDict()
RATE = "rearrest_"
NOT_OUTCOMES = ("scenario", "seed", "days", "person_days")


@dataclass(frozen=True)
class Task:
    """One evaluation: candidate ``index`` of generation ``generation``, replicate ``rep``."""

    generation: int
    index: int
    rep: int
    seed: int
    history: Scenario
    start_day: int
    candidate: Scenario


def evaluate(task: Task) -> dict[str, Any]:
    """The candidate's outcomes over the policy period for the task's seed, with the time it
    took (wall and CPU seconds, the history's CPU seconds included when this worker had to
    simulate it, and given apart)."""
    wall, cpu = time.perf_counter(), time.process_time()
    model, at_start = _history(task.history, task.start_day, task.seed)
    history_cpu = time.process_time() - cpu
    fork = copy.deepcopy(model)
    fork.follow(task.candidate)
    fork.run()
    fork.finish()
    outcomes = policy_period(with_marginal_costs(summary(fork), fork), at_start,
                             task.history, task.start_day)
    return {"generation": task.generation, "index": task.index, "rep": task.rep,
            "seed": task.seed, "outcomes": outcomes,
            "seconds": time.perf_counter() - wall, "cpu_seconds": time.process_time() - cpu,
            "history_cpu_seconds": history_cpu}


def _history(history: Scenario, start_day: int, seed: int) -> tuple[LeadModel, dict[str, Any]]:
    key = _key(history, start_day, seed)
    if key in _HISTORIES:
        _HISTORIES.move_to_end(key)
        return _HISTORIES[key]
    model = LeadModel(history, seed)
    model.simulate_until(start_day)
    entry = (model, with_marginal_costs(summary(model), model))
    _HISTORIES[key] = entry
    while len(_HISTORIES) > MAX_HISTORIES:
        _HISTORIES.popitem(last=False)
    return entry


def _key(history: Scenario, start_day: int, seed: int) -> str:
    text = json.dumps([history.definition(), start_day, seed], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def with_marginal_costs(row: dict[str, Any], model: LeadModel) -> dict[str, Any]:
    """The summary with jail and total cost re-priced at the marginal bed-day rate, as
    :func:`lead_sim.outcomes.analysis.add_marginal_costs` does for comparisons."""
    gap = model.p["jail_bed_day_cost"] - model.p["jail_marginal_bed_day_cost"]
    return {**row, "cost_jail_marginal": row["cost_jail"] - row["jail_bed_days"] * gap,
            "cost_total_marginal": row["cost_total"] - row["jail_bed_days"] * gap}


def policy_period(end: dict[str, Any], start: dict[str, Any], history: Scenario,
                  start_day: int) -> dict[str, float]:
    """Outcomes of the days from ``start_day`` on: see the module docstring."""
    values = Params.with_overrides(history.params)
    scale = values["reference_population"] / values["population"]
    years = (history.days - start_day) / 365.25
    out: dict[str, float] = {}
    for name, value in end.items():
        if name in NOT_OUTCOMES or isinstance(value, str):
            continue
        if name.startswith(RATE):
            out[name] = _rate(name, end, start)
        else:
            out[name] = (float(value) - float(start[name])) * scale / years
    return out


def _rate(name: str, end: dict[str, Any], start: dict[str, Any]) -> float:
    cohort = "cohort_" + name.removeprefix(RATE)

    def count(row: dict[str, Any]) -> tuple[int, int]:
        n, share = int(row[cohort]), float(row[name])
        return n, (round(share * n) if n and not math.isnan(share) else 0)

    (n1, k1), (n0, k0) = count(end), count(start)
    return (k1 - k0) / (n1 - n0) if n1 > n0 else float("nan")
