"""The cost ledger: unit costs by payer, attached to events and to days spent in a state.

Costs are recorded per simulated day and payer, so the time series, the run totals and the
per-payer columns all come from the same numbers and always add up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lead_sim.engine.codes import codes
from lead_sim.engine.jit import compiled_inline
from lead_sim.params import PAYERS
from lead_sim.service_table import SERVICES

if TYPE_CHECKING:
    from lead_sim.engine.world import World

PAYER_INDEX = {name: i for i, name in enumerate(PAYERS)}
# The payers as codes for compiled code: Payer.JAIL is the column of jail costs.
Payer = codes("Payer", *(name.upper() for name in PAYERS))
# The payer of each service pool (its column), by pool.
SERVICE_PAYERS = tuple(PAYER_INDEX[service.name] for service in SERVICES)


class Ledger:
    """Daily costs by payer for one run."""

    def __init__(self, days: int) -> None:
        self.daily = np.zeros((days, len(PAYERS)))

    def totals(self) -> dict[str, float]:
        """Run totals per payer, with the names used in summary tables."""
        totals = self.daily.sum(axis=0)
        return {f"cost_{name}": float(v) for name, v in zip(PAYERS, totals, strict=True)}


@compiled_inline
def charge(w: World, day: int, payer: int, amount: float) -> None:
    """Add ``amount`` (USD) to ``payer`` (a :data:`Payer`) on ``day``."""
    w.books.costs[day, payer] += amount
