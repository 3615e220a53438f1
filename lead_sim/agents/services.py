"""Service pools (:data:`lead_sim.service_table.SERVICES`: treatment slots, housing units):
finite capacity with first-come waitlists.

Case managers refer participants (see :mod:`lead_sim.agents.case_management`); a referral waits
until a place frees up. Stays end at the rate the pool's 12-month retention gives (treatment 57%
still in care at 12 months, #50; housing 84% still housed, #55). An exit from a pool with
completions (treatment, the share in #52) is a completion, which leaves the need met, or a
drop-out, which leaves it unmet; an exit from any other pool leaves the need unmet. Custody ends
the stays the table says it ends (:mod:`lead_sim.justice.custody`).

The pools are arrays (:data:`Pools`, indexed by pool in the table's order) used by the compiled
functions below; :class:`Services` gives Python code their capacity and occupancy.
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from lead_sim.agents.population import due, mark_for_redraw
from lead_sim.agents.states import NEVER, POOL_COMPLETES, POOL_NEED, NeedStatus, State
from lead_sim.agents.waitlist import Waitlist, new_queue, pop_front
from lead_sim.agents.waitlist import withdraw as leave_queue
from lead_sim.engine.jit import compiled
from lead_sim.engine.streams import uniform_each, waits_at
from lead_sim.service_table import END, SERVICES, Service

if TYPE_CHECKING:
    from lead_sim.engine.world import World
    from lead_sim.model import LeadModel
    from lead_sim.params import Values

# capacity and occupied: places of each pool; queues: each pool's waitlist.
Pools = namedtuple("Pools", "capacity occupied queues")
# Whether a jail stay, and a prison term, ends a stay in each pool (the others keep it).
ENDS_IN_JAIL = tuple(service.jail == END for service in SERVICES)
ENDS_IN_PRISON = tuple(service.prison == END for service in SERVICES)


class ServicePool:
    """One pool as Python code sees it: its declaration, places and waitlist."""

    def __init__(self, services: Services, pool: int) -> None:
        self._services, self._pool = services, pool
        self.service: Service = SERVICES[pool]
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
    """The service pools of the LEAD programme, by name (``services["housing"]``), in the
    table's order when iterated."""

    def __init__(self, model: LeadModel) -> None:
        people = model.population.n
        self.arrays = Pools(np.zeros(len(SERVICES), np.int64), np.zeros(len(SERVICES), np.int64),
                            tuple(new_queue(people) for _ in SERVICES))
        self.pools = {s.name: ServicePool(self, pool) for pool, s in enumerate(SERVICES)}

    def __getitem__(self, name: str) -> ServicePool:
        return self.pools[name]

    def __iter__(self) -> Iterator[ServicePool]:
        return iter(self.pools.values())

    def set_capacity(self, places: Sequence[int]) -> None:
        """The places of each pool, in the table's order."""
        self.arrays.capacity[:] = places


@compiled
def withdraw(w: World, ids: np.ndarray) -> None:
    """Take ``ids`` off every pool's waitlist (their referrals were withdrawn)."""
    for queue in w.pools.queues:
        leave_queue(queue, ids)


@compiled
def step(w: World, p: Values, day: int) -> None:
    """End today's stays, pool by pool, then fill free places from the waitlists."""
    for pool in range(len(POOL_NEED)):
        _end_stays(w, p, pool, day)
    for pool in range(len(POOL_NEED)):
        _fill(w, p, pool, day)


@compiled
def _fill(w: World, p: Values, pool: int, day: int) -> None:
    """Admit the people ``pool`` has room for: their need is met while the stay lasts.

    Waiting entries whose referral went stale (the need no longer waits, the person left LEAD
    or is in custody) are skipped. Stays end at a constant hazard that leaves the pool's
    retention share still in place at 12 months; the length is drawn on admission.
    """
    pop, queue, need = w.people, w.pools.queues[pool], POOL_NEED[pool]
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
    pop.in_service[pool][ids] = True
    pop.needs[ids, need] = NeedStatus.MET
    rate = -math.log(p.service_retention[pool]) / 365.25
    pop.service_end_day[pool][ids] = day + waits_at(w.keys.service_end[pool], day, ids, rate)
    mark_for_redraw(w, ids)


@compiled
def _end_stays(w: World, p: Values, pool: int, day: int) -> None:
    """The stays in ``pool`` that end today: completions (in a pool that has them) leave the
    need met, other exits leave it unmet."""
    pop = w.people
    ids = due(pop.service_end_day[pool], day)
    if len(ids) == 0:
        return
    if POOL_COMPLETES[pool]:
        done = uniform_each(w.keys.service_done[pool], day, ids) < p.service_completion[pool]
    else:
        done = np.zeros(len(ids), np.bool_)
    _stop(w, pool, ids)
    need = POOL_NEED[pool]
    for row in range(len(ids)):
        pop.needs[ids[row], need] = NeedStatus.MET if done[row] else NeedStatus.UNMET
    mark_for_redraw(w, ids)


@compiled
def _stop(w: World, pool: int, ids: np.ndarray) -> None:
    w.people.in_service[pool][ids] = False
    w.people.service_end_day[pool][ids] = NEVER
    w.pools.occupied[pool] -= len(ids)


@compiled
def end_stays(w: World, pool: int, ids: np.ndarray) -> None:
    """End the stays of ``ids`` in ``pool`` early (custody): the place is freed and the need is
    unmet again."""
    if len(ids):
        _stop(w, pool, ids)
        w.people.needs[ids, POOL_NEED[pool]] = NeedStatus.UNMET
