"""Police officers: who meets whom, and whether a contact is arrested, diverted or referred.

Officers are ordinary Mesa agents, each posted to one area with a personal propensity to divert
(officers keep discretion, O6; few eligible arrests were diverted in some sites, #25, #28).
Contacts arise from people's own contact hazard (see :mod:`lead_sim.agents.population`); each
day's contacts in an area are shared among the officers posted there. The decision is computed
for all of the day's contacts at once from the officers' attributes, which keeps a county run
fast while each officer still carries their own propensity and tallies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np
from scipy.special import betaincinv, ndtri

from lead_sim.agents.states import State

if TYPE_CHECKING:
    from lead_sim.model import LeadModel

PROPENSITY_CONCENTRATION = 4.0  # assumption: Beta(m*4, (1-m)*4) spread of officer propensities
PEOPLE_PER_OFFICER = 250.0  # assumption: officers posted per person at risk, scaled by presence


class Officer(mesa.Agent):
    """One officer: an area, a place in the force's spread of propensities, and tallies."""

    def __init__(self, model: LeadModel, index: int, area: int, quantile: float) -> None:
        super().__init__(model)
        self.index = index  # position in the force's arrays
        self.area = area
        self.quantile = quantile  # where this officer sits among colleagues (0-1)
        self.diversion_propensity = 0.0
        self.referral_propensity = 0.0

    @property
    def arrests(self) -> int:
        return int(self.model.force.tallies[self.index, 0])

    @property
    def diversions(self) -> int:
        return int(self.model.force.tallies[self.index, 1])

    @property
    def referrals(self) -> int:
        return int(self.model.force.tallies[self.index, 2])

    def set_propensities(self, diversion_mean: float, referral_mean: float) -> None:
        """Place the officer's propensities at their quantile of the force-wide spread."""
        self.diversion_propensity = _beta_quantile(diversion_mean, self.quantile)
        self.referral_propensity = _beta_quantile(referral_mean, self.quantile)


def _beta_quantile(mean: float, q: float) -> float:
    if mean <= 0.0 or mean >= 1.0:
        return float(mean)
    k = PROPENSITY_CONCENTRATION
    return float(betaincinv(mean * k, (1 - mean) * k, q))


@dataclass
class ContactOutcome:
    """The day's contacts (slots) and what the officers decided for each."""

    ids: np.ndarray
    officer: np.ndarray  # index into the force
    green: np.ndarray  # shift allowed diversion
    probable_cause: np.ndarray
    eligible: np.ndarray
    covered: np.ndarray
    diverted: np.ndarray  # arrest diversion to LEAD
    referred: np.ndarray  # social-contact referral to LEAD
    drug: np.ndarray  # drug (rather than sex-work) offence
    grams: np.ndarray


class Force:
    """All officers, with their attributes mirrored in arrays for the vectorised decision."""

    def __init__(self, model: LeadModel, officers_per_area: np.ndarray) -> None:
        self.model = model
        areas = np.repeat(np.arange(len(officers_per_area)), officers_per_area)
        quantiles = model.streams.uniform("officer", 0, np.arange(len(areas)))
        self.officers = [Officer(model, i, int(a), float(q))
                         for i, (a, q) in enumerate(zip(areas, quantiles))]
        self.tallies = np.zeros((len(areas), 3), np.int64)  # arrests, diversions, referrals
        self.area = areas
        self.first = np.concatenate([[0], np.cumsum(officers_per_area)[:-1]])
        self.count = np.asarray(officers_per_area)
        self.diversion = np.zeros(len(areas))
        self.referral = np.zeros(len(areas))

    def update_propensities(self, diversion_mean: float, referral_mean: float) -> None:
        """Re-place every officer after the force-wide means change (training, policy)."""
        for officer in self.officers:
            officer.set_propensities(diversion_mean, referral_mean)
        self.diversion = np.array([o.diversion_propensity for o in self.officers])
        self.referral = np.array([o.referral_propensity for o in self.officers])

    def handle(self, ids: np.ndarray, day: int) -> ContactOutcome:
        """Decide the day's contacts: who is arrested, diverted or referred to LEAD.

        An arrest is diverted when the area is covered, the contact is eligible (O6), the
        officer is on a green-light shift (O11) and chooses to (their propensity). A contact
        without probable cause is referred on the same conditions with the officer's referral
        propensity, unless the person is already in LEAD.
        """
        m, pop, s, p = self.model, self.model.population, self.model.streams, self.model.p
        area = pop.area[ids]
        pick, quantity, cause, willing = s.uniform_columns("contact_draws", day, ids, 4).T
        officer = self.first[area] + (pick * self.count[area]).astype(np.int64)
        green = s.uniform("shift", day, officer) < p["green_light_share"]
        drug = ~pop.sex_work[ids]
        grams = np.where(drug, np.exp(pop.log_grams[ids] + 0.8 * ndtri(quantity)), 0.0)
        eligible = ~(pop.violent_history[ids] | pop.dealing[ids])
        eligible &= grams <= p["eligible_max_grams"]
        covered = m.covered[area]
        probable_cause = cause < p["probable_cause_share"]
        allowed = covered & eligible & green
        if allowed.any():
            diverted = probable_cause & allowed & (willing < self.diversion[officer])
            not_in_lead = pop.state[ids] == State.COMMUNITY
            referred = ~probable_cause & allowed & not_in_lead & (willing < self.referral[officer])
        else:  # nobody could be diverted or referred today (a third of days, citywide)
            diverted, referred = np.zeros(len(ids), bool), np.zeros(len(ids), bool)
        self._tally(officer, probable_cause, diverted, referred)
        return ContactOutcome(ids, officer, green, probable_cause, eligible, covered, diverted,
                              referred, drug, grams)

    def _tally(self, officer, probable_cause, diverted, referred) -> None:
        for column, mask in enumerate((probable_cause, diverted, referred)):
            if mask.any():  # diversions and referrals are rare
                np.add.at(self.tallies[:, column], officer[mask], 1)
