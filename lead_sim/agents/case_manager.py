"""LEAD's case managers: the staff arrays, and the Mesa agents that are views of them.

Case managers are Mesa agents; their number follows the programme budget (a full-time case
manager costs ``case_manager_annual_cost``) or, with ``staffing = "demand"``, grows to hold
everyone enrolled at the cap, with each one's hours following their caseload. A budget that does
not buy a whole number of case managers buys a part-time one for the remainder, with a caseload
in proportion. Without that (and without demand hours following caseloads), the small
populations used in sweeps (a few thousand people stand for the county's 20,000) would round the
pilot's staff down to none, and the budget's effect would move in steps.

The staff are arrays (:data:`Staff`, in the order they were hired, which decides ties) that the
compiled functions of :mod:`lead_sim.agents.case_management` work on; :class:`CaseManager`
agents are views of them.
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING

import mesa
import numpy as np

from lead_sim.agents.states import State
from lead_sim.agents.waitlist import Waitlist
from lead_sim.engine.jit import compiled

if TYPE_CHECKING:
    from lead_sim.model import LeadModel

# fte: full-time equivalent (caseload cap and cost scale with it); retiring: takes no one new
# and leaves when the caseload is empty; load: people on the caseload; serial: the agent's
# number; meta: [staff in the arrays, serials issued].
Staff = namedtuple("Staff", "fte retiring load serial meta")
COUNT, SERIALS = 0, 1


def new_staff(room: int) -> Staff:
    """Arrays for up to ``room`` case managers, none hired."""
    return Staff(np.zeros(room), np.zeros(room, np.bool_), np.zeros(room, np.int64),
                 np.zeros(room, np.int64), np.zeros(2, np.int64))


class CaseManager(mesa.Agent):
    """A case manager: a view of one row of the programme's staff arrays."""

    def __init__(self, model: LeadModel, serial: int) -> None:
        super().__init__(model)
        self.serial = serial

    @property
    def _row(self) -> int:
        staff = self.model.program.staff_arrays
        return int(np.flatnonzero(staff.serial[:staff.meta[COUNT]] == self.serial)[0])

    @property
    def fte(self) -> float:
        return float(self.model.program.staff_arrays.fte[self._row])

    @property
    def retiring(self) -> bool:
        return bool(self.model.program.staff_arrays.retiring[self._row])

    @property
    def caseload(self) -> set[int]:
        """Slots of the people on this case manager's caseload."""
        on = np.flatnonzero(self.model.population.case_manager == self._row)
        return set(on.tolist())

    def places(self) -> int:
        """Caseload places: the cap, in proportion to working time."""
        return round(self.fte * self.model.p["caseload_cap"])

    def load_factor(self) -> float:
        """Caseload relative to the design caseload (1 or less means work as designed)."""
        return len(self.caseload) / (self.fte * self.model.p["caseload_design"])


class Program:
    """The LEAD programme: referrals, intake, the waitlist and the case managers."""

    def __init__(self, model: LeadModel) -> None:
        self.model = model
        self.waitlist = Waitlist(model.population.n)
        self.staff_arrays = new_staff(model.population.n + 64)
        self._agents: dict[int, CaseManager] = {}

    @property
    def case_managers(self) -> list[CaseManager]:
        """The staff, in the order they were hired."""
        staff = self.staff_arrays
        return [self._agents[int(s)] for s in staff.serial[:staff.meta[COUNT]]]

    def sync_agents(self) -> None:
        """Create agents for newly hired staff and remove those who left."""
        staff = self.staff_arrays
        serials = set(staff.serial[:staff.meta[COUNT]].tolist())
        for serial in serials - self._agents.keys():
            self._agents[serial] = CaseManager(self.model, serial)
        for serial in self._agents.keys() - serials:
            self._agents.pop(serial).remove()

    def make_room(self, hires: int) -> bool:
        """Make the staff arrays hold ``hires`` more than the population could need; returns
        whether they were replaced (the model's state must then be rebuilt)."""
        staff, need = self.staff_arrays, self.model.population.n + hires + 64
        if len(staff.fte) - staff.meta[COUNT] >= need:
            return False
        size = len(staff.fte) + need
        grown = new_staff(size)
        for old, new in zip(staff, grown, strict=True):
            new[:len(old)] = old
        self.staff_arrays = grown
        return True

    def staff_fte(self) -> float:
        """Full-time equivalents on the payroll (retiring staff included until they leave)."""
        return staff_fte(self.staff_arrays)

    def working_fte(self) -> float:
        """Full-time equivalents taking participants (retiring staff excluded)."""
        return working_fte(self.staff_arrays)

    def capacity(self) -> int:
        """Caseload places across working case managers."""
        return capacity(self.staff_arrays, self.model.p["caseload_cap"])

    def enrolled(self) -> int:
        """Participants on a caseload or waiting for one."""
        staff = self.staff_arrays
        waiting = int(np.count_nonzero(self.model.population.state == State.LEAD_WAITLIST))
        return int(staff.load[:staff.meta[COUNT]].sum()) + waiting

# ---- staff arithmetic -------------------------------------------------------------------------
@compiled
def staff_fte(staff: Staff) -> float:
    total = 0.0
    for k in range(staff.meta[COUNT]):
        total += staff.fte[k]
    return total


@compiled
def working_fte(staff: Staff) -> float:
    total = 0.0
    for k in range(staff.meta[COUNT]):
        if not staff.retiring[k]:
            total += staff.fte[k]
    return total


@compiled
def places(staff: Staff, k: int, cap: float) -> int:
    """Caseload places of case manager ``k``: the cap, in proportion to working time (rounded
    half to even, as Python's round)."""
    return int(np.round(staff.fte[k] * cap))


@compiled
def capacity(staff: Staff, cap: float) -> int:
    total = 0
    for k in range(staff.meta[COUNT]):
        if not staff.retiring[k]:
            total += places(staff, k, cap)
    return total
