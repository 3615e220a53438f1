"""The daily record: event counts and end-of-day stocks, one row per simulated day.

Stored as one preallocated float array (days x columns) rather than a list of dicts, so
recording costs almost nothing per day and turns into a DataFrame in one call.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lead_sim.agents.states import State
from lead_sim.params import PAYERS

COUNTS = (
    "contacts", "arrests", "bookings", "arrest_diversions", "social_contact_referrals",
    "in_lieu_referrals", "lead_enrollments", "felony_charges", "misdemeanor_charges",
    "prison_admissions", "supervision_violations",
)
STOCKS = (
    "jail_population", "prison_population", "lead_intake", "lead_waitlist", "lead_active",
    "lead_inactive", "in_treatment", "treatment_waitlist", "housed", "housing_waitlist",
    "case_managers", "lead_capacity", "on_supervision",
)
COSTS = (*(f"cost_{payer}" for payer in PAYERS), "cost_total")
COLUMNS = (*COUNTS, *STOCKS, *COSTS)
_INDEX = {name: i for i, name in enumerate(COLUMNS)}


class DailyRecord:
    """Counts, stocks and costs per day for one run."""

    def __init__(self, days: int) -> None:
        self.values = np.zeros((days, len(COLUMNS)))

    def add(self, day: int, name: str, n: float) -> None:
        self.values[day, _INDEX[name]] += n

    def set_stocks(self, day: int, states: np.ndarray, jail: int, prison: int, treatment,
                   housing, program, costs: np.ndarray, supervised: int) -> None:
        """Write the end-of-day stocks and the day's costs."""
        row = self.values[day]
        row[_INDEX["jail_population"]] = jail
        row[_INDEX["prison_population"]] = prison
        row[_INDEX["lead_intake"]] = states[State.LEAD_INTAKE]
        row[_INDEX["lead_waitlist"]] = states[State.LEAD_WAITLIST]
        row[_INDEX["lead_active"]] = states[State.LEAD_ACTIVE]
        row[_INDEX["lead_inactive"]] = states[State.LEAD_INACTIVE]
        row[_INDEX["in_treatment"]] = treatment.occupied
        row[_INDEX["treatment_waitlist"]] = treatment.waiting()
        row[_INDEX["housed"]] = housing.occupied
        row[_INDEX["housing_waitlist"]] = housing.waiting()
        row[_INDEX["case_managers"]] = program.working_fte()
        row[_INDEX["lead_capacity"]] = program.capacity()
        row[_INDEX["on_supervision"]] = supervised
        first_cost = _INDEX[COSTS[0]]
        row[first_cost:first_cost + len(PAYERS)] = costs
        row[_INDEX["cost_total"]] = costs.sum()

    def frame(self, upto: int | None = None) -> pd.DataFrame:
        """The record so far as a DataFrame (counts and stocks as integers, except the
        case-manager full-time equivalents)."""
        frame = pd.DataFrame(self.values[:upto], columns=list(COLUMNS))
        whole = [*COUNTS, *(s for s in STOCKS if s != "case_managers")]
        frame[whole] = frame[whole].round().astype(np.int64)
        return frame
