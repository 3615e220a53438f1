"""Police officers: who meets whom, and whether a contact is arrested, diverted or referred.

Officers are ordinary Mesa agents, each posted to one area with a personal propensity to divert
(officers keep discretion, O6; few eligible arrests were diverted in some sites, #25, #28).
Contacts arise from people's own contact hazard (see :mod:`lead_sim.agents.population`); each
day's contacts in an area are shared among the officers posted there. The decision is compiled
(:func:`decide`) and reads the officers' attributes from arrays, which keeps a county run fast;
each :class:`Officer` agent is a read-only view of its row, with its own propensity and tallies.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import TYPE_CHECKING

import mesa
import numpy as np
from scipy.special import betaincinv

from lead_sim.agents.states import State
from lead_sim.engine.jit import compiled_inline, ndtri
from lead_sim.engine.streams import day_key, uniforms, unit

if TYPE_CHECKING:
    from lead_sim.engine.world import World
    from lead_sim.model import LeadModel
    from lead_sim.params import Values

PROPENSITY_CONCENTRATION = 4.0  # assumption: Beta(m*4, (1-m)*4) spread of officer propensities
PEOPLE_PER_OFFICER = 250.0  # assumption: officers posted per person at risk, scaled by presence


class Officer(mesa.Agent):
    """One officer: a view of one row of the force's arrays (an area, a place in the force's
    spread of propensities, the propensities themselves, and tallies). The attributes read the
    arrays compiled code works on, so they are always current, and cannot be written."""

    def __init__(self, model: LeadModel, index: int) -> None:
        super().__init__(model)
        self.index = index  # position in the force's arrays

    @property
    def area(self) -> int:
        return int(self.model.force.area[self.index])

    @property
    def quantile(self) -> float:
        """Where this officer sits among colleagues (0-1)."""
        return float(self.model.force.quantile[self.index])

    @property
    def diversion_propensity(self) -> float:
        return float(self.model.force.diversion[self.index])

    @property
    def referral_propensity(self) -> float:
        return float(self.model.force.referral[self.index])

    @property
    def arrests(self) -> int:
        return int(self.model.force.tallies[self.index, 0])

    @property
    def diversions(self) -> int:
        return int(self.model.force.tallies[self.index, 1])

    @property
    def referrals(self) -> int:
        return int(self.model.force.tallies[self.index, 2])


def _beta_quantile(mean: float, q: float) -> float:
    if mean <= 0.0 or mean >= 1.0:
        return float(mean)
    k = PROPENSITY_CONCENTRATION
    return float(betaincinv(mean * k, (1 - mean) * k, q))


# The day's contacts (slots) and what the officers decided for each: the officer (index into
# the force), whether the shift allowed diversion, probable cause, eligibility (O6), whether
# LEAD covered the area, arrest diversion, social-contact referral, a drug (rather than
# sex-work) offence, and the grams involved.
Decisions = namedtuple("Decisions", "ids officer green probable_cause eligible covered diverted "
                                    "referred drug grams")
# The force's arrays for compiled code (see Force).
Officers = namedtuple("Officers", "first count diversion referral tallies")


class Force:
    """All officers: their attributes are arrays (read by the compiled decision), and each
    :class:`Officer` agent is a view of one row of them."""

    def __init__(self, model: LeadModel, officers_per_area: np.ndarray) -> None:
        self.model = model
        areas = np.repeat(np.arange(len(officers_per_area)), officers_per_area)
        self.quantile = model.streams.uniform("officer", 0, np.arange(len(areas)))
        self.area = areas
        self.first = np.concatenate([[0], np.cumsum(officers_per_area)[:-1]])
        self.count = np.asarray(officers_per_area)
        self.diversion = np.zeros(len(areas))
        self.referral = np.zeros(len(areas))
        self.tallies = np.zeros((len(areas), 3), np.int64)  # arrests, diversions, referrals
        self.officers = [Officer(model, i) for i in range(len(areas))]

    def arrays(self) -> Officers:
        """The arrays themselves (not copies), for compiled code."""
        return Officers(self.first, self.count, self.diversion, self.referral, self.tallies)

    def update_propensities(self, diversion_mean: float, referral_mean: float) -> None:
        """Place every officer's propensities at their quantile of the force-wide spread, after
        the force-wide means change (training, policy)."""
        self.diversion[:] = [_beta_quantile(diversion_mean, q) for q in self.quantile.tolist()]
        self.referral[:] = [_beta_quantile(referral_mean, q) for q in self.quantile.tolist()]


@compiled_inline
def decide(w: World, p: Values, ids: np.ndarray, day: int) -> Decisions:
    """Decide the day's contacts: who is arrested, diverted or referred to LEAD.

    An arrest is diverted when the area is covered, the contact is eligible (O6), the
    officer is on a green-light shift (O11) and chooses to (their propensity). A contact
    without probable cause is referred on the same conditions with the officer's referral
    propensity, unless the person is already in LEAD. Each contact goes to an officer posted
    in the person's area, picked by the person's own draw.
    """
    pop, force, n = w.people, w.officers, len(ids)
    u = uniforms(w.keys.contact_draws, day, ids, 4)  # pick, quantity, cause, willing
    shift = day_key(w.keys.shift, day)
    d = Decisions(ids, np.empty(n, np.int64), np.empty(n, np.bool_), np.empty(n, np.bool_),
                  np.empty(n, np.bool_), np.empty(n, np.bool_), np.zeros(n, np.bool_),
                  np.zeros(n, np.bool_), np.empty(n, np.bool_), np.zeros(n))
    for row in range(n):
        i = ids[row]
        area = pop.area[i]
        officer = force.first[area] + np.int64(u[row, 0] * force.count[area])
        d.officer[row] = officer
        d.green[row] = unit(shift, officer) < p.green_light_share
        d.drug[row] = not pop.sex_work[i]
        if d.drug[row]:
            d.grams[row] = math.exp(pop.log_grams[i] + 0.8 * ndtri(u[row, 1]))
        d.eligible[row] = (not (pop.violent_history[i] or pop.dealing[i])
                           and d.grams[row] <= p.eligible_max_grams)
        d.covered[row] = w.place.covered[area]
        d.probable_cause[row] = u[row, 2] < p.probable_cause_share
        if d.covered[row] and d.eligible[row] and d.green[row]:
            willing = u[row, 3]
            ratio = p.group_diversion[pop.group[i]]  # 1 unless a scenario treats groups apart
            if d.probable_cause[row]:
                d.diverted[row] = willing < force.diversion[officer] * ratio
            else:
                d.referred[row] = (pop.state[i] == State.COMMUNITY
                                   and willing < force.referral[officer] * ratio)
        force.tallies[officer, 0] += d.probable_cause[row]
        force.tallies[officer, 1] += d.diverted[row]
        force.tallies[officer, 2] += d.referred[row]
    return d
