"""Booking: an arrest booked into jail, held pretrial or released at first appearance.

Under ESB 5476 the first arrests for possession are referred to assessment instead of booked
(O25); that choice is made before anything here is called, in
:func:`lead_sim.agents.police._arrest_as_usual`. While the jail restricts non-felony bookings
(COVID-era, lifted area by area in 2024-25; O24) fewer of those arrests are booked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lead_sim.agents.states import Charge, State
from lead_sim.engine.events import Kind, log_people_each
from lead_sim.engine.jit import compiled, compiled_inline
from lead_sim.engine.ledger import Payer, charge
from lead_sim.engine.recorder import Column, count_people
from lead_sim.engine.streams import uniform_each, waits_at, waits_each
from lead_sim.justice.custody import enter_custody

if TYPE_CHECKING:
    from lead_sim.engine.world import World
    from lead_sim.params import Values


@compiled
def booking_shares(w: World, p: Values, ids: np.ndarray, charges: np.ndarray) -> np.ndarray:
    """The chance each arrest not diverted is booked (the rest are cited and released):
    ``booking_share``, or ``restricted_booking_share`` for an arrest that is not a felony in an
    area where the jail restricts such bookings today (O24, ``Place.restricted``)."""
    shares = np.full(len(ids), p.booking_share)
    for row in range(len(ids)):
        if charges[row] != Charge.FELONY and w.place.restricted[w.people.area[ids[row]]]:
            shares[row] = p.restricted_booking_share
    return shares


# Prior convictions counted toward a pretrial hold: the sentencing grid's top offender-score band
# starts at six (J35), and a longer record changes little more.
PRIOR_CAP = 6


@compiled
def hold_probability(p: Values, felony: bool, priors: int, odds_ratio: float = 1.0) -> float:
    """The chance a booking is held pretrial: the share for its charge class, with its odds
    multiplied by ``pretrial_hold_or_prior`` for each prior conviction (up to :data:`PRIOR_CAP`)
    and by ``odds_ratio`` (the person's group's ``hold_ratio_<group>``, lead_sim.groups)."""
    base = p.pretrial_hold_share_felony if felony else p.pretrial_hold_share_misdemeanor
    if base <= 0.0 or base >= 1.0:
        return base
    odds = base / (1.0 - base) * p.pretrial_hold_or_prior ** min(priors, PRIOR_CAP) * odds_ratio
    return odds / (1.0 + odds)


@compiled_inline
def book(w: World, p: Values, ids: np.ndarray, charges: np.ndarray, day: int) -> None:
    """Book ``ids`` into jail. Some are held pretrial (by charge class and prior record) until
    their court date or release; the rest leave at screening or first appearance (J13)."""
    pop = w.people
    if len(ids) == 0:
        return
    count_people(w, day, Column.BOOKINGS, ids)
    charge(w, day, Payer.JAIL, len(ids) * p.booking_cost)
    log_people_each(w, day, Kind.BOOKING, ids, charges)
    u = uniform_each(w.keys.hold, day, ids)
    held = np.empty(len(ids), np.bool_)
    rates = np.empty(len(ids))
    for row in range(len(ids)):
        felony = charges[row] == Charge.FELONY
        i = ids[row]
        held[row] = u[row] < hold_probability(p, felony, pop.prior_convictions[i],
                                              p.group_hold[pop.group[i]])
        rates[row] = 1.0 / (p.pretrial_days_felony if felony else p.pretrial_days_misdemeanor)
    release = np.empty(len(ids), np.int64)
    release[held] = day + waits_each(w.keys.pretrial, day, ids[held], rates[held])
    release[~held] = day + waits_at(w.keys.first_appearance, day, ids[~held],
                                    1.0 / p.booking_release_days)
    release = np.minimum(release, pop.disposition_day[ids])  # a court date ends the stay
    enter_custody(w, p, ids, State.JAIL_PRETRIAL, release, day)
