"""People at risk, held as numpy arrays (one slot per person) rather than one object each.

A county run has tens of thousands of people and thousands of days, so per-person Python calls
would cap the model near a million person-days per second (shared/notes/toolchain.md). Instead
each attribute is an array, and each process touches only the people it concerns that day.
Future events (next police contact, release, court date ...) are stored as the day they fall on,
drawn from the person's own random stream, and redrawn whenever the hazard behind them changes.

When a person stops being at risk (desists, moves, dies) their slot is refilled by a newcomer
with fresh attributes, so the population at risk stays the same size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri, pdtrik

from lead_sim.agents.states import NEED_URGENCY, NEVER, Need, NeedStatus, State
from lead_sim.params import Params
from lead_sim.streams import Streams


class Population:
    """Attributes, state and scheduled events of every person at risk."""

    def __init__(self, n: int, area_weights: np.ndarray, streams: Streams) -> None:
        self.n = n
        self.streams = streams
        self.ids = np.arange(n)
        self._area_cdf = np.cumsum(area_weights) / area_weights.sum()
        self.uid = np.arange(n, dtype=np.int64)  # identity; a newcomer in a slot gets a new one
        self.next_uid = n
        i8, i64, f8, b = np.int8, np.int64, np.float64, np.bool_
        # attributes
        self.area = np.zeros(n, np.int16)
        self.frailty = np.ones(n, f8)
        self.severe_sud = np.zeros(n, b)
        self.homeless = np.zeros(n, b)  # unhoused on entry (a trait; being housed is a service)
        self.mental_health = np.zeros(n, b)
        self.sex_work = np.zeros(n, b)
        self.violent_history = np.zeros(n, b)
        self.dealing = np.zeros(n, b)
        self.log_grams = np.zeros(n, f8)
        self.needs = np.zeros((n, len(Need)), i8)
        # state and services
        self.state = np.zeros(n, i8)
        self.case_manager = np.full(n, -1, np.int32)
        self.engaged = np.zeros(n, b)
        self.in_treatment = np.zeros(n, b)
        self.housed = np.zeros(n, b)
        self.held_charge = np.zeros(n, i8)  # charge held during an arrest-diversion intake
        self.pending_charge = np.zeros(n, i8)  # filed charge awaiting disposition
        # record
        self.prior_convictions = np.zeros(n, np.int16)
        self.in_lieu_count = np.zeros(n, np.int16)
        self.first_contact_day = np.full(n, -1, i64)
        self.first_pathway = np.zeros(n, i8)
        self.rearrested_12m = np.zeros(n, b)
        self.supervision_end_day = np.zeros(n, np.int32)  # under supervision while day < this
        # scheduled events (day index; NEVER when none)
        self.rate = np.zeros(n, f8)
        self.base_rate = np.zeros(n, f8)  # hazard from attributes and place, before services
        for name in EVENT_ARRAYS:
            setattr(self, name, np.full(n, NEVER, np.int32))

    # ---- creating people ---------------------------------------------------------------------
    def spawn(self, ids: np.ndarray, day: int, p: Params) -> None:
        """Give the slots ``ids`` new people with attributes drawn from their own streams."""
        u = self.streams.uniform_columns("attributes", day, ids, 11)
        self.area[ids] = np.searchsorted(self._area_cdf, u[:, 0])
        sd = p["risk_heterogeneity"]
        self.frailty[ids] = np.exp(sd * ndtri(u[:, 1]) - 0.5 * sd**2)
        self.severe_sud[ids] = u[:, 2] < p["share_severe_sud"]
        self.homeless[ids] = u[:, 3] < p["share_homeless"]
        self.mental_health[ids] = u[:, 4] < p["share_mental_health_need"]
        no_income = u[:, 5] < p["share_no_income"]
        self.sex_work[ids] = u[:, 6] < p["share_sex_work"]
        self.violent_history[ids] = u[:, 7] < p["share_violent_history"]
        self.dealing[ids] = u[:, 9] < p["share_dealing"]
        self.log_grams[ids] = np.log(p["median_grams"]) + 0.5 * ndtri(u[:, 8])
        mean_priors = np.maximum(p["mean_prior_convictions"] * self.frailty[ids], 1e-9)
        priors = np.ceil(pdtrik(u[:, 10], mean_priors))  # Poisson quantile (inverse CDF)
        self.prior_convictions[ids] = np.minimum(priors, 99)
        needs = np.column_stack([
            self.homeless[ids], self.severe_sud[ids], self.mental_health[ids],
            self.homeless[ids] | no_income, no_income,
        ])
        self.needs[ids] = np.where(needs, NeedStatus.UNMET, NeedStatus.NONE)
        for name in ("case_manager",):
            getattr(self, name)[ids] = -1
        for name in ("engaged", "in_treatment", "housed", "rearrested_12m"):
            getattr(self, name)[ids] = False
        for name in ("state", "held_charge", "pending_charge", "in_lieu_count",
                     "first_pathway", "supervision_end_day"):
            getattr(self, name)[ids] = 0
        self.first_contact_day[ids] = -1
        for name in EVENT_ARRAYS:
            getattr(self, name)[ids] = NEVER
        years = p["years_at_risk"]
        self.renewal_day[ids] = day + self.streams.waits("renewal", day, ids,
                                                         1.0 / (years * 365.25))

    def renew(self, ids: np.ndarray, day: int, p: Params) -> None:
        """Replace the people in ``ids`` by newcomers (new identities, fresh attributes)."""
        self.uid[ids] = self.next_uid + np.arange(len(ids))
        self.next_uid += len(ids)
        self.spawn(ids, day, p)

    # ---- hazards -----------------------------------------------------------------------------
    def set_base_rates(self, ids: np.ndarray, p: Params, presence: np.ndarray) -> None:
        """Hazard from fixed attributes and place; services and LEAD modify it later."""
        rate = p["contact_rate"] * self.frailty[ids] * presence[self.area[ids]]
        rate *= np.where(self.severe_sud[ids], p["hr_severe_sud"], 1.0)
        rate *= np.where(self.homeless[ids], p["hr_homeless"], 1.0)
        rate *= np.where(self.mental_health[ids], p["hr_mental_health"], 1.0)
        self.base_rate[ids] = rate

    def contact_rates(self, ids: np.ndarray, p: Params) -> np.ndarray:
        """Daily police-contact hazard of ``ids`` given attributes, services and state.

        Only people who have been in LEAD carry service effects, so the service terms are
        computed for them alone.
        """
        rate = self.base_rate[ids]
        touched = self.state[ids] != State.COMMUNITY
        touched |= self.housed[ids] | self.in_treatment[ids]
        touched |= (self.needs.take(ids, axis=0) == NeedStatus.MET).any(axis=1)
        if touched.any():
            rate = rate.copy()
            sub = ids[touched]
            met = self.needs[sub] == NeedStatus.MET
            treated = self.severe_sud[sub] & (self.in_treatment[sub] | met[:, Need.TREATMENT])
            factor = np.where(treated, p["hr_treatment"], 1.0)
            factor *= np.where(self.housed[sub], p["hr_housed"], 1.0)
            factor *= np.where(met[:, Need.MENTAL_HEALTH] & self.mental_health[sub],
                               p["hr_mental_health_served"], 1.0)
            factor *= np.where(met[:, Need.INCOME], p["hr_income"], 1.0)
            factor *= np.where(self.state[sub] == State.LEAD_ACTIVE, p["hr_lead_engaged"], 1.0)
            rate[touched] *= factor
        return rate

    def reschedule_contacts(self, ids: np.ndarray, day: int, p: Params) -> None:
        """Redraw the next police contact of ``ids`` from their current hazard.

        Waiting times are memoryless, so redrawing whenever the hazard changes is exact.
        People in custody have no contacts until released.
        """
        if len(ids) == 0:
            return
        free = self.state[ids] < State.JAIL_PRETRIAL
        rate = self.contact_rates(ids, p)
        if free.all():  # the usual case: skip the custody masks
            self.rate[ids] = rate
            self.next_contact[ids] = day + self.streams.waits("contact", day, ids, rate)
            return
        rate = np.where(free, rate, 0.0)
        self.rate[ids] = rate
        wait = self.streams.waits("contact", day, ids, rate)
        self.next_contact[ids] = np.where(free, day + wait, NEVER)

    def top_needs(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each person's most urgent unmet need, and whether they have one at all."""
        urgency = (self.needs[ids] == NeedStatus.UNMET) * np.asarray(NEED_URGENCY)
        return urgency.argmax(axis=1), urgency.max(axis=1) > 0

    def due(self, event: str, day: int) -> np.ndarray:
        """Slots whose ``event`` falls on ``day``."""
        return (getattr(self, event) == day).nonzero()[0]

    def view(self, slot: int) -> PersonView:
        """A read-only snapshot of one person, for inspection and the visualizer."""
        return PersonView(
            uid=int(self.uid[slot]), slot=slot, area=int(self.area[slot]),
            state=State(int(self.state[slot])).name.lower(),
            severe_sud=bool(self.severe_sud[slot]), homeless=bool(self.homeless[slot]),
            housed=bool(self.housed[slot]), in_treatment=bool(self.in_treatment[slot]),
            case_manager=int(self.case_manager[slot]),
            prior_convictions=int(self.prior_convictions[slot]),
            contact_rate_per_year=float(self.rate[slot] * 365.25),
        )


EVENT_ARRAYS = (
    "next_contact", "release_day", "disposition_day", "intake_day", "intake_deadline",
    "waitlist_exit_day", "engagement_day", "lead_exit_day", "treatment_end_day",
    "housing_end_day", "renewal_day", "violation_day",
)


@dataclass(frozen=True)
class PersonView:
    """One person as the visualizer and notebooks see them."""

    uid: int
    slot: int
    area: int
    state: str
    severe_sud: bool
    homeless: bool
    housed: bool
    in_treatment: bool
    case_manager: int
    prior_convictions: int
    contact_rate_per_year: float
