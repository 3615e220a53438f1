"""Charging: the charge an arrest carries, and prosecutors filing it.

Charging follows the dated legal context: possession is a felony, misdemeanour or gross
misdemeanour (O25), small quantities stop being charged from September 2018 (O15), and from
July 2023 possession may go to statutory pretrial diversion (O25). Filing
is called at arrest and by case management, when a charge held during a LEAD intake is filed
because the intake was not completed (O10); so it sits below case management.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lead_sim.agents.states import Charge
from lead_sim.engine.events import Kind, log_people_each
from lead_sim.engine.jit import compiled
from lead_sim.engine.ledger import Payer, charge
from lead_sim.engine.recorder import Column, count_people
from lead_sim.engine.streams import uniform_each, waits_at

if TYPE_CHECKING:
    from lead_sim.engine.world import World
    from lead_sim.params import Values

# Payer, and the parameters of its cost per charge filed by class. Every filing is charged,
# one that joins an open case included: each charge is prosecuted and defended.
CASE_COSTS = tuple((payer, f"{key}_felony", f"{key}_misdemeanor") for payer, key in (
    ("prosecution", "prosecution_cost"), ("public_defense", "defense_cost"),
    ("courts", "court_cost")))


@compiled
def charge_class(w: World, p: Values, ids: np.ndarray, drug: np.ndarray, grams: np.ndarray,
                 day: int) -> np.ndarray:
    """The charge an arrest would carry if filed (NONE where policy says not to charge).

    Under SB 5536 (O25, from July 2023) a share of possession charges goes to statutory
    pretrial diversion instead: the case is dismissed on completion, so it is never tried;
    ``pretrial_diversion_share`` is the share diverted and completed, and such a charge counts
    as not filed (NONE). It applies only while possession is not a felony.
    """
    charges = np.full(len(ids), Charge.MISDEMEANOR, np.int8)
    if len(ids) == 0:
        return charges
    felony = uniform_each(w.keys.felony, day, ids)
    for row in range(len(ids)):
        share = p.felony_filing_share * p.group_felony[w.people.group[ids[row]]]
        if drug[row] and p.felony_law and felony[row] < share:
            charges[row] = Charge.FELONY
        if drug[row] and grams[row] < p.charge_min_grams:
            charges[row] = Charge.NONE
    if p.pretrial_diversion_share > 0 and not p.felony_law:
        diverted = uniform_each(w.keys.pretrial_diversion, day, ids)
        for row in range(len(ids)):
            if drug[row] and diverted[row] < p.pretrial_diversion_share:
                charges[row] = Charge.NONE
    return charges


@compiled
def file_charges(w: World, p: Values, ids: np.ndarray, charges: np.ndarray, day: int,
                 kind_key: np.uint64) -> np.ndarray:
    """Prosecutors file some of the chargeable arrests; returns the filed charge per person.

    A person has one open case at a time: a new filing joins it (keeping the more serious
    class) rather than starting a second court date. Every charge filed, one that joins an open
    case included, is charged its prosecution, defence and court cost by class on ``day``: each
    is a new charge to prosecute and defend; only the court date is shared. ``kind_key`` names
    the random stream (``keys.filing``, or ``keys.held_filing`` for a charge held during an
    intake), so a held charge filed on the day of a new arrest gets its own draw.
    """
    pop = w.people
    filed = np.full(len(ids), Charge.NONE, np.int8)
    if len(ids) == 0:
        return filed
    u = uniform_each(kind_key, day, ids)
    for row in range(len(ids)):
        if u[row] < p.charge_filing_share:
            filed[row] = charges[row]
    has = filed != Charge.NONE
    if not has.any():
        return filed
    ids_f, filed_f = ids[has], filed[has]
    felony = filed_f == Charge.FELONY
    count_people(w, day, Column.FELONY_CHARGES, ids_f[felony])
    count_people(w, day, Column.MISDEMEANOR_CHARGES, ids_f[~felony])
    charge(w, day, Payer.PROSECUTION, _by_class(felony, p.prosecution_cost_felony,
                                                p.prosecution_cost_misdemeanor))
    charge(w, day, Payer.PUBLIC_DEFENSE, _by_class(felony, p.defense_cost_felony,
                                                   p.defense_cost_misdemeanor))
    charge(w, day, Payer.COURTS, _by_class(felony, p.court_cost_felony,
                                           p.court_cost_misdemeanor))
    waits = waits_at(w.keys.court, day, ids_f, 1.0 / p.court_days)
    for row in range(len(ids_f)):
        i = ids_f[row]
        if pop.pending_charge[i] == Charge.NONE:
            pop.disposition_day[i] = day + waits[row]
        pop.pending_charge[i] = max(pop.pending_charge[i], filed_f[row])
    log_people_each(w, day, Kind.CHARGE, ids_f, filed_f)
    return filed


@compiled
def _by_class(felony: np.ndarray, felony_cost: float, misdemeanor_cost: float) -> float:
    """The cost of the charges, ``felony_cost`` for each felony and ``misdemeanor_cost`` for
    each misdemeanour, added up in their order."""
    total = 0.0
    for is_felony in felony:
        total += felony_cost if is_felony else misdemeanor_cost
    return total
