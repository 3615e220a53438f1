"""The cost ledger: unit costs by payer, attached to events and to days spent in a state.

Costs are recorded per simulated day and payer, so the time series, the run totals and the
per-payer columns all come from the same numbers and always add up.
"""

from __future__ import annotations

import numpy as np

from lead_sim.params import PAYERS

PAYER_INDEX = {name: i for i, name in enumerate(PAYERS)}


class Ledger:
    """Daily costs by payer for one run."""

    def __init__(self, days: int) -> None:
        self.daily = np.zeros((days, len(PAYERS)))

    def charge(self, day: int, payer: str, amount: float) -> None:
        """Add ``amount`` (USD) to ``payer`` on ``day``."""
        self.daily[day, PAYER_INDEX[payer]] += amount

    def totals(self) -> dict[str, float]:
        """Run totals per payer, with the names used in summary tables."""
        return {f"cost_{name}": float(v) for name, v in zip(PAYERS, self.daily.sum(axis=0))}
