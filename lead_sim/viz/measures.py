"""What the map shows: a measure per neighbourhood, and a fixed sample of people as dots.

Counts come from the population arrays and the recent event log, so a frame costs the same on
day 10 as on day 4,000.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lead_sim.agents.states import State
from lead_sim.model import LeadModel
from lead_sim.neighbourhoods import AREA_KEYS

MAX_DOTS = 1_500  # people drawn on the map; more would slow every frame for little insight
RECENT_DAYS = 30


def _state_count(*states: State) -> Callable[[LeadModel], np.ndarray]:
    def count(model: LeadModel) -> np.ndarray:
        pop = model.population
        return np.bincount(pop.area[np.isin(pop.state, states)], minlength=len(AREA_KEYS))
    return count


def recent_arrests(model: LeadModel) -> np.ndarray:
    """Arrests per area over the last 30 simulated days."""
    events = model.events.since(model.day - RECENT_DAYS)
    areas = events.loc[events["kind"] == "arrest", "area"].to_numpy(np.int64)
    return np.bincount(areas, minlength=len(AREA_KEYS))


MEASURES: dict[str, Callable[[LeadModel], np.ndarray]] = {
    "arrests (last 30 days)": recent_arrests,
    "jail population": _state_count(State.JAIL_PRETRIAL, State.JAIL_SENTENCED),
    "LEAD active": _state_count(State.LEAD_ACTIVE),
    "LEAD waitlist": _state_count(State.LEAD_WAITLIST),
}

# Dot colours by state group: (label, states, colour)
STATE_GROUPS: tuple[tuple[str, tuple[State, ...], str], ...] = (
    ("community", (State.COMMUNITY,), "#b0b0b0"),
    ("LEAD intake or waitlist", (State.LEAD_INTAKE, State.LEAD_WAITLIST), "#f0a030"),
    ("LEAD caseload", (State.LEAD_ACTIVE, State.LEAD_INACTIVE), "#2a9d4b"),
    ("jail", (State.JAIL_PRETRIAL, State.JAIL_SENTENCED), "#d62728"),
    ("prison", (State.PRISON,), "#6b1010"),
)


class DotSample:
    """A fixed sample of population slots with a fixed offset around their area's centre.

    Fixed (seeded independently of the run) so dots do not jump between frames; a slot whose
    person is replaced by a newcomer keeps its dot, which moves to the newcomer's area.
    """

    def __init__(self, population: int, max_dots: int = MAX_DOTS) -> None:
        rng = np.random.default_rng(20110101)
        n = min(population, max_dots)
        self.slots = np.sort(rng.choice(population, n, replace=False))
        angle = rng.uniform(0, 2 * np.pi, n)
        radius = np.sqrt(rng.uniform(0, 1, n))  # uniform over the unit disc
        self.offset = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])

    def areas(self, model: LeadModel) -> np.ndarray:
        """The area each sampled person lives in today."""
        return model.population.area[self.slots]

    def colours(self, model: LeadModel) -> list[str]:
        states = model.population.state[self.slots]
        colour = np.empty(len(states), object)
        for _, members, hex_colour in STATE_GROUPS:
            colour[np.isin(states, members)] = hex_colour
        return list(colour)
