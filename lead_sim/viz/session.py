"""The model a browser session drives: the chosen policy and the baseline, over several seeds.

:class:`VizSession` is a Mesa model whose step advances, in lockstep, one
:class:`~lead_sim.LeadModel` per seed for the policy and (side by side, the default) one per
seed for ``system_as_usual``. Policy and baseline with the same seed form a *pair*: they share
every random stream, so they differ only where the policy acts. Several pairs (seeds ``seed``,
``seed + 1``, ...) show how much a result varies from one random draw to another; the compiled
daily core makes the extra runs cheap. The map and the plain-words account follow the first
pair; the charts and the headline show all of them.

Every setting is a keyword argument (Mesa's page rebuilds a model from them on Reset) and levers
arrive through ``**kwargs`` by their registry names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import mesa
import numpy as np

from lead_sim.engine.recorder import COLUMNS
from lead_sim.model import LeadModel
from lead_sim.params import PAYERS
from lead_sim.runs.runner import parse_seed
from lead_sim.scenarios import TimelineEntry
from lead_sim.viz.levers import (
    BASELINE,
    DEFAULT_SCENARIO,
    VIZ_POPULATION,
    build_scenario,
    check_levers,
    describe_levers,
)

RUN_CHOICES = (1, 3, 5)  # paired seeds a session may run together
DEFAULT_RUNS = 5
_COLUMN = {name: i for i, name in enumerate(COLUMNS)}
COST_COLUMNS = tuple(f"cost_{p}" for p in PAYERS)


def daily(model: LeadModel, name: str) -> np.ndarray:
    """Column ``name`` of ``model``'s record for the days simulated so far (``cost_total``:
    all payers), read straight from the record's array: cheap enough for every frame."""
    values = model.record.values[:model.day]
    if name == "cost_total":
        return values[:, [_COLUMN[c] for c in COST_COLUMNS]].sum(axis=1)
    return values[:, _COLUMN[name]]


@dataclass(frozen=True)
class Difference:
    """Policy minus baseline so far, per seed (arrays, one value per pair), signed so that
    positive numbers are gains; money at county scale (see :attr:`VizSession.county_scale`)."""

    bookings_averted: np.ndarray
    bed_days_saved: np.ndarray
    arrests_averted: np.ndarray
    extra_cost: np.ndarray  # policy cost minus baseline cost: negative means it saved money
    county_bookings_averted: np.ndarray

    def cost_per_booking_averted(self) -> np.ndarray:
        """Net county cost per county booking averted, per seed (NaN where none averted)."""
        averted = self.county_bookings_averted.astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(averted > 0, self.extra_cost / averted, np.nan)


class VizSession(mesa.Model):
    """One browser session's simulation: policy runs, each paired with a baseline run."""

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, compare: bool = True,
                 seed: int | str = 0, population: int = VIZ_POPULATION,
                 coverage: str = "as in scenario", runs: int = DEFAULT_RUNS,
                 **kwargs: Any) -> None:
        kwargs.pop("scenario", None)  # Mesa's page passes its own (empty) scenario object
        kwargs.pop("rng", None)
        levers = check_levers(kwargs)
        seed = parse_seed(seed)
        runs = int(runs) if int(runs) in RUN_CHOICES else DEFAULT_RUNS
        super().__init__(rng=seed)
        self.settings = dict(scenario_name=scenario_name, compare=bool(compare), seed=seed,
                             population=population, coverage=coverage, runs=runs, **levers)
        self.seeds = [seed + i for i in range(runs)]
        policy = build_scenario(scenario_name, population=population, levers=levers,
                                coverage=coverage)
        self.policies = [LeadModel(policy, s) for s in self.seeds]
        baseline = build_scenario(BASELINE, population=population) if compare else None
        self.baselines = [LeadModel(baseline, s) for s in self.seeds] if compare else []
        self.running = self.policy.running

    @property
    def policy(self) -> LeadModel:
        """The first seed's policy run: the one the map and the plain-words panel show."""
        return self.policies[0]

    @property
    def baseline(self) -> LeadModel | None:
        return self.baselines[0] if self.baselines else None

    @property
    def models(self) -> list[LeadModel]:
        return [*self.policies, *self.baselines]

    @property
    def county_scale(self) -> float:
        """County people at risk per simulated person: multiplies money and counts up to the
        county (the budget lever is the county's; each run spends its sample's share)."""
        p = self.policy.p
        return p["reference_population"] / p["population"]

    def step(self) -> None:
        """One simulated day in every run (nothing once the scenario has ended)."""
        self.advance(1)

    def advance(self, days: int) -> None:
        """``days`` simulated days in every run, each run's stretch in one compiled call."""
        if not self.running:
            return
        end = self.policy.day + days
        for model in self.models:
            model.simulate_until(end)
        self.running = self.policy.running

    @property
    def date(self) -> dt.date:
        """The calendar date of the next day to simulate."""
        return self.policy.date

    @property
    def last_date(self) -> dt.date:
        """The date of the last simulated day (the start date before any step)."""
        return self.policy.last_date

    def lever_value(self, name: str) -> Any:
        """The value a lever has in the policy run today (pinned or from the scenario)."""
        return self.policy.p[name]

    def set_lever(self, name: str, value: Any) -> None:
        """Pin a lever from the next simulated day on, in every running policy model.

        The change enters each model's own dated timeline (as a scenario change would), and
        the scenario's later changes to the same parameter are dropped so the lever holds.
        """
        value = check_levers({name: value})[name]
        self.settings[name] = value
        for model in self.policies:
            for day in [d for d in model.timeline if d > model.day]:
                entries = []
                for entry in model.timeline[day]:
                    kept = {k: v for k, v in entry.set.items() if k != name}
                    if kept or entry.cover:
                        entries.append(replace(entry, set=kept))
                model.timeline[day] = entries
            model.timeline.setdefault(model.day, []).append(TimelineEntry(
                date=model.date, set={name: value}, note=describe_levers({name: value})))

    def stack(self, name: str, runs: str = "policy") -> np.ndarray:
        """Daily series ``name`` of every policy (or baseline) run: seeds x days."""
        models = self.policies if runs == "policy" else self.baselines
        return np.array([daily(m, name) for m in models])

    def gap(self, name: str, cumulative: bool = False) -> np.ndarray:
        """Baseline minus policy per pair and day (seeds x days): what the policy saves."""
        saved = self.stack(name, "baseline") - self.stack(name)
        return np.cumsum(saved, axis=1) if cumulative else saved

    def difference(self) -> Difference | None:
        """Policy against baseline up to today, per pair (None when not side by side)."""
        if not self.baselines:
            return None
        bookings = self.gap("bookings").sum(axis=1)
        return Difference(
            bookings_averted=bookings.round().astype(int),
            bed_days_saved=self.gap("jail_population").sum(axis=1).round().astype(int),
            arrests_averted=self.gap("arrests").sum(axis=1).round().astype(int),
            extra_cost=-self.gap("cost_total").sum(axis=1) * self.county_scale,
            county_bookings_averted=bookings * self.county_scale,
        )


def capacity_bought(model: LeadModel) -> dict[str, float]:
    """Case managers (full-time equivalents), caseload places and the places of each service
    pool (by its name: treatment slots, housing units) in force today."""
    return {
        "case_managers": model.program.working_fte(),
        "caseload_places": model.program.capacity(),
        **{pool.service.name: pool.capacity for pool in model.services},
    }


def bought_text(model: LeadModel) -> str:
    """What today's budget buys, for the simulated sample: the lever's dollars are the
    county's, scaled by population / reference_population before they buy anything."""
    p, bought = model.p, capacity_bought(model)
    if not model.covered.any():
        return "LEAD has not launched yet: its budget is spent from the day it covers an area."
    sample = (f"for the {p['population']:,} people simulated (the county has "
              f"{p['reference_population']:,}; budgets are scaled to match)")
    places = [f"{bought[pool.service.name]:,} {pool.service.place}s" for pool in model.services]
    services = " and ".join(filter(None, (", ".join(places[:-1]), places[-1])))
    staff = (f"{bought['case_managers']:.1f} case managers "
             f"({bought['caseload_places']:,} caseload places)")
    if p["staffing"] == "demand":
        return (f"Case managers are hired to meet demand: {staff} at work today. The budget "
                f"buys {services}, {sample}.")
    return f"Today's budget buys {staff}, {services}, {sample}."
