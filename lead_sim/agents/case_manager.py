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

The staff are arrays (:data:`Staff`, in the order they were hired, which decides ties) that the
compiled functions below work on; :class:`CaseManager` agents are views of them.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import TYPE_CHECKING

import mesa
import numpy as np

from lead_sim import legal
from lead_sim.agents import services
from lead_sim.agents.population import due, mark_for_redraw, top_need
from lead_sim.agents.states import NEVER, Charge, Need, NeedStatus, State
from lead_sim.agents.waitlist import WAITING, Waitlist, join, pop_front, withdraw
from lead_sim.events import Kind, log_people
from lead_sim.jit import compiled
from lead_sim.recorder import Column, count
from lead_sim.streams import uniform_each, waits_at, waits_each

if TYPE_CHECKING:
    from lead_sim.model import LeadModel

DAYS_PER_MONTH = 30.44
REVIEW_DAYS = 7  # case managers review each caseload weekly

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
        for old, new in zip(staff, grown):
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


# ---- staffing ---------------------------------------------------------------------------------
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


@compiled
def _hire(staff: Staff, fte: float) -> None:
    k = staff.meta[COUNT]
    staff.fte[k], staff.retiring[k], staff.load[k] = fte, False, 0
    staff.serial[k] = staff.meta[SERIALS]
    staff.meta[COUNT] += 1
    staff.meta[SERIALS] += 1


@compiled
def _remove(w, keep: np.ndarray) -> None:
    """Keep only the staff flagged in ``keep`` (in order); caseloads follow their rows."""
    staff, people = w.staff, w.people
    n = staff.meta[COUNT]
    new_row = np.full(n, -1, np.int64)
    kept = 0
    for k in range(n):
        if keep[k]:
            new_row[k] = kept
            staff.fte[kept], staff.retiring[kept] = staff.fte[k], staff.retiring[k]
            staff.load[kept], staff.serial[kept] = staff.load[k], staff.serial[k]
            kept += 1
    if kept == n:
        return
    staff.meta[COUNT] = kept
    for i in range(len(people.case_manager)):
        if people.case_manager[i] >= 0:
            people.case_manager[i] = new_row[people.case_manager[i]]


@compiled
def _remove_retired(w) -> None:
    staff = w.staff
    n = staff.meta[COUNT]
    keep = ~(staff.retiring[:n] & (staff.load[:n] == 0))
    if not keep.all():
        _remove(w, keep)


@compiled
def staff(w, p, budget: float) -> None:
    """Match the working case managers to ``budget`` (or to demand).

    The posts are whole case managers plus at most one part-time one. They go to the staff
    with the largest caseloads first, retiring staff included (a restored budget brings them
    back), so participants keep their case manager. A case manager whose hours would be cut
    below what their caseload needs retires instead, and a new one takes the post; surplus
    staff retire. Retiring staff take no one new and are paid until their caseload is empty, so
    a budget cut takes effect as caseloads drain.
    """
    cap = p.caseload_cap
    if p.demand_staffing:
        _staff_to_demand(w, cap)
        return
    s = w.staff
    target = budget * p.case_management_share / p.case_manager_annual_cost
    part = target % 1.0  # as divmod(target, 1.0)[1]
    posts = [1.0 for _ in range(int(target - part))]
    if np.round(part * cap) >= 1:
        posts.append(part)
    n = s.meta[COUNT]
    by_load = np.argsort(-s.load[:n], kind="mergesort")  # largest caseloads first, stable
    for post in range(len(posts)):
        fte = posts[post]
        if post < n:
            k = by_load[post]
            if fte >= s.fte[k] or s.load[k] <= np.round(fte * cap):
                s.fte[k], s.retiring[k] = fte, False
                continue
            s.retiring[k] = True
        _hire(s, fte)
    for post in range(len(posts), n):
        s.retiring[by_load[post]] = True
    _remove_retired(w)


@compiled
def _staff_to_demand(w, cap: float) -> None:
    """Hours follow caseloads: each case manager works the hours their caseload needs at
    the cap (full time at most), and the people waiting get places from those with room,
    then from new hires. Payroll is then in exact proportion to enrolment, at any sample
    size; whole-person hiring would cost a small sample a full salary for a few people.
    """
    s = w.staff
    need = w.lead_queue.meta[WAITING]  # people waiting for a case manager
    n = s.meta[COUNT]
    for k in np.argsort(-s.load[:n], kind="mergesort"):
        add = min(max(cap - s.load[k], 0), need)
        need -= add
        s.fte[k], s.retiring[k] = min(s.load[k] + add, cap) / cap, False
    while need > 0:
        add = min(cap, need)
        need -= add
        _hire(s, add / cap)
    n = s.meta[COUNT]
    keep = s.fte[:n] != 0
    if not keep.all():
        _remove(w, keep)


# ---- referral and intake ----------------------------------------------------------------------
@compiled
def refer(w, p, ids: np.ndarray, held: np.ndarray, day: int) -> None:
    """Open an intake for ``ids``; ``held`` is the charge held in abeyance (arrests only)."""
    pop = w.people
    if len(ids) == 0:
        return
    window = p.intake_window_days
    rate = -math.log(1.0 - min(p.intake_completion, 0.999)) / window
    wait = waits_at(w.keys.intake, day, ids, rate)
    for row in range(len(ids)):
        i = ids[row]
        pop.state[i] = State.LEAD_INTAKE
        pop.held_charge[i] = held[row]
        pop.intake_day[i] = day + wait[row] if wait[row] <= window else NEVER
        pop.intake_deadline[i] = NEVER if wait[row] <= window else day + window


@compiled
def cancel_intake(w, p, ids: np.ndarray, day: int) -> None:
    """Drop pending intakes and waitlist places (the person went into custody).

    A charge held while intake was pending is filed, as when the intake window runs out:
    the intake was not completed (O10).
    """
    pop = w.people
    if len(ids) == 0:  # the usual case: enter_custody calls this for every admission
        return
    held = pop.held_charge[ids]
    pop.intake_day[ids] = NEVER
    pop.intake_deadline[ids] = NEVER
    pop.held_charge[ids] = Charge.NONE
    withdraw(w.lead_queue, ids)
    filed = held != Charge.NONE
    legal.file_charges(w, p, ids[filed], held[filed], day, w.keys.held_filing)


@compiled
def intake(w, p, day: int) -> None:
    """Complete today's assessments and file held charges where the window ran out."""
    pop = w.people
    done = due(pop.intake_day, day)
    if len(done):
        pop.intake_day[done] = NEVER
        pop.held_charge[done] = Charge.NONE  # charges are not filed after intake (O10)
        pop.state[done] = State.LEAD_WAITLIST
        join(w.lead_queue, done)
        patience = waits_at(w.keys.patience, day, done, 1.0 / p.waitlist_patience_days)
        pop.waitlist_exit_day[done] = day + patience
        count(w, day, Column.LEAD_ENROLLMENTS, len(done))
        log_people(w, day, Kind.INTAKE, done, 0)
    gave_up = due(pop.waitlist_exit_day, day)
    if len(gave_up):
        gave_up = gave_up[pop.state[gave_up] == State.LEAD_WAITLIST]
        pop.waitlist_exit_day[gave_up] = NEVER
        pop.state[gave_up] = State.COMMUNITY
        withdraw(w.lead_queue, gave_up)
    lapsed = due(pop.intake_deadline, day)
    if len(lapsed):
        held = pop.held_charge[lapsed]
        pop.intake_deadline[lapsed] = NEVER
        pop.held_charge[lapsed] = Charge.NONE
        pop.state[lapsed] = State.COMMUNITY
        filed = held != Charge.NONE
        legal.file_charges(w, p, lapsed[filed], held[filed], day, w.keys.filing)


# ---- caseloads --------------------------------------------------------------------------------
@compiled
def assign(w, p, day: int) -> None:
    """Move people from the front of the waitlist onto caseloads with room: each to the open
    case manager with the lowest caseload for their hours (the earliest hired of equals)."""
    pop, s = w.people, w.staff
    if p.demand_staffing:
        _staff_to_demand(w, p.caseload_cap)
    if w.lead_queue.meta[WAITING] == 0:  # nobody waits on most days
        return
    n = s.meta[COUNT]
    open_ = np.zeros(n, np.bool_)
    for k in range(n):
        open_[k] = not s.retiring[k] and s.load[k] < places(s, k, p.caseload_cap)
    assigned = []
    while open_.any():
        person = pop_front(w.lead_queue)
        if person < 0:
            break
        best = -1
        for k in range(n):
            if open_[k] and (best < 0 or s.load[k] / s.fte[k] < s.load[best] / s.fte[best]):
                best = k
        s.load[best] += 1
        pop.case_manager[person] = best
        assigned.append(person)
        if s.load[best] >= places(s, best, p.caseload_cap):
            open_[best] = False
    if len(assigned) == 0:
        return
    ids = np.array(assigned, np.int64)
    pop.state[ids] = State.LEAD_ACTIVE
    pop.waitlist_exit_day[ids] = NEVER
    pop.engaged[ids] = True
    months = p.enrolment_months * DAYS_PER_MONTH
    pop.lead_exit_day[ids] = day + waits_at(w.keys.lead_exit, day, ids, 1.0 / months)
    _schedule_engagement(w, p, ids, day)
    log_people(w, day, Kind.CASELOAD_START, ids, 0)
    mark_for_redraw(w, ids)


@compiled
def load_factor(w, p, i: int) -> float:
    """Caseload of person ``i``'s case manager relative to the design caseload for their
    hours (1 where they have none)."""
    k = w.people.case_manager[i]
    if k < 0:
        return 1.0
    return w.staff.load[k] / (w.staff.fte[k] * p.caseload_design)


@compiled
def _schedule_engagement(w, p, ids: np.ndarray, day: int) -> None:
    """Draw when each person's engagement next lapses (if engaged) or resumes."""
    pop = w.people
    rates = np.empty(len(ids))
    resume = 1.0 / (p.inactive_months * DAYS_PER_MONTH)
    for row in range(len(ids)):
        i = ids[row]
        lapse = max(load_factor(w, p, i), 1.0) / (p.engaged_months * DAYS_PER_MONTH)
        rates[row] = lapse if pop.engaged[i] else resume
    pop.engagement_day[ids] = day + waits_each(w.keys.engagement, day, ids, rates)


@compiled
def switch_engagement(w, p, day: int) -> None:
    """Engagement lapses or resumes for those due today (custody keeps the flag only)."""
    pop = w.people
    ids = due(pop.engagement_day, day)
    if len(ids) == 0:
        return
    pop.engaged[ids] = ~pop.engaged[ids]
    free = ids[pop.state[ids] < State.JAIL_PRETRIAL]
    for i in free:
        pop.state[i] = State.LEAD_ACTIVE if pop.engaged[i] else State.LEAD_INACTIVE
    _schedule_engagement(w, p, ids, day)
    mark_for_redraw(w, free)


@compiled
def work_on_needs(w, p, day: int) -> None:
    """Case managers resolve or refer each active participant's most urgent need.

    Caseloads are reviewed once a week (REVIEW_DAYS), with the chance of progress over
    the week; this costs a seventh of a daily review and changes nothing of substance.
    """
    pop = w.people
    if day % REVIEW_DAYS or w.staff.meta[COUNT] == 0:
        return
    active = np.flatnonzero(pop.state == State.LEAD_ACTIVE)
    needs = np.empty(len(active), np.int64)
    for row in range(len(active)):
        needs[row] = top_need(pop, active[row])
    ids, needs = active[needs >= 0], needs[needs >= 0]
    u = uniform_each(w.keys.need_work, day, ids)
    progress = np.empty(len(ids), np.bool_)
    for row in range(len(ids)):
        effectiveness = min(1.0, 1.0 / max(load_factor(w, p, ids[row]), 1e-9))
        progress[row] = u[row] < 1.0 - math.exp(-REVIEW_DAYS * effectiveness / p.need_work_days)
    ids, needs = ids[progress], needs[progress]
    for pool, need in ((services.TREATMENT, Need.TREATMENT), (services.HOUSING, Need.HOUSING)):
        referred = ids[needs == need]
        pop.needs[referred, need] = NeedStatus.WAITING
        join(w.pools.queues[pool], referred)
    direct = (needs != Need.TREATMENT) & (needs != Need.HOUSING)
    for i, need in zip(ids[direct], needs[direct]):
        pop.needs[i, need] = NeedStatus.MET
    mark_for_redraw(w, ids[direct])


@compiled
def discharge(w, p, ids: np.ndarray, day: int) -> None:
    """Take ``ids`` off their caseloads (end of enrolment, or prison)."""
    pop = w.people
    if len(ids) == 0:
        return
    for i in ids:
        w.staff.load[pop.case_manager[i]] -= 1
    pop.case_manager[ids] = -1
    pop.engaged[ids] = False
    pop.lead_exit_day[ids] = NEVER
    pop.engagement_day[ids] = NEVER
    log_people(w, day, Kind.LEAD_EXIT, ids, 0)
    free = ids[pop.state[ids] < State.JAIL_PRETRIAL]
    pop.state[free] = State.COMMUNITY
    mark_for_redraw(w, free)
    _remove_retired(w)


@compiled
def drop_service_waits(w, ids: np.ndarray) -> None:
    """Needs waiting on a service become unmet again (the referral is withdrawn)."""
    pop = w.people
    withdrawn = []
    for i in ids:
        waited = False
        for need in range(pop.needs.shape[1]):
            if pop.needs[i, need] == NeedStatus.WAITING:
                pop.needs[i, need] = NeedStatus.UNMET
                waited = True
        if waited:
            withdrawn.append(i)
    if len(withdrawn):
        services.withdraw(w, np.array(withdrawn, np.int64))


@compiled
def exits(w, p, day: int) -> None:
    """Participants whose enrolment ends today leave their caseloads."""
    ids = due(w.people.lead_exit_day, day)
    discharge(w, p, ids, day)
    drop_service_waits(w, ids)


@compiled
def step(w, p, day: int) -> None:
    """The programme's day: intake, exits, assignment, engagement, then needs work."""
    intake(w, p, day)
    exits(w, p, day)
    assign(w, p, day)
    switch_engagement(w, p, day)
    work_on_needs(w, p, day)
