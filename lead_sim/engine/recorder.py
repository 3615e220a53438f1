"""The daily record: event counts and end-of-day stocks, one row per simulated day; and the
equity tally: the run's counts by race/ethnicity group and area (:data:`EQUITY`).

Stored as one preallocated float array (days x columns) rather than a list of dicts, so
recording costs almost nothing per day and turns into a DataFrame in one call. The tally is a
small integer array (groups x areas x outcomes) of totals so far, filled by the same calls that
count (:func:`count_people`), so its sums over groups and areas equal the record's totals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lead_sim.engine.codes import codes
from lead_sim.engine.jit import compiled_inline
from lead_sim.groups import GROUPS
from lead_sim.neighbourhoods import AREA_KEYS
from lead_sim.params import PAYERS
from lead_sim.service_table import SERVICES

COUNTS = (
    "contacts", "arrests", "bookings", "arrest_diversions", "social_contact_referrals",
    "in_lieu_referrals", "lead_enrollments", "felony_charges", "misdemeanor_charges",
    "prison_admissions", "supervision_violations",
)
# End-of-day stocks; each service pool has two, its occupancy and its waitlist, in pool order.
STOCKS = (
    "jail_population", "prison_population", "lead_intake", "lead_waitlist", "lead_active",
    "lead_inactive",
    *(column for s in SERVICES for column in (s.occupancy, f"{s.name}_waitlist")),
    "case_managers", "lead_capacity", "on_supervision",
)

if TYPE_CHECKING:
    from lead_sim.engine.world import World
COSTS = (*(f"cost_{payer}" for payer in PAYERS), "cost_total")
COLUMNS = (*COUNTS, *STOCKS, *COSTS)
_INDEX = {name: i for i, name in enumerate(COLUMNS)}
# The columns as codes for compiled code: Column.ARRESTS is the index of "arrests".
Column = codes("Column", *(name.upper() for name in COLUMNS))
# The occupancy and waitlist columns of each service pool, by pool.
OCCUPANCY = tuple(_INDEX[s.occupancy] for s in SERVICES)
WAITLISTS = tuple(_INDEX[f"{s.name}_waitlist"] for s in SERVICES)
#: The equity tally's outcomes: the counts (same index as in the record), bed-days, days lived
#: at risk, and by re-arrest horizon (6, 12, 24 months: lead_sim.agents.police.FOLLOW_UP_DAYS)
#: the episodes followed and those re-arrested.
HORIZON_MONTHS = (6, 12, 24)
EQUITY = (*COUNTS, "jail_bed_days", "prison_bed_days", "person_days",
          *(f"cohort_{m}m" for m in HORIZON_MONTHS), *(f"rearrested_{m}m" for m in HORIZON_MONTHS))
Tally = codes("Tally", *(name.upper() for name in EQUITY))


class DailyRecord:
    """Counts, stocks and costs per day for one run."""

    def __init__(self, days: int) -> None:
        self.values = np.zeros((days, len(COLUMNS)))
        self.equity = np.zeros((len(GROUPS), len(AREA_KEYS), len(EQUITY)), np.int64)
        self.at_risk = np.zeros((len(GROUPS), len(AREA_KEYS)), np.int64)
        # people in custody now by group and area, in jail (0) and in prison (1)
        self.in_custody = np.zeros((len(GROUPS), len(AREA_KEYS), 2), np.int64)

    def equity_frame(self) -> pd.DataFrame:
        """The equity tally so far as a long table: group, area, outcome, value (totals)."""
        index = pd.MultiIndex.from_product([GROUPS, AREA_KEYS, EQUITY],
                                           names=["group", "area", "outcome"])
        return pd.Series(self.equity.ravel(), index=index, name="value").reset_index()

    def frame(self, upto: int | None = None) -> pd.DataFrame:
        """The record so far as a DataFrame (counts and stocks as integers, except the
        case-manager full-time equivalents)."""
        frame = pd.DataFrame(self.values[:upto], columns=list(COLUMNS))
        # each day's payers summed as one contiguous row (numpy's pairwise order, every time)
        first = _INDEX[COSTS[0]]
        frame["cost_total"] = np.ascontiguousarray(
            self.values[:upto, first:first + len(PAYERS)]).sum(axis=1)
        whole = [*COUNTS, *(s for s in STOCKS if s != "case_managers")]
        frame[whole] = frame[whole].round().astype(np.int64)
        return frame


@compiled_inline
def count_people(w: World, day: int, column: int, ids: np.ndarray) -> None:
    """Count ``ids`` in counter ``column`` of ``day`` and in the equity tally, each by their
    group and area (``column`` is one of :data:`COUNTS`, the same index in both)."""
    w.books.record[day, column] += len(ids)
    tally, group, area = w.books.equity, w.people.group, w.people.area
    for i in ids:
        tally[group[i], area[i], column] += 1
