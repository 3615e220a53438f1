"""Police contacts: the officers' decisions and each pathway they start.

Each day the people due a police contact meet an officer (:func:`lead_sim.agents.officer.decide`).
An arrest may be diverted to LEAD or, without arrest, referred (social contact); otherwise it
goes the usual way: referral in lieu of booking under ESB 5476 (O25), booking or citation, and
charging (:mod:`lead_sim.justice`). Re-arrest within 6, 12 and 24 months of each police-contact
episode is followed here for the recidivism tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lead_sim.agents import case_management
from lead_sim.agents.officer import decide
from lead_sim.agents.population import due, mark_for_redraw
from lead_sim.agents.states import Charge, Pathway, State
from lead_sim.engine.events import (
    ARREST_COVERED,
    ARREST_DIVERTED,
    ARREST_ELIGIBLE,
    Kind,
    log_contacts,
    log_people,
)
from lead_sim.engine.jit import compiled, compiled_inline
from lead_sim.engine.ledger import Payer, charge
from lead_sim.engine.recorder import Column, Tally, count_people
from lead_sim.engine.streams import uniform_each
from lead_sim.justice import booking, charging

if TYPE_CHECKING:
    from lead_sim.engine.world import World
    from lead_sim.params import Values


@compiled
def police_contacts(w: World, p: Values, day: int) -> None:
    """Today's police contacts: the officers' decisions, then each pathway."""
    pop = w.people
    ids = due(pop.next_contact, day)
    if len(ids) == 0:
        return
    d = decide(w, p, ids, day)
    count_people(w, day, Column.CONTACTS, ids)
    log_contacts(w, day, Kind.CONTACT, ids, d.probable_cause, d.officer, d.green)
    pathway = np.full(len(ids), Pathway.NONE, np.int8)
    diverted, referred = np.count_nonzero(d.diverted), np.count_nonzero(d.referred)
    arrested = d.probable_cause
    if diverted or referred:  # most days have neither
        pathway[d.referred] = Pathway.REFERRED
        pathway[d.diverted] = Pathway.DIVERTED
        _divert_and_refer(w, p, d, day)
        arrested = arrested & ~d.diverted
    if d.probable_cause.any():
        pathway[arrested] = _arrest_as_usual(w, p, d, arrested, day)
    _follow_up(w, ids, d.probable_cause, pathway, day)
    hours = (np.count_nonzero(arrested) * p.police_hours_per_arrest
             + diverted * p.police_hours_per_diversion + referred * p.police_hours_per_referral)
    charge(w, day, Payer.POLICE, hours * p.police_hourly_cost)
    mark_for_redraw(w, ids[pop.state[ids] < State.JAIL_PRETRIAL])


@compiled_inline
def _divert_and_refer(w: World, p: Values, d, day: int) -> None:
    """Start LEAD intakes for new arrest diversions and social-contact referrals.

    A participant diverted again goes back to their case manager: the diversion counts,
    but no new intake opens.
    """
    new = d.diverted & (w.people.state[d.ids] == State.COMMUNITY)
    held = charging.charge_class(w, p, d.ids[new], d.drug[new], d.grams[new], day)
    case_management.refer(w, p, d.ids[new], held, day)
    count_people(w, day, Column.ARREST_DIVERSIONS, d.ids[d.diverted])
    log_contacts(w, day, Kind.ARREST_DIVERSION, d.ids[d.diverted],
                 np.zeros(len(d.ids), np.int64)[d.diverted], d.officer[d.diverted],
                 d.green[d.diverted])
    referred = d.ids[d.referred]
    case_management.refer(w, p, referred, np.zeros(len(referred), np.int8), day)
    count_people(w, day, Column.SOCIAL_CONTACT_REFERRALS, referred)
    log_contacts(w, day, Kind.SOCIAL_REFERRAL, referred, np.zeros(len(referred), np.int64),
                 d.officer[d.referred], d.green[d.referred])


@compiled_inline
def _arrest_as_usual(w: World, p: Values, d, arrested: np.ndarray, day: int) -> np.ndarray:
    """Arrests not diverted (``arrested``): referral in lieu of booking (ESB 5476), booking
    or citation. Returns each one's pathway."""
    pop = w.people
    ids, drug, grams = d.ids[arrested], d.drug[arrested], d.grams[arrested]
    pc = d.probable_cause
    count_people(w, day, Column.ARRESTS, d.ids[pc])
    flags = (d.diverted * ARREST_DIVERTED + d.eligible * ARREST_ELIGIBLE
             + d.covered * ARREST_COVERED)
    log_contacts(w, day, Kind.ARREST, d.ids[pc], flags[pc], d.officer[pc], d.green[pc])
    in_lieu = drug & (pop.in_lieu_count[ids] < p.referral_in_lieu_arrests)
    if in_lieu.any():  # only under ESB 5476, and only for a person's first arrests
        pop.in_lieu_count[ids[in_lieu]] += 1
        count_people(w, day, Column.IN_LIEU_REFERRALS, ids[in_lieu])
        log_people(w, day, Kind.IN_LIEU_REFERRAL, ids[in_lieu], 0)
    charged = ids[~in_lieu]
    charges = charging.charge_class(w, p, charged, drug[~in_lieu], grams[~in_lieu], day)
    filed = charging.file_charges(w, p, charged, charges, day, w.keys.filing)
    booked = uniform_each(w.keys.book, day, charged) < booking.booking_shares(w, p, charged,
                                                                              charges)
    booking.book(w, p, charged[booked], np.maximum(filed[booked], Charge.MISDEMEANOR), day)
    pathway = np.full(len(ids), Pathway.IN_LIEU, np.int8)
    for row, charged_row in enumerate(np.flatnonzero(~in_lieu)):
        pathway[charged_row] = Pathway.BOOKED if booked[row] else Pathway.CITED
    return pathway


# Re-arrest follow-up horizons, in days: 6, 12 and 24 months (a follow-up episode lasts the
# longest). Index 0, 1, 2 of the cohort's first axis (lead_sim.outcomes.measures.HORIZONS).
FOLLOW_UP_DAYS = (182, 365, 730)
EPISODE_DAYS = FOLLOW_UP_DAYS[-1]


@compiled_inline
def _follow_up(w: World, ids: np.ndarray, arrested: np.ndarray, pathway: np.ndarray,
               day: int) -> None:
    """Follow re-arrest from each person's police-contact episodes.

    A contact opens an episode when the person has none running; the episode follows them for
    24 months and records the day of their first arrest after its start. A contact after the 24
    months closes it (counting it in the cohorts, :func:`close_episodes`) and opens the next,
    so people are followed from contacts throughout the run, not only their first one.
    """
    pop = w.people
    for row in range(len(ids)):
        i = ids[row]
        start = pop.episode_day[i]  # -1 before a person's first contact
        if start >= 0 and day - start > EPISODE_DAYS:
            _close(w, i, day)
            start = -1
        if start < 0:
            pop.episode_day[i] = day
            pop.episode_pathway[i] = pathway[row]
            pop.episode_rearrest[i] = -1
        elif arrested[row] and day > start and pop.episode_rearrest[i] < 0:
            pop.episode_rearrest[i] = day - start


@compiled
def _close(w: World, i: int, day: int) -> None:
    """Count person ``i``'s episode in every horizon whose window ended by ``day`` (in the
    cohorts, and in the equity tally by the person's group and area)."""
    pop, cohort = w.people, w.books.cohort
    tally = w.books.equity[pop.group[i], pop.area[i]]
    start, after = pop.episode_day[i], pop.episode_rearrest[i]
    for h in range(len(FOLLOW_UP_DAYS)):
        if day - start >= FOLLOW_UP_DAYS[h]:
            cohort[h, pop.episode_pathway[i], 0] += 1
            tally[Tally.COHORT_6M + h] += 1
            if 0 < after <= FOLLOW_UP_DAYS[h]:
                cohort[h, pop.episode_pathway[i], 1] += 1
                tally[Tally.REARRESTED_6M + h] += 1
    pop.episode_day[i] = -1


@compiled
def close_episodes(w: World, ids: np.ndarray, day: int) -> None:
    """Count the running episodes of ``ids`` (people leaving, or everyone at the end of the
    run) in the horizons that ended by ``day``; a horizon still open is left out."""
    for i in ids:
        if w.people.episode_day[i] >= 0:
            _close(w, i, day)
