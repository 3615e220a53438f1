"""Treatment slots and housing units: finite capacity with first-come waitlists.

Case managers refer participants (see :mod:`lead_sim.agents.case_manager`); a referral waits
until a slot frees up. Stays end by the retention rates in the registry: treatment 57% still in
care at 12 months (#50), housing 84% still housed at 12 months (#55). A treatment exit is a
completion with the share in #52, which leaves the need met; a drop-out leaves it unmet.

The pools are arrays (:data:`Pools`, pool :data:`TREATMENT` then :data:`HOUSING`) used by the
compiled functions below; :class:`Services` gives Python code their capacity and occupancy.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import TYPE_CHECKING

import numpy as np

from lead_sim.agents.population import due, mark_for_redraw
from lead_sim.agents.states import NEVER, Need, NeedStatus, State
from lead_sim.agents.waitlist import Waitlist, new_queue, pop_front
from lead_sim.agents.waitlist import withdraw as leave_queue
from lead_sim.engine.jit import compiled
from lead_sim.engine.streams import uniform_each, waits_at

if TYPE_CHECKING:
    from lead_sim.engine.world import World
    from lead_sim.model import LeadModel
    from lead_sim.params import Values

TREATMENT, HOUSING = 0, 1
# capacity and occupied: places of each pool; queues: each pool's waitlist.
Pools = namedtuple("Pools", "capacity occupied queues")


class ServicePool:
    """One pool as Python code sees it: its places and waitlist."""

    def __init__(self, services: Services, pool: int) -> None:
        self._services, self._pool = services, pool
        self.waitlist = Waitlist.viewing(services.arrays.queues[pool])

    @property
    def capacity(self) -> int:
        return int(self._services.arrays.capacity[self._pool])

    @property
    def occupied(self) -> int:
        return int(self._services.arrays.occupied[self._pool])

    def waiting(self) -> int:
        return len(self.waitlist)


class Services:
    """The treatment and housing pools of the LEAD programme."""

    def __init__(self, model: LeadModel) -> None:
        people = model.population.n
        self.arrays = Pools(np.zeros(2, np.int64), np.zeros(2, np.int64),
                            (new_queue(people), new_queue(people)))
        self.treatment = ServicePool(self, TREATMENT)
        self.housing = ServicePool(self, HOUSING)

    def set_capacity(self, treatment_slots: int, housing_units: int) -> None:
        self.arrays.capacity[:] = treatment_slots, housing_units


@compiled
def withdraw(w: World, ids: np.ndarray) -> None:
    """Take ``ids`` off both waitlists (their referrals were withdrawn)."""
    leave_queue(w.pools.queues[TREATMENT], ids)
    leave_queue(w.pools.queues[HOUSING], ids)


@compiled
def step(w: World, p: Values, day: int) -> None:
    """End today's stays, then fill free places from the waitlists."""
    _end_treatment(w, p, day)
    ids = due(w.people.housing_end_day, day)
    end_housing(w, ids)
    mark_for_redraw(w, ids)
    _fill(w, TREATMENT, Need.TREATMENT, w.people.in_treatment, w.people.treatment_end_day,
          p.treatment_retention_12m, w.keys.treatment_end, day)
    _fill(w, HOUSING, Need.HOUSING, w.people.housed, w.people.housing_end_day,
          p.housing_retention_12m, w.keys.housing_end, day)


@compiled
def _fill(w: World, pool: int, need: int, holds: np.ndarray, end_day: np.ndarray, retention: float,
          stream: np.uint64, day: int) -> None:
    """Admit the people ``pool`` has room for: their ``need`` is met while the stay lasts.

    Waiting entries whose referral went stale (the need no longer waits, the person left LEAD
    or is in custody) are skipped. Stays end at a constant hazard that leaves the ``retention``
    share still in place at 12 months; the length is drawn from ``stream`` on admission.
    """
    pop, queue = w.people, w.pools.queues[pool]
    admitted = []
    while w.pools.occupied[pool] + len(admitted) < w.pools.capacity[pool]:
        person = pop_front(queue)
        if person < 0:
            break
        if (pop.needs[person, need] == NeedStatus.WAITING and pop.case_manager[person] >= 0
                and pop.state[person] < State.JAIL_PRETRIAL):
            admitted.append(person)
    w.pools.occupied[pool] += len(admitted)
    if len(admitted) == 0:
        return
    ids = np.array(admitted, np.int64)
    holds[ids] = True
    pop.needs[ids, need] = NeedStatus.MET
    end_day[ids] = day + waits_at(stream, day, ids, -math.log(retention) / 365.25)
    mark_for_redraw(w, ids)


@compiled
def _end_treatment(w: World, p: Values, day: int) -> None:
    pop = w.people
    ids = due(pop.treatment_end_day, day)
    if len(ids) == 0:
        return
    completed = uniform_each(w.keys.treatment_done, day, ids) < p.treatment_completion
    _stop_treatment(w, ids)
    for row in range(len(ids)):
        pop.needs[ids[row], Need.TREATMENT] = (NeedStatus.MET if completed[row]
                                               else NeedStatus.UNMET)
    mark_for_redraw(w, ids)


@compiled
def _stop_treatment(w: World, ids: np.ndarray) -> None:
    w.people.in_treatment[ids] = False
    w.people.treatment_end_day[ids] = NEVER
    w.pools.occupied[TREATMENT] -= len(ids)


@compiled
def interrupt_treatment(w: World, ids: np.ndarray) -> None:
    """Custody interrupts treatment: the place is freed and the need is unmet again."""
    if len(ids):
        _stop_treatment(w, ids)
        w.people.needs[ids, Need.TREATMENT] = NeedStatus.UNMET


@compiled
def end_housing(w: World, ids: np.ndarray) -> None:
    """People leave their housing unit and are unhoused again."""
    if len(ids) == 0:
        return
    w.people.housed[ids] = False
    w.people.housing_end_day[ids] = NEVER
    w.people.needs[ids, Need.HOUSING] = NeedStatus.UNMET
    w.pools.occupied[HOUSING] -= len(ids)
