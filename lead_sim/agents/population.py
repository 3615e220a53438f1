"""People at risk, held as numpy arrays (one slot per person) rather than one object each.

A county run has tens of thousands of people and thousands of days, so per-person Python calls
would cap the model near a million person-days per second (docs/model.md, "Scale and speed").
Instead each attribute is an array (all declared once, in :data:`FIELDS`), and each process
touches only the people it concerns that day.
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
from typing import TYPE_CHECKING, Any

import numpy as np
from numba import literal_unroll

from lead_sim.agents.states import (
    NEED_POOL,
    NEED_URGENCY,
    NEVER,
    POOL_COMPLETES,
    POOL_NEED,
    STATE_NAMES,
    Charge,
    Need,
    NeedStatus,
    Pathway,
    State,
)
from lead_sim.engine.jit import compiled, compiled_inline, ndtri, pdtrik
from lead_sim.engine.streams import day_key, uniform_each, uniforms, wait, waits_at
from lead_sim.groups import GROUPS
from lead_sim.service_table import SERVICES

if TYPE_CHECKING:
    from lead_sim.engine.world import World
    from lead_sim.params import Values


@dataclass(frozen=True)
class Field:
    """One per-person array.

    Every slot holds ``fill`` when the population is made; a ``renewed`` field gets it again
    when a newcomer takes the slot (:func:`spawn`), the others are drawn by spawning or set by
    the model right after. ``low`` and ``high`` bound the values it may hold (:func:`check`).
    ``width`` is the number of values per person (0: one).
    """

    name: str
    dtype: Any
    fill: Any = 0
    renewed: bool = False
    low: float = -math.inf
    high: float = math.inf
    width: int = 0


def _flag(name: str, renewed: bool = False) -> Field:
    return Field(name, np.bool_, fill=False, renewed=renewed)


def _code(name: str, codes: Any) -> Field:
    """One of ``codes`` (:mod:`lead_sim.agents.states`), 0 for a newcomer."""
    return Field(name, np.int8, renewed=True, low=0, high=len(codes) - 1)


LAST_GROUP = len(GROUPS) - 1  # a uniform past the last cumulative share (rounding) takes it

# Scheduled events: the day each falls on, NEVER when none (a newcomer has none). Each service
# pool adds the day its stay ends (<name>_end_day).
EVENT_ARRAYS = (
    "next_contact", "release_day", "disposition_day", "intake_day", "intake_deadline",
    "waitlist_exit_day", "engagement_day", "lead_exit_day", "renewal_day", "violation_day",
    *(f"{service.name}_end_day" for service in SERVICES),
)
#: Every per-person array, declared once: :class:`Population` makes them, :func:`spawn` renews
#: them for a newcomer, :func:`check` checks them.
FIELDS: tuple[Field, ...] = (
    Field("uid", np.int64, low=0),  # identity (the slot's number at first); renew gives a new one
    # attributes, drawn by spawn
    Field("area", np.int16, low=0),
    Field("frailty", np.float64, fill=1.0, low=0.0),
    *(_flag(name) for name in ("severe_sud", "homeless", "mental_health", "sex_work",
                               "violent_history", "dealing")),  # homeless: unhoused on entry
    Field("log_grams", np.float64),
    Field("needs", np.int8, low=0, high=len(NeedStatus) - 1, width=len(Need)),
    Field("prior_convictions", np.int16, low=0),
    Field("group", np.int8, low=0, high=len(GROUPS) - 1),  # race/ethnicity (lead_sim.groups)
    # state and services: a newcomer has none
    _code("state", State),
    Field("case_manager", np.int32, fill=-1, renewed=True, low=-1),  # row in the staff arrays
    _flag("engaged", True),
    *(_flag(service.occupancy, True) for service in SERVICES),  # holds a place of the pool
    _code("held_charge", Charge),  # charge held during an arrest-diversion intake
    _code("pending_charge", Charge),  # filed charge awaiting disposition
    # record
    Field("in_lieu_count", np.int16, renewed=True, low=0),
    # the running re-arrest follow-up episode (lead_sim.agents.police): its start (-1: none),
    # what its first contact led to, and the days from its start to the first re-arrest
    Field("episode_day", np.int64, fill=-1, renewed=True, low=-1),
    _code("episode_pathway", Pathway),
    Field("episode_rearrest", np.int64, fill=-1, renewed=True, low=-1),
    Field("supervision_end_day", np.int32, renewed=True, low=0),  # supervised while day < this
    # the contact hazard, set by the model after spawning
    Field("rate", np.float64, low=0.0),
    Field("base_rate", np.float64, low=0.0),  # from attributes and place, before services
    _flag("reschedule"),  # whose next contact is redrawn at the end of the day
    *(Field(name, np.int32, fill=NEVER, renewed=True, low=0) for name in EVENT_ARRAYS),
)
# What compiled code gets (:meth:`Population.arrays`): every field; the next identity to give;
# by service pool, the flags of holding a place and the days stays end; and the slate, each
# renewed field with the value a newcomer gets.
People = namedtuple("People", (*(f.name for f in FIELDS), "next_uid", "in_service",
                               "service_end_day", "slate"))


class Population:
    """Attributes, state and scheduled events of every person at risk (the arrays of
    :data:`FIELDS`, as attributes of the same names)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.ids = np.arange(n)
        for field in FIELDS:
            setattr(self, field.name,
                    np.full((n, field.width) if field.width else n, field.fill, field.dtype))
        self.uid[:] = self.ids
        self.next_uid = np.array([n], np.int64)

    def arrays(self) -> People:
        """The arrays themselves (not copies), for compiled code."""
        return People(
            *(getattr(self, field.name) for field in FIELDS), next_uid=self.next_uid,
            in_service=tuple(getattr(self, s.occupancy) for s in SERVICES),
            service_end_day=tuple(getattr(self, f"{s.name}_end_day") for s in SERVICES),
            slate=tuple((getattr(self, field.name), np.dtype(field.dtype).type(field.fill))
                        for field in FIELDS if field.renewed))

    def view(self, slot: int) -> PersonView:
        """A read-only snapshot of one person, for inspection and the visualizer."""
        return PersonView(
            uid=int(self.uid[slot]), slot=slot, area=int(self.area[slot]),
            state=STATE_NAMES[self.state[slot]],
            severe_sud=bool(self.severe_sud[slot]), homeless=bool(self.homeless[slot]),
            services=tuple(s.name for s in SERVICES if getattr(self, s.occupancy)[slot]),
            case_manager=int(self.case_manager[slot]),
            prior_convictions=int(self.prior_convictions[slot]),
            contact_rate_per_year=float(self.rate[slot] * 365.25),
            group=GROUPS[self.group[slot]],
        )


def check(pop: Population) -> list[str]:
    """The fields holding a value outside their declared bounds (none, in a sound model)."""
    wrong = []
    for field in FIELDS:
        values = getattr(pop, field.name)
        if field.dtype is not np.bool_ and len(values) and (
                values.min() < field.low or values.max() > field.high or np.isnan(values).any()):
            wrong.append(field.name)
    return wrong


@dataclass(frozen=True)
class PersonView:
    """One person as the visualizer and notebooks see them."""

    uid: int
    slot: int
    area: int
    state: str
    severe_sud: bool
    homeless: bool
    services: tuple[str, ...]  # the service pools they hold a place in
    case_manager: int
    prior_convictions: int
    contact_rate_per_year: float
    group: str = ""  # race/ethnicity (lead_sim.groups.GROUPS)


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
    """Give the slots ``ids`` new people with attributes drawn from their own streams.

    The race/ethnicity group has a stream of its own (drawn with the shares of the person's
    area), so it leaves every other draw as it was; its mechanism ratios (1 by default) scale
    the chance of a violent history and the mean prior record.
    """
    pop = w.people
    u = uniforms(w.keys.attributes, day, ids, 11)
    u_group = uniform_each(w.keys.group, day, ids)
    sd = p.risk_heterogeneity
    for row in range(len(ids)):
        i = ids[row]
        area = np.searchsorted(w.place.area_cdf, u[row, 0])
        pop.area[i] = area
        group = min(np.searchsorted(w.place.group_cdf[area], u_group[row]), LAST_GROUP)
        pop.group[i] = group
        pop.frailty[i] = math.exp(sd * ndtri(u[row, 1]) - 0.5 * sd**2)
        pop.severe_sud[i] = u[row, 2] < p.share_severe_sud
        pop.homeless[i] = u[row, 3] < p.share_homeless
        pop.mental_health[i] = u[row, 4] < p.share_mental_health_need
        no_income = u[row, 5] < p.share_no_income
        pop.sex_work[i] = u[row, 6] < p.share_sex_work
        violent = p.share_violent_history * p.group_violent_history[group]
        pop.violent_history[i] = u[row, 7] < violent
        pop.dealing[i] = u[row, 9] < p.share_dealing
        pop.log_grams[i] = math.log(p.median_grams) + 0.5 * ndtri(u[row, 8])
        mean_priors = max(p.mean_prior_convictions * pop.frailty[i] * p.group_priors[group],
                          1e-9)
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
    """A newcomer's slate: every renewed field (:data:`FIELDS`) back to its fill, so no state,
    services, charges, record of contact or scheduled event."""
    for field in literal_unroll(pop.slate):
        field[0][i] = field[1]


@compiled_inline
def renew(w: World, p: Values, ids: np.ndarray, day: int) -> None:
    """Replace the people in ``ids`` by newcomers (new identities, fresh attributes)."""
    pop, at_risk = w.people, w.books.at_risk
    for row in range(len(ids)):
        pop.uid[ids[row]] = pop.next_uid[0] + row
        at_risk[pop.group[ids[row]], pop.area[ids[row]]] -= 1
    pop.next_uid[0] += len(ids)
    spawn(w, p, ids, day)
    for i in ids:
        at_risk[pop.group[i], pop.area[i]] += 1


@compiled
def set_base_rates(w: World, p: Values, ids: np.ndarray) -> None:
    """Hazard from fixed attributes and place; services and LEAD modify it later."""
    pop = w.people
    for i in ids:
        rate = (p.contact_rate * pop.frailty[i] * w.place.presence[pop.area[i]]
                * p.group_contact[pop.group[i]])
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
    order (each service pool in the table's order, mental health, income, engagement). A pool's
    effect lasts while the person holds a place and, after a completion, while the need stays
    met; a need met by a pool has the pool's effect only.
    """
    needs = pop.needs[i]
    factor = 1.0
    for pool in range(len(POOL_NEED)):
        if pop.in_service[pool][i] or (POOL_COMPLETES[pool]
                                       and needs[POOL_NEED[pool]] == NeedStatus.MET):
            factor *= p.service_hazard_ratio[pool]
    if (needs[Need.MENTAL_HEALTH] == NeedStatus.MET and pop.mental_health[i]
            and NEED_POOL[Need.MENTAL_HEALTH] < 0):
        factor *= p.hr_mental_health_served
    if needs[Need.INCOME] == NeedStatus.MET and NEED_POOL[Need.INCOME] < 0:
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
