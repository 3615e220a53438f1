"""The model a browser session drives: the chosen policy and, side by side, the baseline.

:class:`VizSession` is a Mesa model whose step advances one :class:`~lead_sim.LeadModel` (the
policy) or two in lockstep (the policy and ``system_as_usual`` with the same seed, so the two
differ only where the policy acts). Mesa's page controller rebuilds it from keyword arguments on
Reset, so every setting is a keyword argument and levers arrive through ``**kwargs`` by their
registry names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import mesa

from lead_sim.model import LeadModel
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


@dataclass(frozen=True)
class Difference:
    """Policy minus baseline so far, signed so that positive numbers are gains."""

    bookings_averted: int
    bed_days_saved: int
    arrests_averted: int
    extra_cost: float  # policy cost minus baseline cost: negative means it saved money


class VizSession(mesa.Model):
    """One browser session's simulation: a policy run, optionally paired with the baseline."""

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, compare: bool = False,
                 seed: int | str = 0, population: int = VIZ_POPULATION,
                 coverage: str = "as in scenario", **kwargs: Any) -> None:
        kwargs.pop("scenario", None)  # Mesa's page passes its own (empty) scenario object
        kwargs.pop("rng", None)
        levers = check_levers(kwargs)
        seed = parse_seed(seed)
        super().__init__(rng=seed)
        self.settings = dict(scenario_name=scenario_name, compare=bool(compare), seed=seed,
                             population=population, coverage=coverage, **levers)
        self.policy = LeadModel(build_scenario(scenario_name, population=population,
                                               levers=levers, coverage=coverage), seed)
        self.baseline = (LeadModel(build_scenario(BASELINE, population=population), seed)
                         if compare else None)
        self.running = self.policy.running

    def step(self) -> None:
        """One simulated day in the policy run and, in step with it, the baseline.

        Nothing once the scenario has ended: Mesa's page steps ``Days per Step`` times without
        looking at ``running``, and a day past the end has nowhere to be recorded.
        """
        if not self.running:
            return
        self.policy.step()
        if self.baseline is not None:
            self.baseline.step()
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
        """Pin a lever from the next simulated day on, in the running policy model.

        The change enters the model's own dated timeline (as a scenario change would), and the
        scenario's later changes to the same parameter are dropped so the lever holds.
        """
        value = check_levers({name: value})[name]
        self.settings[name] = value
        model = self.policy
        for day in [d for d in model.timeline if d > model.day]:
            entries = []
            for entry in model.timeline[day]:
                kept = {k: v for k, v in entry.set.items() if k != name}
                if kept or entry.cover:
                    entries.append(replace(entry, set=kept))
            model.timeline[day] = entries
        model.timeline.setdefault(model.day, []).append(
            TimelineEntry(date=model.date, set={name: value}, note=describe_levers({name: value})))

    def difference(self) -> Difference | None:
        """Policy against baseline up to today (None when not side by side)."""
        if self.baseline is None:
            return None
        day = self.policy.day
        pol = self.policy.record.frame(day)
        base = self.baseline.record.frame(day)
        return Difference(
            bookings_averted=int(base["bookings"].sum() - pol["bookings"].sum()),
            bed_days_saved=int(base["jail_population"].sum() - pol["jail_population"].sum()),
            arrests_averted=int(base["arrests"].sum() - pol["arrests"].sum()),
            extra_cost=float(pol["cost_total"].sum() - base["cost_total"].sum()),
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
