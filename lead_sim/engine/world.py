"""The model's state as one bundle of arrays: what the compiled daily step works on.

:class:`World` holds the same arrays the Python objects own (the population, the force, the
programme's staff and waitlist, the service pools, the books), not copies, so a change made by
compiled code is seen at once by the visualizer and by tests, and the other way round. Compiled
functions take it as their first argument, ``w: World``, and read it as ``w.people.state``,
``w.staff.load``, ``w.keys.contact`` ... (what they receive is the bundle of
:func:`build_world`, which reads as a :class:`World`); the parameter values come second, as
``p: Values`` (:meth:`lead_sim.params.Params.numbers`).
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING

import numpy as np

from lead_sim.engine.jit import BundleRef, by_reference

if TYPE_CHECKING:
    from lead_sim.model import LeadModel

# covered: LEAD covers the area today; presence: police presence; area_cdf: where people live;
# restricted: the jail refuses most non-felony bookings from the area today (O24).
# group_cdf: by area, the cumulative shares of each race/ethnicity group (lead_sim.groups).
Place = namedtuple("Place", "covered presence area_cdf restricted group_cdf")
# costs: the ledger's day x payer USD; record: the daily record's counts and stocks; events:
# the event log's buffer (a one-item list holding its rows) and rows used; cohort: re-arrest
# cohorts by horizon and pathway (episodes, re-arrested); equity: run totals by group, area and
# outcome (lead_sim.engine.recorder.EQUITY); at_risk: people at risk now by group and area;
# in_custody: of them, those in jail and in prison now.
Books = namedtuple("Books", "costs record events used cohort equity at_risk in_custody")
World = namedtuple("World", "people officers staff lead_queue pools place books keys")


def build_world(model: LeadModel) -> BundleRef | World:
    """The bundle of ``model``'s arrays (rebuilt when an array is replaced, e.g. grown), held by
    reference (:func:`lead_sim.engine.jit.by_reference`), as are the people's arrays in it.
    With the JIT disabled (``NUMBA_DISABLE_JIT=1``) it is the :data:`World` tuple itself."""
    area_cdf = np.cumsum(model.area_weights) / model.area_weights.sum()
    return by_reference(World(
        people=by_reference(model.population.arrays()), officers=model.force.arrays(),
        staff=model.program.staff_arrays, lead_queue=model.program.waitlist.queue,
        pools=model.services.arrays,
        place=Place(model.covered, model.presence, area_cdf, model.booking_restricted,
                    model.group_cdf),
        books=Books(model.ledger.daily, model.record.values, model.events.buffer,
                    model.events.used, model.cohort, model.record.equity, model.record.at_risk,
                    model.record.in_custody),
        keys=model.streams.keys(),
    ))
