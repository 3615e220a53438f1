"""Custody: entering jail or prison, and release back to the community or a caseload.

Custody interrupts what case management and services were doing for a person, so this module
calls into them (:mod:`lead_sim.agents.case_management`, :mod:`lead_sim.agents.services`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lead_sim.agents import case_management, services
from lead_sim.agents.population import due, mark_for_redraw
from lead_sim.agents.services import ENDS_IN_JAIL, ENDS_IN_PRISON
from lead_sim.agents.states import NEVER, State
from lead_sim.engine.events import Kind, log_people
from lead_sim.engine.jit import compiled

if TYPE_CHECKING:
    from lead_sim.engine.world import World
    from lead_sim.params import Values


@compiled
def enter_custody(w: World, p: Values, ids: np.ndarray, state: int, release: np.ndarray,
                  day: int) -> None:
    """Move ``ids`` into jail or prison until ``release``.

    Custody pauses police contact, cancels a pending LEAD intake or waitlist place (filing a
    charge held for the intake), ends the service stays the service table has this kind of
    custody end (treatment in jail or prison, housing in prison) and withdraws referrals waiting
    for a service (the case manager refers again after release). Prison also ends LEAD
    enrolment; a jail stay does not (case managers keep working with participants in jail).
    """
    pop = w.people
    if len(ids) == 0:
        return
    was = pop.state[ids]
    if state != State.PRISON:  # prison admissions are logged with their sentence
        log_people(w, day, Kind.JAIL_ADMISSION, ids, 1 if state == State.JAIL_PRETRIAL else 2)
    case_management.cancel_intake(
        w, p, ids[(was == State.LEAD_INTAKE) | (was == State.LEAD_WAITLIST)], day)
    for pool in range(len(ENDS_IN_JAIL)):
        if ENDS_IN_PRISON[pool] if state == State.PRISON else ENDS_IN_JAIL[pool]:
            services.end_stays(w, pool, ids[pop.in_service[pool][ids]])
    case_management.drop_service_waits(w, ids)
    if state == State.PRISON:
        case_management.discharge(w, p, ids[pop.case_manager[ids] >= 0], day)
    held = w.books.in_custody  # by group and area, for the bed-days of each (lead_sim.model)
    for row in range(len(ids)):
        i = ids[row]
        if pop.state[i] >= State.JAIL_PRETRIAL:  # moved from jail to prison, or sanctioned
            held[pop.group[i], pop.area[i], _kind(pop.state[i])] -= 1
        held[pop.group[i], pop.area[i], _kind(state)] += 1
        pop.state[i] = state
        pop.release_day[i] = release[row]
        pop.next_contact[i] = NEVER
        pop.rate[i] = 0.0


@compiled
def release(w: World, p: Values, day: int) -> None:
    """Release everyone whose jail or prison stay ends today."""
    pop = w.people
    ids = due(pop.release_day, day)
    if len(ids) == 0:
        return
    from_prison = pop.state[ids] == State.PRISON
    log_people(w, day, Kind.PRISON_RELEASE, ids[from_prison], 0)
    log_people(w, day, Kind.JAIL_RELEASE, ids[~from_prison], 0)
    return_to_free_state(w, ids)


@compiled
def return_to_free_state(w: World, ids: np.ndarray) -> None:
    """Put released people back in the community, or on their caseload if still enrolled."""
    pop, held = w.people, w.books.in_custody
    for i in ids:
        if pop.state[i] >= State.JAIL_PRETRIAL:
            held[pop.group[i], pop.area[i], _kind(pop.state[i])] -= 1
        if pop.case_manager[i] < 0:
            pop.state[i] = State.COMMUNITY
        elif pop.engaged[i]:
            pop.state[i] = State.LEAD_ACTIVE
        else:
            pop.state[i] = State.LEAD_INACTIVE
        pop.release_day[i] = NEVER
    mark_for_redraw(w, ids)


@compiled
def _kind(state: int) -> int:
    """Where a custody state is held: 0 jail (pretrial or sentenced), 1 prison."""
    return 1 if state == State.PRISON else 0
