"""What the map shows: a measure per neighbourhood (the area's colour) and a breakdown of the
people living there (counts per category, in the tooltip and the table under the map).

Both are registries: a new measure or a new breakdown (say, by a group attribute of people) is
one more entry, and the page offers it in its "colour by" and "count by" menus. Counts come
from the population arrays and the recent event log, so a frame costs the same on day 10 as on
day 4,000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lead_sim.agents.states import State
from lead_sim.model import LeadModel
from lead_sim.neighbourhoods import AREA_KEYS
from lead_sim.viz.palette import GREEN, GREY, OCHRE, PURPLE, VERMILLION
from lead_sim.viz.svg import nice_ceiling

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


@dataclass(frozen=True)
class Measure:
    """A count per area and the top of its fixed colour bar, as a share of the population.

    The shares were read off full runs of the built-in scenarios at 5,000 people (the busiest
    area's highest value, rounded up): the colour bar stays put for the whole run, and a value
    above its top is drawn in the top colour and flagged in the legend.
    """

    count: Callable[[LeadModel], np.ndarray]
    top_share: float

    def top(self, population: int) -> float:
        return nice_ceiling(self.top_share * population)


MEASURES: dict[str, Measure] = {
    "arrests (last 30 days)": Measure(recent_arrests, 0.008),
    "jail population": Measure(_state_count(State.JAIL_PRETRIAL, State.JAIL_SENTENCED), 0.01),
    "LEAD caseload": Measure(_state_count(State.LEAD_ACTIVE, State.LEAD_INACTIVE), 0.01),
    "LEAD waitlist": Measure(_state_count(State.LEAD_WAITLIST), 0.005),
}


@dataclass(frozen=True)
class Breakdown:
    """Categories of people, each a label, a colour and a count per area (areas x categories)."""

    labels: tuple[str, ...]
    colours: tuple[str, ...]
    counts: Callable[[LeadModel], np.ndarray]


# People by where they are: (label, states, colour)
STATE_GROUPS: tuple[tuple[str, tuple[State, ...], str], ...] = (
    ("in the community", (State.COMMUNITY,), GREY),
    ("LEAD intake or waitlist", (State.LEAD_INTAKE, State.LEAD_WAITLIST), OCHRE),
    ("LEAD caseload", (State.LEAD_ACTIVE, State.LEAD_INACTIVE), GREEN),
    ("jail", (State.JAIL_PRETRIAL, State.JAIL_SENTENCED), VERMILLION),
    ("prison", (State.PRISON,), PURPLE),
)


def by_state(model: LeadModel) -> np.ndarray:
    return np.column_stack([_state_count(*states)(model) for _, states, _ in STATE_GROUPS])


BREAKDOWNS: dict[str, Breakdown] = {
    "by state": Breakdown(tuple(g[0] for g in STATE_GROUPS), tuple(g[2] for g in STATE_GROUPS),
                          by_state),
}
