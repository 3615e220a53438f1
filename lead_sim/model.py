"""LeadModel: the Mesa model of arrest and diversion pathways, one step per day.

The model is simulation only: it reads a :class:`~lead_sim.scenarios.Scenario` and a seed and
fills its daily record, cost ledger and event log. Reading files, writing outputs and running
many replicates happen in :mod:`lead_sim.runner`.
"""

from __future__ import annotations

import datetime as dt

import mesa
import numpy as np

from lead_sim import legal
from lead_sim.agents.case_manager import Program
from lead_sim.agents.officer import PEOPLE_PER_OFFICER, Force
from lead_sim.agents.population import Population
from lead_sim.agents.services import Services
from lead_sim.agents.states import Charge, Pathway, State
from lead_sim.events import ARREST_COVERED, ARREST_DIVERTED, ARREST_ELIGIBLE, EventLog
from lead_sim.ledger import Ledger
from lead_sim.neighbourhoods import AREA_KEYS, build_graph
from lead_sim.params import Params
from lead_sim.recorder import DailyRecord
from lead_sim.scenarios import Scenario, TimelineEntry
from lead_sim.streams import Streams

TURNOVER_DAYS = 7  # departures and arrivals are processed weekly
HAZARD_PARAMS = frozenset({"contact_rate", "hr_severe_sud", "hr_homeless", "hr_mental_health",
                           "hr_lead_engaged", "hr_housed", "hr_income", "hr_treatment",
                           "hr_mental_health_served"})


class LeadModel(mesa.Model):
    """Neighbourhoods, people at risk, officers, case managers and services, day by day."""

    def __init__(self, scenario: Scenario, seed: int = 0, *, keep_events: bool = True) -> None:
        super().__init__(rng=seed)
        self.lead_scenario = scenario
        self.seed = seed
        self.p = Params.with_overrides(scenario.params, f"scenario '{scenario.name}'")
        self.streams = Streams(seed)
        self.days = scenario.days
        self.day = 0
        self.graph = build_graph()
        weights = np.array([self.graph.nodes[k]["weight"] for k in AREA_KEYS], float)
        self.presence = np.array([self.graph.nodes[k]["presence"] for k in AREA_KEYS], float)
        self.covered = np.zeros(len(AREA_KEYS), bool)  # LEAD covers the area today
        for entry in scenario.timeline:  # the date coverage starts, if ever, on each node
            for key in entry.cover:
                node = self.graph.nodes[key]
                node["lead_start"] = node["lead_start"] or entry.date
        self.timeline = self._timeline_by_day(scenario.timeline)
        self.ledger = Ledger(self.days)
        self.events = EventLog(keep_events)
        self.record = DailyRecord(self.days)
        self.cohort = np.zeros((len(Pathway), 2), np.int64)  # index contacts, re-arrested
        n = self.p["population"]
        self._to_reschedule = np.zeros(n, bool)  # whose next contact is redrawn tonight
        self.population = Population(n, weights, self.streams)
        self.population.spawn(self.population.ids, 0, self.p)
        share = weights / weights.sum()
        per_area = np.maximum(2, np.round(self.presence * share * n / PEOPLE_PER_OFFICER))
        self.force = Force(self, per_area.astype(int))
        self.program = Program(self)
        self.services = Services(self)
        self._apply_settings(set(self.p))
        self.population.reschedule_contacts(self.population.ids, 0, self.p)
        self.running = True

    # ---- the day ------------------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one day, in this order:

        1. policy: apply the day's dated changes (coverage, parameters, budgets);
        2. release: end jail and prison stays due today;
        3. court: dispositions due today (conviction, sentence, supervision), and
           supervision violations (a short jail sanction);
        4. contact: police contacts, and the officer's choice to book, cite, divert or refer;
        5. programme: LEAD intake, exits, caseload assignment, engagement, work on needs;
        6. services: treatment and housing stays end, free places go to the waitlists;
        7. turnover: people who stop being at risk are replaced by newcomers;
        8. account: next police contacts of everyone whose situation changed; state
           counts, bed-days and the day's costs.
        """
        day = self.day
        self._apply_policy(day)
        legal.release(self, day)
        legal.dispose(self, day)
        legal.violations(self, day)
        self._police_contacts(day)
        self.program.step(day)
        self.services.step(day)
        self._turnover(day)
        self._redraw_contacts(day)
        self._account(day)
        self.day += 1
        self.running = self.day < self.days

    def run(self) -> LeadModel:
        """Step to the end of the scenario."""
        while self.running:
            self.step()
        return self

    @property
    def date(self) -> dt.date:
        """Calendar date of the day about to be simulated."""
        return self.lead_scenario.start_date + dt.timedelta(days=self.day)

    @property
    def last_date(self) -> dt.date:
        """Calendar date of the last simulated day: what the record runs to (the start date
        before the first step)."""
        return self.date - dt.timedelta(days=1 if self.day else 0)

    # ---- helpers used by the agents -----------------------------------------------------------
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

    def log(self, day: int, kind: str, ids: np.ndarray, detail: np.ndarray | int = 0,
            officer: np.ndarray | int = -1, green: np.ndarray | bool = True) -> None:
        """Add a ``kind`` event for each person in the slots ``ids`` to the event log.

        Identities and areas are looked up only when the log is kept, so runs without one
        (sweeps, calibration, benchmarks) skip that work.
        """
        if self.events.enabled and len(ids):
            pop = self.population
            self.events.add(day, kind, pop.uid[ids], pop.area[ids], detail, officer, green)

    def count(self, day: int, name: str, n: int) -> None:
        """Add ``n`` to counter ``name`` of ``day``."""
        self.record.add(day, name, n)

    def reschedule(self, ids: np.ndarray) -> None:
        """Mark ``ids`` for a new next police contact, drawn at the end of the day.

        Drawing once, from the state a person ends the day in, gives the same result as
        redrawing after every change (the draw is keyed by person and day) at a fraction of
        the cost. The marks are a flag per person rather than a list of arrays: most days mark
        a few people in several places, and one scan of the flags costs less than
        ``np.unique`` of the joined list (it gives the same sorted, distinct slots).
        """
        if len(ids):
            self._to_reschedule[ids] = True

    def _redraw_contacts(self, day: int) -> None:
        ids = np.flatnonzero(self._to_reschedule)
        if len(ids):
            self._to_reschedule[ids] = False
            self.population.reschedule_contacts(ids, day, self.p)

    # ---- stages -------------------------------------------------------------------------------
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
        self.force.update_propensities(p["diversion_propensity"], p["social_referral_propensity"])
        self.program.staff()
        services_budget = self.budget() * (1 - p["case_management_share"]) / 2
        self.services.set_capacity(  # whole places, to the nearest (a sample of the county)
            round(services_budget / (p["treatment_day_cost"] * 365.25)),
            round(services_budget / (p["housing_day_cost"] * 365.25)),
        )
        if changed & HAZARD_PARAMS:
            self._redraw_changed_hazards()

    def _redraw_changed_hazards(self) -> None:
        """After a hazard parameter changes, redraw the next contact of those whose hazard moved.

        Only they need a new draw (waiting times are memoryless), and leaving everyone else's
        draw alone means a change that moves no one's hazard (a LEAD-only hazard ratio before
        anyone is in LEAD) leaves the run exactly as it was.
        """
        pop = self.population
        pop.set_base_rates(pop.ids, self.p, self.presence)
        free = pop.ids[pop.state < State.JAIL_PRETRIAL]
        self.reschedule(free[pop.contact_rates(free, self.p) != pop.rate[free]])

    def _police_contacts(self, day: int) -> None:
        pop, p = self.population, self.p
        ids = pop.due("next_contact", day)
        if len(ids) == 0:
            return
        out = self.force.handle(ids, day)
        self.count(day, "contacts", len(ids))
        self.log(day, "contact", ids, out.probable_cause, out.officer, out.green)
        pathway = np.full(len(ids), Pathway.NONE, np.int8)
        diverted, referred = np.count_nonzero(out.diverted), np.count_nonzero(out.referred)
        arrested = out.probable_cause
        if diverted or referred:  # most days have neither: skip their masks
            pathway[out.referred] = Pathway.REFERRED
            pathway[out.diverted] = Pathway.DIVERTED
            self._divert_and_refer(out, day)
            arrested = arrested & ~out.diverted
        if out.probable_cause.any():
            pathway[arrested] = self._arrest_as_usual(out, arrested, day)
        self._track_rearrest(ids, out.probable_cause, pathway, day)
        hours = (np.count_nonzero(arrested) * p["police_hours_per_arrest"]
                 + diverted * p["police_hours_per_diversion"]
                 + referred * p["police_hours_per_referral"])
        self.ledger.charge(day, "police", float(hours * p["police_hourly_cost"]))
        self.reschedule(ids[pop.state[ids] < State.JAIL_PRETRIAL])

    def _divert_and_refer(self, out, day: int) -> None:
        """Start LEAD intakes for new arrest diversions and social-contact referrals.

        A participant diverted again goes back to their case manager: the diversion counts,
        but no new intake opens.
        """
        pop = self.population
        new = pop.state[out.ids] == State.COMMUNITY
        ids = out.ids[out.diverted & new]
        held = legal.charge_class(self, ids, out.drug[out.diverted & new],
                                  out.grams[out.diverted & new], day)
        self.program.refer(ids, held, day)
        self.count(day, "arrest_diversions", np.count_nonzero(out.diverted))
        self.log(day, "arrest_diversion", out.ids[out.diverted], officer=out.officer[out.diverted],
                 green=out.green[out.diverted])
        referred = out.ids[out.referred]
        self.program.refer(referred, np.zeros(len(referred), np.int8), day)
        self.count(day, "social_contact_referrals", len(referred))
        self.log(day, "social_referral", referred, officer=out.officer[out.referred],
                 green=out.green[out.referred])

    def _arrest_as_usual(self, out, arrested: np.ndarray, day: int) -> np.ndarray:
        """Arrests not diverted (``arrested``): referral in lieu of booking (ESB 5476), booking
        or citation."""
        pop, p = self.population, self.p
        ids, drug, grams = out.ids[arrested], out.drug[arrested], out.grams[arrested]
        pc = out.probable_cause
        self.count(day, "arrests", np.count_nonzero(pc))
        if self.events.enabled:
            flags = out.diverted * ARREST_DIVERTED + out.eligible * ARREST_ELIGIBLE
            flags += out.covered * ARREST_COVERED
            self.log(day, "arrest", out.ids[pc], flags[pc], out.officer[pc], out.green[pc])
        in_lieu = drug & (pop.in_lieu_count[ids] < p["referral_in_lieu_arrests"])
        if in_lieu.any():  # only under ESB 5476, and only for a person's first arrests
            pop.in_lieu_count[ids[in_lieu]] += 1
            self.count(day, "in_lieu_referrals", np.count_nonzero(in_lieu))
            self.log(day, "in_lieu_referral", ids[in_lieu])
        charged = ids[~in_lieu]
        charge = legal.charge_class(self, charged, drug[~in_lieu], grams[~in_lieu], day)
        filed = legal.file_charges(self, charged, charge, day)
        booked = self.streams.uniform("book", day, charged) < p["booking_share"]
        legal.book(self, charged[booked], np.maximum(filed[booked], Charge.MISDEMEANOR), day)
        pathway = np.full(len(ids), Pathway.IN_LIEU, np.int8)
        pathway[~in_lieu] = np.where(booked, Pathway.BOOKED, Pathway.CITED)
        return pathway

    def _track_rearrest(self, ids: np.ndarray, arrested: np.ndarray, pathway: np.ndarray,
                        day: int) -> None:
        """Mark re-arrests within 12 months of a person's first police contact."""
        pop = self.population
        first = pop.first_contact_day[ids]  # -1 before a person's first contact
        again = arrested & (first >= max(day - 365, 0)) & (first < day)
        pop.rearrested_12m[ids[again]] = True
        new = first < 0
        pop.first_contact_day[ids[new]] = day
        pop.first_pathway[ids[new]] = pathway[new]

    def _close_cohort(self, ids: np.ndarray, day: int) -> None:
        """Count people whose 12-month window after first contact is complete."""
        pop = self.population
        first = pop.first_contact_day[ids]
        done = ids[(first >= 0) & (day - first >= 365)]
        np.add.at(self.cohort[:, 0], pop.first_pathway[done], 1)
        np.add.at(self.cohort[:, 1], pop.first_pathway[done], pop.rearrested_12m[done])

    def _turnover(self, day: int) -> None:
        """Weekly, people whose time at risk is over leave and newcomers take their place."""
        pop = self.population
        if day % TURNOVER_DAYS:
            return
        ids = np.flatnonzero(pop.renewal_day <= day)
        if len(ids) == 0:
            return
        free = ((pop.state[ids] == State.COMMUNITY) & (pop.pending_charge[ids] == Charge.NONE)
                & ~pop.in_treatment[ids] & ~pop.housed[ids])
        pop.renewal_day[ids[~free]] = day + 30  # leave once out of custody and services
        ids = ids[free]
        self._close_cohort(ids, day)
        self.log(day, "renewal", ids)
        pop.renew(ids, day, self.p)
        pop.set_base_rates(ids, self.p, self.presence)
        self.reschedule(ids)

    def _account(self, day: int) -> None:
        pop, p, rec = self.population, self.p, self.record
        in_system = pop.state[pop.state != State.COMMUNITY]  # few: cheap to count
        states = np.bincount(in_system, minlength=len(State))
        jail = int(states[State.JAIL_PRETRIAL] + states[State.JAIL_SENTENCED])
        prison = int(states[State.PRISON])
        treat, house = self.services.treatment, self.services.housing
        self.ledger.charge(day, "jail", jail * p["jail_bed_day_cost"])
        self.ledger.charge(day, "prison", prison * p["prison_bed_day_cost"])
        self.ledger.charge(day, "lead_case_management",
                           self.program.staff_fte() * p["case_manager_annual_cost"] / 365.25)
        self.ledger.charge(day, "treatment", treat.occupied * p["treatment_day_cost"])
        self.ledger.charge(day, "housing", house.occupied * p["housing_day_cost"])
        supervised = np.count_nonzero((pop.supervision_end_day > day)
                                      & (pop.state < State.JAIL_PRETRIAL))
        self.ledger.charge(day, "supervision", supervised * p["supervision_day_cost"])
        rec.set_stocks(day, states, jail, prison, treat, house, self.program,
                       self.ledger.daily[day], supervised)

    def finish(self) -> None:
        """Close the 12-month re-arrest cohort at the end of the run."""
        self._close_cohort(self.population.ids, self.days - 1)
