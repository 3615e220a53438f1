"""Booking: an arrest booked into jail, held pretrial or released the same day.

Under ESB 5476 the first arrests for possession are referred to assessment instead of booked
(O25); that choice is made before anything here is called, in
:func:`lead_sim.agents.police._arrest_as_usual`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lead_sim.agents.states import Charge, State
from lead_sim.engine.events import Kind, log_people_each
from lead_sim.engine.jit import compiled
from lead_sim.engine.ledger import Payer, charge
from lead_sim.engine.recorder import Column, count
from lead_sim.engine.streams import uniform_each, waits_each
from lead_sim.justice.custody import enter_custody

if TYPE_CHECKING:
    from lead_sim.engine.world import World
    from lead_sim.params import Values


@compiled
def book(w: World, p: Values, ids: np.ndarray, charges: np.ndarray, day: int) -> None:
    """Book ``ids`` into jail; some are held pretrial, the rest leave the same day."""
    pop = w.people
    if len(ids) == 0:
        return
    count(w, day, Column.BOOKINGS, len(ids))
    charge(w, day, Payer.JAIL, len(ids) * p.booking_cost)
    log_people_each(w, day, Kind.BOOKING, ids, charges)
    held = uniform_each(w.keys.hold, day, ids) < p.pretrial_hold_share
    ids, charges = ids[held], charges[held]
    rates = np.empty(len(ids))
    for row in range(len(ids)):
        felony = charges[row] == Charge.FELONY
        rates[row] = 1.0 / (p.pretrial_days_felony if felony else p.pretrial_days_misdemeanor)
    release = day + waits_each(w.keys.pretrial, day, ids, rates)
    release = np.minimum(release, pop.disposition_day[ids])  # a court date ends the hold
    enter_custody(w, p, ids, State.JAIL_PRETRIAL, release, day)
