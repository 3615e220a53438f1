"""Treatment slots and housing units: finite capacity with first-come waitlists.

Case managers refer participants (see :mod:`lead_sim.agents.case_manager`); a referral waits
until a slot frees up. Stays end by the retention rates in the registry: treatment 57% still in
care at 12 months (#50), housing 84% still housed at 12 months (#55). A treatment exit is a
completion with the share in #52, which leaves the need met; a drop-out leaves it unmet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lead_sim.agents.states import NEVER, Need, NeedStatus, State
from lead_sim.agents.waitlist import Waitlist

if TYPE_CHECKING:
    from lead_sim.model import LeadModel


class ServicePool:
    """A fixed number of places and a first-in, first-out waitlist."""

    def __init__(self) -> None:
        self.capacity = 0
        self.occupied = 0
        self.waitlist = Waitlist()

    def request(self, ids: np.ndarray) -> None:
        self.waitlist.extend(ids)

    def take(self, still_wanted) -> np.ndarray:
        """Pop waiting people into free places; ``still_wanted(ids)`` filters stale entries."""
        admitted: list[int] = []
        while self.occupied + len(admitted) < self.capacity:
            person = self.waitlist.popleft()
            if person is None:
                break
            if still_wanted(np.array([person]))[0]:
                admitted.append(person)
        self.occupied += len(admitted)
        return np.array(admitted, dtype=np.int64)

    def waiting(self) -> int:
        return len(self.waitlist)


class Services:
    """The treatment and housing pools of the LEAD programme."""

    def __init__(self, model: LeadModel) -> None:
        self.model = model
        self.treatment = ServicePool()
        self.housing = ServicePool()

    def set_capacity(self, treatment_slots: int, housing_units: int) -> None:
        self.treatment.capacity = treatment_slots
        self.housing.capacity = housing_units

    def withdraw(self, ids: np.ndarray) -> None:
        """Take ``ids`` off both waitlists (their referrals were withdrawn)."""
        self.treatment.waitlist.withdraw(ids)
        self.housing.waitlist.withdraw(ids)

    def step(self, day: int) -> None:
        """End today's stays, then fill free places from the waitlists."""
        self._end_treatment(day)
        self._end_housing(day)
        self._admit(day)

    def _still_wanted(self, need: Need):
        pop = self.model.population

        def wanted(ids: np.ndarray) -> np.ndarray:
            return ((pop.needs[ids, need] == NeedStatus.WAITING) & (pop.case_manager[ids] >= 0)
                    & (pop.state[ids] < State.JAIL_PRETRIAL))
        return wanted

    def _admit(self, day: int) -> None:
        """Fill free treatment slots, then free housing units, from their waitlists."""
        pop = self.model.population
        self._fill(self.treatment, Need.TREATMENT, pop.in_treatment, pop.treatment_end_day,
                   "treatment_retention_12m", "treatment_end", day)
        self._fill(self.housing, Need.HOUSING, pop.housed, pop.housing_end_day,
                   "housing_retention_12m", "housing_end", day)

    def _fill(self, pool: ServicePool, need: Need, holds: np.ndarray, end_day: np.ndarray,
              retention: str, stream: str, day: int) -> None:
        """Admit the people ``pool`` has room for: their ``need`` is met while the stay lasts.

        Stays end at a constant hazard that leaves the ``retention`` parameter's share still in
        place at 12 months; the length is drawn from ``stream`` on admission. Both pools work
        the same way; only the arrays, parameter and stream differ.
        """
        m = self.model
        ids = pool.take(self._still_wanted(need))
        if len(ids) == 0:
            return
        holds[ids] = True
        m.population.needs[ids, need] = NeedStatus.MET
        rate = -np.log(m.p[retention]) / 365.25
        end_day[ids] = day + m.streams.waits(stream, day, ids, rate)
        m.reschedule(ids)

    def _end_treatment(self, day: int) -> None:
        m, pop = self.model, self.model.population
        ids = pop.due("treatment_end_day", day)
        if len(ids) == 0:
            return
        completed = m.streams.uniform("treatment_done", day, ids) < m.p["treatment_completion"]
        self._stop_treatment(ids)
        pop.needs[ids, Need.TREATMENT] = np.where(completed, NeedStatus.MET, NeedStatus.UNMET)
        m.reschedule(ids)

    def _stop_treatment(self, ids: np.ndarray) -> None:
        pop = self.model.population
        pop.in_treatment[ids] = False
        pop.treatment_end_day[ids] = NEVER
        self.treatment.occupied -= len(ids)

    def interrupt_treatment(self, ids: np.ndarray) -> None:
        """Custody interrupts treatment: the place is freed and the need is unmet again."""
        if len(ids):
            self._stop_treatment(ids)
            self.model.population.needs[ids, Need.TREATMENT] = NeedStatus.UNMET

    def _end_housing(self, day: int) -> None:
        ids = self.model.population.due("housing_end_day", day)
        self.end_housing(ids)
        self.model.reschedule(ids)

    def end_housing(self, ids: np.ndarray) -> None:
        """People leave their housing unit and are unhoused again."""
        if len(ids) == 0:
            return
        pop = self.model.population
        pop.housed[ids] = False
        pop.housing_end_day[ids] = NEVER
        pop.needs[ids, Need.HOUSING] = NeedStatus.UNMET
        self.housing.occupied -= len(ids)
