"""LEAD case management: intake, the waitlist, caseloads, engagement and needs.

A referral (arrest diversion or social contact) opens an intake window (30 days, O10). People
who complete the assessment are enrolled and wait, in order, for a case manager with room under
the caseload cap (design 20-25, observed 44 in 2019, O16). Case managers work on each active
participant's most urgent unmet need; above the design caseload that work slows in proportion,
and engagement lapses sooner. Engagement can lapse and resume: there is no fail-out (O18).
Participants leave the caseload after a spell of six months to two years or more (O18).

Case managers are Mesa agents; their number follows the programme budget (a full-time case
manager costs ``case_manager_annual_cost``) or, with ``staffing = "demand"``, grows to hold
everyone enrolled at the cap, with each one's hours following their caseload. A budget that does
not buy a whole number of case managers buys a part-time one for the remainder, with a caseload
in proportion. Without that (and without demand hours following caseloads), the small
populations used in sweeps (a few thousand people stand for the county's 20,000) would round the
pilot's staff down to none, and the budget's effect would move in steps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from lead_sim.agents.states import NEVER, Charge, Need, NeedStatus, State
from lead_sim.agents.waitlist import Waitlist

if TYPE_CHECKING:
    from lead_sim.model import LeadModel

DAYS_PER_MONTH = 30.44
REVIEW_DAYS = 7  # case managers review each caseload weekly


class CaseManager(mesa.Agent):
    """A case manager and the participants (slots) on their caseload."""

    def __init__(self, model: LeadModel, fte: float = 1.0) -> None:
        super().__init__(model)
        self.fte = fte  # full-time equivalent: caseload cap and cost scale with it
        self.caseload: set[int] = set()
        self.retiring = False  # takes no new participants; leaves when the caseload is empty

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
        self.case_managers: list[CaseManager] = []
        self.waitlist = Waitlist()

    # ---- staffing ------------------------------------------------------------------------------
    def staff(self) -> None:
        """Match the working case managers to the budget (or to demand).

        The posts are whole case managers plus at most one part-time one. They go to the staff
        with the largest caseloads first, retiring staff included (a restored budget brings
        them back), so participants keep their case manager. A case manager whose hours would
        be cut below what their caseload needs retires instead, and a new one takes the post;
        surplus staff retire. Retiring staff take no one new and are paid until their caseload
        is empty, so a budget cut takes effect as caseloads drain.
        """
        p = self.model.p
        cap = p["caseload_cap"]
        if p["staffing"] == "demand":
            self._staff_to_demand(cap)
            return
        target = self.model.budget() * p["case_management_share"] / p["case_manager_annual_cost"]
        whole, part = divmod(target, 1.0)
        posts = [1.0] * int(whole) + ([part] if round(part * cap) >= 1 else [])
        staff = iter(sorted(self.case_managers, key=lambda cm: len(cm.caseload), reverse=True))
        for fte in posts:
            cm = next(staff, None)
            if cm is not None and (fte >= cm.fte or len(cm.caseload) <= round(fte * cap)):
                cm.fte, cm.retiring = fte, False
                continue
            if cm is not None:
                cm.retiring = True
            self.case_managers.append(CaseManager(self.model, fte))
        for cm in staff:
            cm.retiring = True
        self._remove_retired()

    def _staff_to_demand(self, cap: int) -> None:
        """Hours follow caseloads: each case manager works the hours their caseload needs at
        the cap (full time at most), and the people waiting get places from those with room,
        then from new hires. Payroll is then in exact proportion to enrolment, at any sample
        size; whole-person hiring would cost a small sample a full salary for a few people.
        """
        need = len(self.waitlist)
        for cm in sorted(self.case_managers, key=lambda c: len(c.caseload), reverse=True):
            room = max(cap - len(cm.caseload), 0)
            add = min(room, need)
            need -= add
            cm.fte, cm.retiring = min(len(cm.caseload) + add, cap) / cap, False
        while need > 0:
            add = min(cap, need)
            need -= add
            self.case_managers.append(CaseManager(self.model, add / cap))
        for cm in [cm for cm in self.case_managers if cm.fte == 0]:
            self.case_managers.remove(cm)
            cm.remove()

    def staff_fte(self) -> float:
        """Full-time equivalents on the payroll (retiring staff included until they leave)."""
        return sum(cm.fte for cm in self.case_managers)

    def working_fte(self) -> float:
        """Full-time equivalents taking participants (retiring staff excluded)."""
        return sum(cm.fte for cm in self.case_managers if not cm.retiring)

    def _remove_retired(self) -> None:
        for cm in [cm for cm in self.case_managers if cm.retiring and not cm.caseload]:
            self.case_managers.remove(cm)
            cm.remove()

    def enrolled(self) -> int:
        """Participants on a caseload or waiting for one."""
        waiting = int(np.count_nonzero(self.model.population.state == State.LEAD_WAITLIST))
        return sum(len(cm.caseload) for cm in self.case_managers) + waiting

    def capacity(self) -> int:
        """Caseload places across working case managers."""
        return sum(cm.places() for cm in self.case_managers if not cm.retiring)

    # ---- referral and intake -------------------------------------------------------------------
    def refer(self, ids: np.ndarray, held: np.ndarray, day: int) -> None:
        """Open an intake for ``ids``; ``held`` is the charge held in abeyance (arrests only)."""
        m, pop, p = self.model, self.model.population, self.model.p
        if len(ids) == 0:
            return
        window = p["intake_window_days"]
        rate = -np.log(1.0 - min(p["intake_completion"], 0.999)) / window
        wait = m.streams.waits("intake", day, ids, rate)
        pop.state[ids] = State.LEAD_INTAKE
        pop.held_charge[ids] = held
        pop.intake_day[ids] = np.where(wait <= window, day + wait, NEVER)
        pop.intake_deadline[ids] = np.where(wait <= window, NEVER, day + window)

    def cancel_intake(self, ids: np.ndarray, day: int) -> None:
        """Drop pending intakes and waitlist places (the person went into custody).

        A charge held while intake was pending is filed, as when the intake window runs out:
        the intake was not completed (O10).
        """
        from lead_sim.legal import file_charges

        m, pop = self.model, self.model.population
        if len(ids) == 0:  # the usual case: enter_custody calls this for every admission
            return
        held = pop.held_charge[ids]
        pop.intake_day[ids] = NEVER
        pop.intake_deadline[ids] = NEVER
        pop.held_charge[ids] = Charge.NONE
        self.waitlist.withdraw(ids)
        filed = held != Charge.NONE
        file_charges(m, ids[filed], held[filed], day, kind="held_filing")

    def intake(self, day: int) -> None:
        """Complete today's assessments and file held charges where the window ran out."""
        m, pop = self.model, self.model.population
        done = pop.due("intake_day", day)
        if len(done):
            pop.intake_day[done] = NEVER
            pop.held_charge[done] = Charge.NONE  # charges are not filed after intake (O10)
            pop.state[done] = State.LEAD_WAITLIST
            self.waitlist.extend(int(i) for i in done)
            patience = 1.0 / m.p["waitlist_patience_days"]
            pop.waitlist_exit_day[done] = day + m.streams.waits("patience", day, done, patience)
            m.count(day, "lead_enrollments", len(done))
            m.log(day, "intake", done)
        gave_up = pop.due("waitlist_exit_day", day)
        if len(gave_up):
            gave_up = gave_up[pop.state[gave_up] == State.LEAD_WAITLIST]
            pop.waitlist_exit_day[gave_up] = NEVER
            pop.state[gave_up] = State.COMMUNITY
            self.waitlist.withdraw(gave_up)
        lapsed = pop.due("intake_deadline", day)
        if len(lapsed):
            from lead_sim.legal import file_charges

            held = pop.held_charge[lapsed]
            pop.intake_deadline[lapsed] = NEVER
            pop.held_charge[lapsed] = Charge.NONE
            pop.state[lapsed] = State.COMMUNITY
            file_charges(m, lapsed[held != Charge.NONE], held[held != Charge.NONE], day)

    # ---- caseloads ------------------------------------------------------------------------------
    def assign(self, day: int) -> None:
        """Move people from the front of the waitlist onto caseloads with room."""
        m, pop, p = self.model, self.model.population, self.model.p
        if p["staffing"] == "demand":
            self.staff()
        if len(self.waitlist) == 0:  # nobody waits on most days (stale entries are skipped later)
            return
        open_cms = [cm for cm in self.case_managers
                    if not cm.retiring and len(cm.caseload) < cm.places()]
        assigned: list[int] = []
        while open_cms:
            person = self.waitlist.popleft()
            if person is None:
                break
            cm = min(open_cms, key=lambda c: len(c.caseload) / c.fte)
            cm.caseload.add(person)
            pop.case_manager[person] = cm.unique_id
            assigned.append(person)
            if len(cm.caseload) >= cm.places():
                open_cms.remove(cm)
        if assigned:
            ids = np.array(assigned, dtype=np.int64)
            pop.state[ids] = State.LEAD_ACTIVE
            pop.waitlist_exit_day[ids] = NEVER
            pop.engaged[ids] = True
            months = p["enrolment_months"] * DAYS_PER_MONTH
            pop.lead_exit_day[ids] = day + m.streams.waits("lead_exit", day, ids, 1.0 / months)
            self._schedule_engagement(ids, day)
            m.log(day, "caseload_start", ids)
            m.reschedule(ids)

    def _load_of(self, ids: np.ndarray) -> np.ndarray:
        """Load factor of each person's case manager (1 where they have none)."""
        top = max((cm.unique_id for cm in self.case_managers), default=0)
        table = np.ones(top + 2)  # the last entry serves case_manager == -1
        for cm in self.case_managers:
            table[cm.unique_id] = cm.load_factor()
        return table[self.model.population.case_manager[ids]]

    def _schedule_engagement(self, ids: np.ndarray, day: int) -> None:
        """Draw when each person's engagement next lapses (if engaged) or resumes."""
        m, pop, p = self.model, self.model.population, self.model.p
        overload = np.maximum(self._load_of(ids), 1.0)
        lapse = overload / (p["engaged_months"] * DAYS_PER_MONTH)
        resume = 1.0 / (p["inactive_months"] * DAYS_PER_MONTH)
        rate = np.where(pop.engaged[ids], lapse, resume)
        pop.engagement_day[ids] = day + m.streams.waits("engagement", day, ids, rate)

    def switch_engagement(self, day: int) -> None:
        """Engagement lapses or resumes for those due today (custody keeps the flag only)."""
        m, pop = self.model, self.model.population
        ids = pop.due("engagement_day", day)
        if len(ids) == 0:
            return
        pop.engaged[ids] = ~pop.engaged[ids]
        free = ids[pop.state[ids] < State.JAIL_PRETRIAL]
        pop.state[free] = np.where(pop.engaged[free], State.LEAD_ACTIVE, State.LEAD_INACTIVE)
        self._schedule_engagement(ids, day)
        m.reschedule(free)

    def work_on_needs(self, day: int) -> None:
        """Case managers resolve or refer each active participant's most urgent need.

        Caseloads are reviewed once a week (REVIEW_DAYS), with the chance of progress over
        the week; this costs a seventh of a daily review and changes nothing of substance.
        """
        m, pop, p = self.model, self.model.population, self.model.p
        if day % REVIEW_DAYS or not self.case_managers:
            return
        ids = np.flatnonzero(pop.state == State.LEAD_ACTIVE)
        if len(ids) == 0:
            return
        need, has = pop.top_needs(ids)
        ids, need = ids[has], need[has]
        effectiveness = np.minimum(1.0, 1.0 / np.maximum(self._load_of(ids), 1e-9))
        chance = 1.0 - np.exp(-REVIEW_DAYS * effectiveness / p["need_work_days"])
        done = m.streams.uniform("need_work", day, ids) < chance
        ids, need = ids[done], need[done]
        for service, pool in ((Need.TREATMENT, m.services.treatment),
                              (Need.HOUSING, m.services.housing)):
            referred = ids[need == service]
            pop.needs[referred, service] = NeedStatus.WAITING
            pool.request(referred)
        direct = (need != Need.TREATMENT) & (need != Need.HOUSING)
        pop.needs[ids[direct], need[direct]] = NeedStatus.MET
        m.reschedule(ids[direct])

    def discharge(self, ids: np.ndarray, day: int) -> None:
        """Take ``ids`` off their caseloads (end of enrolment, or prison)."""
        m, pop = self.model, self.model.population
        if len(ids) == 0:
            return
        by_id = {cm.unique_id: cm for cm in self.case_managers}
        for person, cm_id in zip(ids, pop.case_manager[ids]):
            by_id[int(cm_id)].caseload.discard(int(person))
        pop.case_manager[ids] = -1
        pop.engaged[ids] = False
        pop.lead_exit_day[ids] = NEVER
        pop.engagement_day[ids] = NEVER
        m.log(day, "lead_exit", ids)
        free = ids[pop.state[ids] < State.JAIL_PRETRIAL]
        pop.state[free] = State.COMMUNITY
        m.reschedule(free)
        self._remove_retired()

    def drop_service_waits(self, ids: np.ndarray) -> None:
        """Needs waiting on a service become unmet again (the referral is withdrawn)."""
        pop = self.model.population
        if len(ids) == 0:
            return
        needs = pop.needs.take(ids, axis=0)  # as pop.needs[ids], faster for a few rows
        waiting = needs == NeedStatus.WAITING
        if waiting.any():
            needs[waiting] = NeedStatus.UNMET
            pop.needs[ids] = needs
            self.model.services.withdraw(ids[waiting.any(axis=1)])

    def exits(self, day: int) -> None:
        """Participants whose enrolment ends today leave their caseloads."""
        ids = self.model.population.due("lead_exit_day", day)
        self.discharge(ids, day)
        self.drop_service_waits(ids)

    def step(self, day: int) -> None:
        """The programme's day: intake, exits, assignment, engagement, then needs work."""
        self.intake(day)
        self.exits(day)
        self.assign(day)
        self.switch_engagement(day)
        self.work_on_needs(day)
