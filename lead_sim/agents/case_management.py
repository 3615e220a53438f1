"""LEAD case management: intake, the waitlist, caseloads, engagement and needs.

A referral (arrest diversion or social contact) opens an intake window (30 days, O10). People
who complete the assessment are enrolled and wait, in order, for a case manager with room under
the caseload cap (design 20-25, observed 44 in 2019, O16). Case managers work on each active
participant's most urgent unmet need; above the design caseload that work slows in proportion,
and engagement lapses sooner. Engagement can lapse and resume: there is no fail-out (O18).
Participants leave the caseload after a spell of six months to two years or more (O18).

Staffing follows the programme budget or, with ``staffing = "demand"``, the enrolment (see
:mod:`lead_sim.agents.case_manager` for the staff arrays). A charge held during an intake that
is not completed is filed (:func:`lead_sim.justice.charging.file_charges`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from lead_sim.agents import services
from lead_sim.agents.case_manager import COUNT, SERIALS, Staff, places
from lead_sim.agents.population import due, mark_for_redraw, top_need
from lead_sim.agents.states import NEED_POOL, NEVER, POOL_NEED, Charge, NeedStatus, State
from lead_sim.agents.waitlist import WAITING, join, pop_front, withdraw
from lead_sim.engine.events import Kind, log_people
from lead_sim.engine.jit import compiled, compiled_inline
from lead_sim.engine.recorder import Column, count_people
from lead_sim.engine.streams import uniform_each, waits_at, waits_each
from lead_sim.justice import charging

if TYPE_CHECKING:
    from lead_sim.engine.world import World
    from lead_sim.params import Values

DAYS_PER_MONTH = 30.44

REVIEW_DAYS = 7  # case managers review each caseload weekly


# ---- staffing ---------------------------------------------------------------------------------
@compiled
def _hire(staff: Staff, fte: float) -> None:
    k = staff.meta[COUNT]
    staff.fte[k], staff.retiring[k], staff.load[k] = fte, False, 0
    staff.serial[k] = staff.meta[SERIALS]
    staff.meta[COUNT] += 1
    staff.meta[SERIALS] += 1


@compiled
def _remove(w: World, keep: np.ndarray) -> None:
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
def _remove_retired(w: World) -> None:
    staff = w.staff
    n = staff.meta[COUNT]
    keep = ~(staff.retiring[:n] & (staff.load[:n] == 0))
    if not keep.all():
        _remove(w, keep)


@compiled
def staff(w: World, p: Values, budget: float) -> None:
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
def _staff_to_demand(w: World, cap: float) -> None:
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
@compiled_inline
def refer(w: World, p: Values, ids: np.ndarray, held: np.ndarray, day: int) -> None:
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


@compiled_inline
def cancel_intake(w: World, p: Values, ids: np.ndarray, day: int) -> None:
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
    charging.file_charges(w, p, ids[filed], held[filed], day, w.keys.held_filing)


@compiled_inline
def intake(w: World, p: Values, day: int) -> None:
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
        count_people(w, day, Column.LEAD_ENROLLMENTS, done)
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
        charging.file_charges(w, p, lapsed[filed], held[filed], day, w.keys.filing)

# ---- caseloads --------------------------------------------------------------------------------
@compiled_inline
def assign(w: World, p: Values, day: int) -> None:
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
def load_factor(w: World, p: Values, i: int) -> float:
    """Caseload of person ``i``'s case manager relative to the design caseload for their
    hours (1 where they have none)."""
    k = w.people.case_manager[i]
    if k < 0:
        return 1.0
    return w.staff.load[k] / (w.staff.fte[k] * p.caseload_design)


@compiled
def _schedule_engagement(w: World, p: Values, ids: np.ndarray, day: int) -> None:
    """Draw when each person's engagement next lapses (if engaged) or resumes."""
    pop = w.people
    rates = np.empty(len(ids))
    resume = 1.0 / (p.inactive_months * DAYS_PER_MONTH)
    for row in range(len(ids)):
        i = ids[row]
        lapse = max(load_factor(w, p, i), 1.0) / (p.engaged_months * DAYS_PER_MONTH)
        rates[row] = lapse if pop.engaged[i] else resume
    pop.engagement_day[ids] = day + waits_each(w.keys.engagement, day, ids, rates)


@compiled_inline
def switch_engagement(w: World, p: Values, day: int) -> None:
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


@compiled_inline
def work_on_needs(w: World, p: Values, day: int) -> None:
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
    for pool in range(len(POOL_NEED)):  # needs a service pool meets are referred to it
        need = POOL_NEED[pool]
        referred = ids[needs == need]
        pop.needs[referred, need] = NeedStatus.WAITING
        join(w.pools.queues[pool], referred)
    direct = np.empty(len(needs), np.bool_)  # the others case managers meet themselves
    for row in range(len(needs)):
        direct[row] = NEED_POOL[needs[row]] < 0
    met, met_needs = ids[direct], needs[direct]
    for row in range(len(met)):  # an index loop: numba's zip has no strict=
        pop.needs[met[row], met_needs[row]] = NeedStatus.MET
    mark_for_redraw(w, ids[direct])


@compiled
def discharge(w: World, p: Values, ids: np.ndarray, day: int) -> None:
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
def drop_service_waits(w: World, ids: np.ndarray) -> None:
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


@compiled_inline
def exits(w: World, p: Values, day: int) -> None:
    """Participants whose enrolment ends today leave their caseloads."""
    ids = due(w.people.lead_exit_day, day)
    discharge(w, p, ids, day)
    drop_service_waits(w, ids)


@compiled
def step(w: World, p: Values, day: int) -> None:
    """The programme's day: intake, exits, assignment, engagement, then needs work."""
    intake(w, p, day)
    exits(w, p, day)
    assign(w, p, day)
    switch_engagement(w, p, day)
    work_on_needs(w, p, day)
