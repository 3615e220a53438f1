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
from lead_sim.engine.recorder import EQUITY
from lead_sim.groups import GROUPS, LABELS
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
    #: a scale that does not grow with the population (a percentage's 100), when set
    fixed_top: float = 0.0
    #: an extra sentence per area for its tooltip, when set
    detail: Callable[[LeadModel], list[str]] | None = None

    def top(self, population: int) -> float:
        return self.fixed_top or nice_ceiling(self.top_share * population)


MEASURES: dict[str, Measure] = {
    "arrests (last 30 days)": Measure(recent_arrests, 0.008),
    "jail population": Measure(_state_count(State.JAIL_PRETRIAL, State.JAIL_SENTENCED), 0.01),
    "LEAD caseload": Measure(_state_count(State.LEAD_ACTIVE, State.LEAD_INACTIVE), 0.01),
    "LEAD waitlist": Measure(_state_count(State.LEAD_WAITLIST), 0.005),
}


_TALLY = {name: i for i, name in enumerate(EQUITY)}


def group_share(model: LeadModel, outcome: str, group: str) -> tuple[np.ndarray, np.ndarray]:
    """Per area, the percentage of ``outcome`` so far (an equity tally column, see
    :mod:`lead_sim.outcomes.equity`) that are of ``group``'s people (0 where there is none
    yet), and the area's total."""
    tally = model.record.equity[:, :, _TALLY[outcome]]
    total = tally.sum(axis=0)
    share = np.where(total > 0, 100.0 * tally[GROUPS.index(group)] / np.maximum(total, 1), 0.0)
    return share, total


@dataclass(frozen=True)
class GroupMeasure:
    """An area's share of an outcome that are of one group's people, as a percentage on a
    fixed 0-100 scale; the tooltip sets it beside the group's share of the days lived at risk
    there, so a reader sees whether the group is booked more than its numbers alone explain."""

    outcome: str  # a column of the equity tally
    noun: str

    def title(self, group: str) -> str:
        return f"{LABELS[group]} share of {self.noun} (%)"

    def measure(self, group: str) -> Measure:
        def count(model: LeadModel) -> np.ndarray:
            return group_share(model, self.outcome, group)[0]

        def detail(model: LeadModel) -> list[str]:
            share, total = group_share(model, self.outcome, group)
            at_risk, _ = group_share(model, "person_days", group)
            return [f"{round(s * n / 100):,} of its {n:,} {self.noun} so far were of "
                    f"{LABELS[group]} people, who lived {r:.0f}% of the days at risk here"
                    for s, n, r in zip(share, total, at_risk, strict=True)]
        return Measure(count, 0.0, fixed_top=100.0, detail=detail)


#: Map colourings by race/ethnicity group: the page offers them after :data:`MEASURES`, with
#: a select of the group (docs/equity.md explains where the differences come from).
GROUP_MEASURES: dict[str, GroupMeasure] = {
    "bookings: a group's share": GroupMeasure("bookings", "bookings"),
    "arrests: a group's share": GroupMeasure("arrests", "arrests"),
}
DEFAULT_GROUP = "black"


def measure_for(name: str, group: str = DEFAULT_GROUP) -> tuple[str, Measure]:
    """The map's title and :class:`Measure` for a "colour by" choice (``group`` is used by
    the :data:`GROUP_MEASURES` only)."""
    if name in MEASURES:
        return name, MEASURES[name]
    chosen = GROUP_MEASURES[name]
    return chosen.title(group), chosen.measure(group)


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
