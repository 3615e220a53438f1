"""Community supervision: terms that follow some convictions, and their technical violations.

Violations arrive at a constant hazard while a term runs and bring a short jail sanction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lead_sim.agents.population import due
from lead_sim.agents.states import NEVER, State
from lead_sim.engine.events import Kind, log_people
from lead_sim.engine.jit import compiled, compiled_inline
from lead_sim.engine.recorder import Column, count_people
from lead_sim.engine.streams import waits_at
from lead_sim.justice.custody import enter_custody

if TYPE_CHECKING:
    from lead_sim.engine.world import World
    from lead_sim.params import Values


@compiled_inline
def start_supervision(w: World, p: Values, ids: np.ndarray, start: np.ndarray, day: int) -> None:
    """Put ``ids`` under community supervision from ``start`` (release, or today).

    A new term replaces any running one. Violations arrive at a constant hazard while the term
    runs; the first is drawn now, from the start of the term.
    """
    if len(ids) == 0:
        return
    log_people(w, day, Kind.SUPERVISION_START, ids, 0)
    term = waits_at(w.keys.supervision_term, day, ids, 1.0 / p.supervision_days)
    w.people.supervision_end_day[ids] = start + term
    _next_violation(w, p, ids, start, day)


@compiled
def _next_violation(w: World, p: Values, ids: np.ndarray, after: np.ndarray, day: int) -> None:
    """Schedule the next technical violation of ``ids`` after day ``after`` (if within term)."""
    pop = w.people
    when = after + waits_at(w.keys.violation, day, ids, p.supervision_violation_rate / 365.25)
    for row in range(len(ids)):
        i = ids[row]
        pop.violation_day[i] = when[row] if when[row] < pop.supervision_end_day[i] else NEVER


@compiled
def violations(w: World, p: Values, day: int) -> None:
    """Technical violations due today: a short jail sanction (custody defers them)."""
    pop = w.people
    ids = due(pop.violation_day, day)
    if len(ids) == 0:
        return
    held = pop.state[ids] >= State.JAIL_PRETRIAL
    if held.any():
        _next_violation(w, p, ids[held], pop.release_day[ids[held]], day)
        ids = ids[~held]
        if len(ids) == 0:
            return
    count_people(w, day, Column.SUPERVISION_VIOLATIONS, ids)
    log_people(w, day, Kind.SUPERVISION_VIOLATION, ids, 0)
    stay = day + waits_at(w.keys.sanction, day, ids, 1.0 / p.violation_jail_days)
    enter_custody(w, p, ids, State.JAIL_SENTENCED, stay, day)
    _next_violation(w, p, ids, stay, day)
