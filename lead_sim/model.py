"""LeadModel: the Mesa model of arrest and diversion pathways, one step per day.

The model is simulation only: it reads a :class:`~lead_sim.scenarios.Scenario` and a seed and
fills its daily record, cost ledger and event log. Given a name, a file or a scenario not
prepared yet, it prepares it as :func:`lead_sim.runs.runner.prepare` does (the shipped
calibration, then its keyword parameters). Writing outputs and running many replicates happen
in :mod:`lead_sim.runs.runner`; what Mesa sees of the model (its DataCollector, clock and daily
series) is in :mod:`lead_sim.agents.collector`.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from lead_sim.agents import case_management, case_manager, collector, services
from lead_sim.agents.case_manager import Program
from lead_sim.agents.officer import PEOPLE_PER_OFFICER, Force
from lead_sim.agents.police import FOLLOW_UP_DAYS, close_episodes, police_contacts
from lead_sim.agents.population import (
    Population,
    contact_rates,
    mark_for_redraw,
    redraw_marked,
    renew,
    reschedule_contacts,
    set_base_rates,
    spawn,
)
from lead_sim.agents.services import Services
from lead_sim.agents.states import Charge, Pathway, State
from lead_sim.agents.waitlist import WAITING
from lead_sim.engine.events import (
    EventLog,
    Kind,
    log_people,
)
from lead_sim.engine.jit import by_reference, compiled, optimise_fully
from lead_sim.engine.ledger import SERVICE_PAYERS, Ledger, Payer
from lead_sim.engine.recorder import OCCUPANCY, WAITLISTS, Column, DailyRecord, Tally
from lead_sim.engine.streams import Streams
from lead_sim.engine.world import build_world
from lead_sim.groups import GROUPS, REFERENCE, area_shares
from lead_sim.justice import court, custody, supervision
from lead_sim.neighbourhoods import AREA_KEYS, booking_restricted, build_graph
from lead_sim.params import Params
from lead_sim.scenarios import Scenario, TimelineEntry
from lead_sim.scenarios.prepare import model_scenario
from lead_sim.seeds import model_seed
from lead_sim.service_table import SERVICES

if TYPE_CHECKING:
    import pandas as pd

    from lead_sim.engine.world import World
    from lead_sim.params import Values

TURNOVER_DAYS = 7  # departures and arrivals are processed weekly
HAZARD_PARAMS = frozenset({"contact_rate", "hr_severe_sud", "hr_homeless", "hr_mental_health",
                           "hr_lead_engaged", "hr_income", "hr_mental_health_served",
                           *(service.hazard_ratio for service in SERVICES),
                           *(f"contact_ratio_{g}" for g in GROUPS if g != REFERENCE)})


class LeadModel(mesa.Model):
    """Neighbourhoods, people at risk, officers, case managers and services, day by day.

    Each day's dated policy changes are applied here, in Python; the rest of the day is
    compiled (:func:`simulate_days`) and works on :attr:`world`, the bundle of this model's
    arrays.

    ``scenario`` is a built-in name, a TOML file or a :class:`Scenario` (prepared by
    :func:`lead_sim.runs.runner.prepare` or not); ``years`` cuts its horizon and any registry
    parameter given as a keyword (``population=300``, ``caseload_cap=25``) overrides its start
    value. A scenario not prepared starts from ``calibrated`` (the shipped fit by default;
    None for the registry's defaults). ``seed=None`` draws a seed, kept as :attr:`seed`
    (``rng``, Mesa's name, is taken as the seed too). ``step()`` simulates one day and
    collects :attr:`datacollector`; ``run()`` simulates to the end date (and collects once).
    """

    def __init__(self, scenario: str | os.PathLike[str] | Scenario = "pilot_2011",
                 seed: int | None = None, *, years: float | None = None,
                 keep_events: bool = True, calibrated: Any = "shipped", rng: Any = None,
                 **params: Any) -> None:
        scenario = model_scenario(scenario, years=years, calibrated=calibrated, params=params)
        seed = model_seed(seed, rng)
        super().__init__(rng=seed)
        self.lead_scenario = scenario
        self.seed = seed
        self.p = Params.with_overrides(scenario.params, f"scenario '{scenario.name}'")
        self.values = by_reference(self.p.numbers())
        self.streams = Streams(seed)
        self.days = scenario.days
        self.day = 0
        self.graph = build_graph()
        self.area_weights = np.array([self.graph.nodes[k]["weight"] for k in AREA_KEYS], float)
        self.presence = np.power([self.graph.nodes[k]["presence"] for k in AREA_KEYS],
                                 float(self.p["presence_concentration"]))
        shares = area_shares(AREA_KEYS, tuple(self.area_weights), self.p["place_segregation"])
        self.group_cdf = np.cumsum(shares, axis=1)  # by area, where each group's share ends
        self.covered = np.zeros(len(AREA_KEYS), bool)  # LEAD covers the area today
        self.booking_restricted = np.zeros(len(AREA_KEYS), bool)  # set from the parameter
        for entry in scenario.timeline:  # the date coverage starts, if ever, on each node
            for key in entry.cover:
                node = self.graph.nodes[key]
                node["lead_start"] = node["lead_start"] or entry.date
        self.follow(scenario)
        self.ledger = Ledger(self.days)
        self.events = EventLog(keep_events)
        self.record = DailyRecord(self.days)
        # re-arrest cohorts: horizon x pathway of the episode's first contact x (episodes,
        # re-arrested within the horizon)
        self.cohort = np.zeros((len(FOLLOW_UP_DAYS), len(Pathway), 2), np.int64)
        n = self.p["population"]
        self.population = Population(n)
        share = self.area_weights / self.area_weights.sum()
        per_area = np.maximum(2, np.round(self.presence * share * n / PEOPLE_PER_OFFICER))
        self.force = Force(self, per_area.astype(int))
        self.program = Program(self)
        self.services = Services(self)
        self.world = build_world(self)
        spawn(self.world, self.values, self.population.ids, 0)
        np.add.at(self.record.at_risk, (self.population.group, self.population.area), 1)
        self._apply_settings(set(self.p))
        reschedule_contacts(self.world, self.values, self.population.ids, 0)
        self.events.drain()
        self.running = True
        self.datacollector = collector.datacollector()

    def __getstate__(self) -> dict:
        """Copies (a model forked by :mod:`lead_sim.runs.branching`) bundle their own arrays (and
        parameter values: bundles are passed to compiled code by reference, and not copied)."""
        state = self.__dict__.copy()
        del state["world"], state["values"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.world = build_world(self)
        self.values = by_reference(self.p.numbers())

    def follow(self, scenario: Scenario) -> None:
        """Follow ``scenario``'s timeline from the current day on (a forked copy's new path)."""
        self.lead_scenario = scenario
        self.timeline = self._timeline_by_day(scenario.timeline)
        self._change_days = sorted(self.timeline)

    # ---- the day ------------------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one day (Mesa's step) and collect :attr:`datacollector`."""
        self.simulate_until(self.day + 1)
        self.datacollector.collect(self)

    def run(self) -> LeadModel:
        """Simulate to the end of the scenario (and collect :attr:`datacollector` once)."""
        self.simulate_until(self.days)
        self.datacollector.collect(self)
        return self

    def series(self, name: str) -> pd.Series:
        """Daily series ``name`` (a column of the record, e.g. ``"jail_population"``) for the
        days simulated so far, indexed by date (:func:`lead_sim.agents.collector.series`)."""
        return collector.series(self, name)

    def simulate_until(self, end: int) -> None:
        """Simulate the days before day ``end``: each day's dated changes in Python, and the
        stretches of days between them in one call of compiled code each."""
        end = min(end, self.days)
        while self.day < end:
            self._apply_policy(self.day)
            stop = min(end, next((d for d in self._change_days if d > self.day), self.days))
            simulate_days(self.world, self.values, self.day, stop)
            self.day = stop
        self.events.drain()
        self.program.sync_agents()
        self.running = self.day < self.days
        collector.keep_time(self)  # Mesa's steps and time count the days simulated

    @property
    def date(self) -> dt.date:
        """Calendar date of the day about to be simulated."""
        return self.lead_scenario.start_date + dt.timedelta(days=self.day)

    @property
    def last_date(self) -> dt.date:
        """Calendar date of the last simulated day: what the record runs to (the start date
        before the first step)."""
        return self.date - dt.timedelta(days=1 if self.day else 0)

    def budget(self) -> float:
        """The programme budget for the simulated population (a sample of the county's).

        LEAD spends nothing until it covers an area: before that nobody can be referred, and a
        budget set earlier (or given to a scenario without LEAD, e.g. by ``--set``) would pay
        idle case managers and show as a cost of the programme that never ran.
        """
        if not self.covered.any():
            return 0.0
        p = self.p
        return p["budget_usd_per_year"] * p["population"] / p["reference_population"]

    # ---- dated changes (Python) ---------------------------------------------------------------
    def _timeline_by_day(self, timeline: tuple[TimelineEntry, ...]) -> dict[int, list]:
        by_day: dict[int, list[TimelineEntry]] = {}
        for entry in timeline:
            day = self.lead_scenario.day_of(entry)
            if day < self.days:
                by_day.setdefault(day, []).append(entry)
        return by_day

    def _apply_policy(self, day: int) -> None:
        for entry in self.timeline.get(day, ()):
            launched = not self.covered.any() and bool(entry.cover)  # the budget starts now
            for key in entry.cover:
                self.covered[AREA_KEYS.index(key)] = True
            if entry.set:
                self.p = self.p.updated(entry.set)
            if entry.set or launched:
                self._apply_settings(set(entry.set))

    def _apply_settings(self, changed: set[str]) -> None:
        """Propagate changed parameters to officers, staffing, capacity and hazards."""
        p = self.p
        self.values = by_reference(p.numbers())
        self.booking_restricted[:] = booking_restricted(p["misdemeanor_booking_restriction"])
        self.force.update_propensities(p["diversion_propensity"], p["social_referral_propensity"])
        if self.program.make_room(int(self.budget() / max(p["case_manager_annual_cost"], 1))):
            self.world = build_world(self)
        case_management.staff(self.world, self.values, self.budget())
        self.program.sync_agents()
        services_budget = self.budget() * (1 - p["case_management_share"])
        self.services.set_capacity([  # whole places, to the nearest (a sample of the county)
            round(services_budget * share / (p[s.day_cost] * 365.25))
            for s, share in zip(SERVICES, pool_shares(p), strict=True)])
        if changed & HAZARD_PARAMS:
            self._redraw_changed_hazards()

    def _redraw_changed_hazards(self) -> None:
        """After a hazard parameter changes, redraw the next contact of those whose hazard moved.

        Only they need a new draw (waiting times are memoryless), and leaving everyone else's
        draw alone means a change that moves no one's hazard (a LEAD-only hazard ratio before
        anyone is in LEAD) leaves the run exactly as it was.
        """
        pop, w = self.population, self.world
        set_base_rates(w, self.values, pop.ids)
        free = pop.ids[pop.state < State.JAIL_PRETRIAL]
        mark_for_redraw(w, free[contact_rates(w, self.values, free) != pop.rate[free]])

    def finish(self) -> None:
        """Count the follow-up episodes still running in the re-arrest cohorts."""
        close_episodes(self.world, self.population.ids, self.days - 1)


def pool_shares(p: Params) -> list[float]:
    """Each service pool's share of the services budget (its ``<pool>_budget_share``).

    Shares that add up to more than 1 are scaled down to add up to 1: the budget is spent once,
    whatever a scenario or a search sets each share to.
    """
    shares = [float(p[f"{s.name}_budget_share"]) for s in SERVICES]
    total = sum(shares)
    return [share / total for share in shares] if total > 1.0 + 1e-12 else shares


# ---- the compiled day ------------------------------------------------------------------------
@optimise_fully
@compiled
def simulate_days(w: World, p: Values, first: int, end: int) -> None:
    """Simulate days ``first`` to ``end - 1`` (none of them with a dated policy change), each
    day in this order:

    1. release: end jail and prison stays due today;
    2. court: dispositions due today (conviction, sentence, supervision), and
       supervision violations (a short jail sanction);
    3. contact: police contacts, and the officer's choice to book, cite, divert or refer;
    4. programme: LEAD intake, exits, caseload assignment, engagement, work on needs;
    5. services: stays in each service pool end, free places go to the waitlists;
    6. turnover: people who stop being at risk are replaced by newcomers;
    7. account: next police contacts of everyone whose situation changed; state
       counts, bed-days and the day's costs.

    The stages are called here directly, not through a function for one day: numba compiles
    every level of the call tree again with all that is below it, so a level less is a
    compile of the whole day less (:mod:`lead_sim.engine.jit`).
    """
    for day in range(first, end):
        custody.release(w, p, day)
        court.dispose(w, p, day)
        supervision.violations(w, p, day)
        police_contacts(w, p, day)
        case_management.step(w, p, day)
        services.step(w, p, day)
        turnover(w, p, day)
        redraw_marked(w, p, day)
        account(w, p, day)


@compiled
def turnover(w: World, p: Values, day: int) -> None:
    """Weekly, people whose time at risk is over leave and newcomers take their place."""
    pop = w.people
    if day % TURNOVER_DAYS:
        return
    ids = np.flatnonzero(pop.renewal_day <= day)
    if len(ids) == 0:
        return
    free = (pop.state[ids] == State.COMMUNITY) & (pop.pending_charge[ids] == Charge.NONE)
    for held in pop.in_service:
        free &= ~held[ids]
    pop.renewal_day[ids[~free]] = day + 30  # leave once out of custody and services
    ids = ids[free]
    close_episodes(w, ids, day)
    log_people(w, day, Kind.RENEWAL, ids, 0)
    renew(w, p, ids, day)
    set_base_rates(w, p, ids)
    mark_for_redraw(w, ids)


@compiled
def account(w: World, p: Values, day: int) -> None:
    """State counts, bed-days and the day's costs by payer; the record's end-of-day stocks."""
    pop, costs, row = w.people, w.books.costs[day], w.books.record[day]
    states = np.zeros(len(State), np.int64)
    for state in range(1, len(State)):  # a vectorised count per state (a scatter-add of
        code, n = np.int8(state), 0     # every person's state would not vectorise)
        for value in pop.state:
            n += value == code
        states[state] = n
    supervised = 0
    for i in range(len(pop.state)):
        supervised += (pop.supervision_end_day[i] > day) & (pop.state[i] < State.JAIL_PRETRIAL)
    _tally_days(w)
    jail = states[State.JAIL_PRETRIAL] + states[State.JAIL_SENTENCED]
    prison = states[State.PRISON]
    occupied = w.pools.occupied
    costs[Payer.JAIL] += jail * p.jail_bed_day_cost
    costs[Payer.PRISON] += prison * p.prison_bed_day_cost
    costs[Payer.LEAD_CASE_MANAGEMENT] += (case_manager.staff_fte(w.staff)
                                          * p.case_manager_annual_cost / 365.25)
    for pool in range(len(occupied)):
        costs[SERVICE_PAYERS[pool]] += occupied[pool] * p.service_day_cost[pool]
    costs[Payer.SUPERVISION] += supervised * p.supervision_day_cost
    row[Column.JAIL_POPULATION] = jail
    row[Column.PRISON_POPULATION] = prison
    row[Column.LEAD_INTAKE] = states[State.LEAD_INTAKE]
    row[Column.LEAD_WAITLIST] = states[State.LEAD_WAITLIST]
    row[Column.LEAD_ACTIVE] = states[State.LEAD_ACTIVE]
    row[Column.LEAD_INACTIVE] = states[State.LEAD_INACTIVE]
    for pool in range(len(occupied)):
        row[OCCUPANCY[pool]] = occupied[pool]
        row[WAITLISTS[pool]] = w.pools.queues[pool].meta[WAITING]
    row[Column.CASE_MANAGERS] = case_manager.working_fte(w.staff)
    row[Column.LEAD_CAPACITY] = case_manager.capacity(w.staff, p.caseload_cap)
    row[Column.ON_SUPERVISION] = supervised
    for payer in range(len(costs)):
        row[Column.COST_POLICE + payer] = costs[payer]


@compiled
def _tally_days(w: World) -> None:
    """The day's bed-days and days at risk in the equity tally, by group and area (from the
    counts kept as people enter and leave custody and the population: no pass over people)."""
    tally, at_risk, held = w.books.equity, w.books.at_risk, w.books.in_custody
    for group in range(at_risk.shape[0]):
        for area in range(at_risk.shape[1]):
            tally[group, area, Tally.PERSON_DAYS] += at_risk[group, area]
            tally[group, area, Tally.JAIL_BED_DAYS] += held[group, area, 0]
            tally[group, area, Tally.PRISON_BED_DAYS] += held[group, area, 1]
