"""People at risk, held as numpy arrays (one slot per person) rather than one object each.

A county run has tens of thousands of people and thousands of days, so per-person Python calls
would cap the model near a million person-days per second (docs/model.md, "Scale and speed").
Instead each attribute is an array, and each process touches only the people it concerns that
day.
Future events (next police contact, release, court date ...) are stored as the day they fall on,
drawn from the person's own random stream, and redrawn whenever the hazard behind them changes.

When a person stops being at risk (desists, moves, dies) their slot is refilled by a newcomer
with fresh attributes, so the population at risk stays the same size.

The functions below the class are compiled (:mod:`lead_sim.engine.jit`); they take the model's state
``w`` (:class:`lead_sim.engine.world.World`, whose ``people`` are this class's arrays) and the
parameter values ``p`` (:meth:`lead_sim.params.Params.numbers`).
"""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lead_sim.agents.states import NEED_URGENCY, NEVER, STATE_NAMES, Need, NeedStatus, State
from lead_sim.engine.jit import compiled, compiled_inline, ndtri, pdtrik
from lead_sim.engine.streams import day_key, uniforms, wait, waits_at

EVENT_ARRAYS = (
    "next_contact", "release_day", "disposition_day", "intake_day", "intake_deadline",
    "waitlist_exit_day", "engagement_day", "lead_exit_day", "treatment_end_day",
    "housing_end_day", "renewal_day", "violation_day",
)
ATTRIBUTES = (
    "area", "frailty", "severe_sud", "homeless", "mental_health", "sex_work", "violent_history",
    "dealing", "log_grams", "needs", "state", "case_manager", "engaged", "in_treatment", "housed",
    "held_charge", "pending_charge", "prior_convictions", "in_lieu_count", "episode_day",
    "episode_pathway", "episode_rearrest", "supervision_end_day", "rate", "base_rate", "uid",
    "next_uid", "reschedule", *EVENT_ARRAYS,
)

if TYPE_CHECKING:
    from lead_sim.engine.world import World
    from lead_sim.params import Values
People = namedtuple("People", ATTRIBUTES)


class Population:
    """Attributes, state and scheduled events of every person at risk."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.ids = np.arange(n)
        i8, i64, f8, b = np.int8, np.int64, np.float64, np.bool_
        self.uid = np.arange(n, dtype=i64)  # identity; a newcomer in a slot gets a new one
        self.next_uid = np.array([n], i64)
        # attributes
        self.area = np.zeros(n, np.int16)
        self.frailty = np.ones(n, f8)
        self.severe_sud = np.zeros(n, b)
        self.homeless = np.zeros(n, b)  # unhoused on entry (a trait; being housed is a service)
        self.mental_health = np.zeros(n, b)
        self.sex_work = np.zeros(n, b)
        self.violent_history = np.zeros(n, b)
        self.dealing = np.zeros(n, b)
        self.log_grams = np.zeros(n, f8)
        self.needs = np.zeros((n, len(Need)), i8)
        # state and services
        self.state = np.zeros(n, i8)
        self.case_manager = np.full(n, -1, np.int32)  # index in the programme's arrays
        self.engaged = np.zeros(n, b)
        self.in_treatment = np.zeros(n, b)
        self.housed = np.zeros(n, b)
        self.held_charge = np.zeros(n, i8)  # charge held during an arrest-diversion intake
        self.pending_charge = np.zeros(n, i8)  # filed charge awaiting disposition
        # record
        self.prior_convictions = np.zeros(n, np.int16)
        self.in_lieu_count = np.zeros(n, np.int16)
        self.episode_day = np.full(n, -1, i64)  # start of the running follow-up episode
        self.episode_pathway = np.zeros(n, i8)  # what its first contact led to
        self.episode_rearrest = np.full(n, -1, i64)  # days from its start to the first re-arrest
        self.supervision_end_day = np.zeros(n, np.int32)  # under supervision while day < this
        # scheduled events (day index; NEVER when none)
        self.rate = np.zeros(n, f8)
        self.base_rate = np.zeros(n, f8)  # hazard from attributes and place, before services
        self.reschedule = np.zeros(n, b)  # whose next contact is redrawn at the end of the day
        for name in EVENT_ARRAYS:
            setattr(self, name, np.full(n, NEVER, np.int32))

    def arrays(self) -> People:
        """The arrays themselves (not copies), for compiled code."""
        return People(*(getattr(self, name) for name in ATTRIBUTES))

    def view(self, slot: int) -> PersonView:
        """A read-only snapshot of one person, for inspection and the visualizer."""
        return PersonView(
            uid=int(self.uid[slot]), slot=slot, area=int(self.area[slot]),
            state=STATE_NAMES[self.state[slot]],
            severe_sud=bool(self.severe_sud[slot]), homeless=bool(self.homeless[slot]),
            housed=bool(self.housed[slot]), in_treatment=bool(self.in_treatment[slot]),
            case_manager=int(self.case_manager[slot]),
            prior_convictions=int(self.prior_convictions[slot]),
            contact_rate_per_year=float(self.rate[slot] * 365.25),
        )


@dataclass(frozen=True)
class PersonView:
    """One person as the visualizer and notebooks see them."""

    uid: int
    slot: int
    area: int
    state: str
    severe_sud: bool
    homeless: bool
    housed: bool
    in_treatment: bool
    case_manager: int
    prior_convictions: int
    contact_rate_per_year: float


# ---- compiled ---------------------------------------------------------------------------------
@compiled
def due(days: np.ndarray, day: int) -> np.ndarray:
    """Slots whose event (the array ``days``) falls on ``day``.

    Counted first, in a loop the compiler vectorises: on most days nothing is due, and the
    count alone (a fraction of a microsecond for thousands of people) settles it.
    """
    today = np.int32(day)  # event days are int32
    n = 0
    for value in days:
        n += value == today
    return _slots_where(days == today, n) if n else np.empty(0, np.int64)


@compiled
def _slots_where(flags: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` slots whose flag is set, in order."""
    out = np.empty(n, np.int64)
    j = 0
    for i in range(len(flags)):
        if flags[i]:
            out[j] = i
            j += 1
    return out


@compiled
def spawn(w: World, p: Values, ids: np.ndarray, day: int) -> None:
    """Give the slots ``ids`` new people with attributes drawn from their own streams."""
    pop = w.people
    u = uniforms(w.keys.attributes, day, ids, 11)
    sd = p.risk_heterogeneity
    for row in range(len(ids)):
        i = ids[row]
        pop.area[i] = np.searchsorted(w.place.area_cdf, u[row, 0])
        pop.frailty[i] = math.exp(sd * ndtri(u[row, 1]) - 0.5 * sd**2)
        pop.severe_sud[i] = u[row, 2] < p.share_severe_sud
        pop.homeless[i] = u[row, 3] < p.share_homeless
        pop.mental_health[i] = u[row, 4] < p.share_mental_health_need
        no_income = u[row, 5] < p.share_no_income
        pop.sex_work[i] = u[row, 6] < p.share_sex_work
        pop.violent_history[i] = u[row, 7] < p.share_violent_history
        pop.dealing[i] = u[row, 9] < p.share_dealing
        pop.log_grams[i] = math.log(p.median_grams) + 0.5 * ndtri(u[row, 8])
        mean_priors = max(p.mean_prior_convictions * pop.frailty[i], 1e-9)
        pop.prior_convictions[i] = min(math.ceil(pdtrik(u[row, 10], mean_priors)), 99)
        needs = (pop.homeless[i], pop.severe_sud[i], pop.mental_health[i],
                 pop.homeless[i] or no_income, no_income)
        for need in range(len(needs)):
            pop.needs[i, need] = NeedStatus.UNMET if needs[need] else NeedStatus.NONE
        _clear(pop, i)
    pop.renewal_day[ids] = day + waits_at(w.keys.renewal, day, ids,
                                          1.0 / (p.years_at_risk * 365.25))


@compiled
def _clear(pop, i: int) -> None:
    """A newcomer's slate: no state, services, charges, record of contact or scheduled event."""
    pop.case_manager[i] = -1
    pop.engaged[i] = pop.in_treatment[i] = pop.housed[i] = False
    pop.state[i] = pop.held_charge[i] = pop.pending_charge[i] = pop.episode_pathway[i] = 0
    pop.in_lieu_count[i] = pop.supervision_end_day[i] = 0
    pop.episode_day[i] = pop.episode_rearrest[i] = -1
    pop.next_contact[i] = pop.release_day[i] = pop.disposition_day[i] = NEVER
    pop.intake_day[i] = pop.intake_deadline[i] = pop.waitlist_exit_day[i] = NEVER
    pop.engagement_day[i] = pop.lead_exit_day[i] = pop.treatment_end_day[i] = NEVER
    pop.housing_end_day[i] = pop.renewal_day[i] = pop.violation_day[i] = NEVER


@compiled
def renew(w: World, p: Values, ids: np.ndarray, day: int) -> None:
    """Replace the people in ``ids`` by newcomers (new identities, fresh attributes)."""
    pop = w.people
    for row in range(len(ids)):
        pop.uid[ids[row]] = pop.next_uid[0] + row
    pop.next_uid[0] += len(ids)
    spawn(w, p, ids, day)


@compiled
def set_base_rates(w: World, p: Values, ids: np.ndarray) -> None:
    """Hazard from fixed attributes and place; services and LEAD modify it later."""
    pop = w.people
    for i in ids:
        rate = p.contact_rate * pop.frailty[i] * w.place.presence[pop.area[i]]
        if pop.severe_sud[i]:
            rate *= p.hr_severe_sud
        if pop.homeless[i]:
            rate *= p.hr_homeless
        if pop.mental_health[i]:
            rate *= p.hr_mental_health
        pop.base_rate[i] = rate


@compiled
def contact_rate(pop, p: Values, i: int) -> float:
    """Daily police-contact hazard of person ``i`` given attributes, services and state.

    Only people who have been in LEAD carry service effects; their factors multiply in a fixed
    order (treatment, housing, mental health, income, engagement).
    """
    needs = pop.needs[i]
    factor = 1.0
    treated = pop.in_treatment[i] or needs[Need.TREATMENT] == NeedStatus.MET
    if pop.severe_sud[i] and treated:
        factor = p.hr_treatment
    if pop.housed[i]:
        factor *= p.hr_housed
    if needs[Need.MENTAL_HEALTH] == NeedStatus.MET and pop.mental_health[i]:
        factor *= p.hr_mental_health_served
    if needs[Need.INCOME] == NeedStatus.MET:
        factor *= p.hr_income
    if pop.state[i] == State.LEAD_ACTIVE:
        factor *= p.hr_lead_engaged
    return pop.base_rate[i] * factor


@compiled
def contact_rates(w: World, p: Values, ids: np.ndarray) -> np.ndarray:
    """:func:`contact_rate` of each of ``ids``."""
    out = np.empty(len(ids))
    for row in range(len(ids)):
        out[row] = contact_rate(w.people, p, ids[row])
    return out


@compiled
def reschedule_contacts(w: World, p: Values, ids: np.ndarray, day: int) -> None:
    """Redraw the next police contact of ``ids`` from their current hazard.

    Waiting times are memoryless, so redrawing whenever the hazard changes is exact.
    People in custody have no contacts until released.
    """
    pop, key = w.people, day_key(w.keys.contact, day)
    for i in ids:
        if pop.state[i] < State.JAIL_PRETRIAL:
            rate = contact_rate(pop, p, i)
            pop.rate[i] = rate
            pop.next_contact[i] = day + wait(key, i, rate)
        else:
            pop.rate[i] = 0.0
            pop.next_contact[i] = NEVER


@compiled_inline
def mark_for_redraw(w: World, ids: np.ndarray) -> None:
    """Mark ``ids`` for a new next police contact, drawn at the end of the day.

    Drawing once, from the state a person ends the day in, gives the same result as redrawing
    after every change (the draw is keyed by person and day).
    """
    for i in ids:
        w.people.reschedule[i] = True


@compiled
def redraw_marked(w: World, p: Values, day: int) -> None:
    """The end-of-day redraw of everyone marked today (in slot order)."""
    flags = w.people.reschedule
    n = 0
    for flag in flags:
        n += flag
    if n == 0:
        return
    ids = _slots_where(flags, n)
    flags[ids] = False
    reschedule_contacts(w, p, ids, day)


@compiled
def top_need(pop, i: int) -> int:
    """Person ``i``'s most urgent unmet need (by NEED_URGENCY; the first of equals), or -1."""
    best, urgency = -1, 0.0
    for need in range(len(NEED_URGENCY)):
        if pop.needs[i, need] == NeedStatus.UNMET and NEED_URGENCY[need] > urgency:
            best, urgency = need, NEED_URGENCY[need]
    return best
