"""The Sequential Intercept Model (SIM) view of a comparison: people, events and costs by intercept.

The SIM (Munetz & Griffin 2006; intercept 0 from Abreu et al. 2017; evidence row O26) lists the
points where a person can leave the criminal legal system. The model's outcomes map onto them:

====  ==========================================  ===============================================
 0    community services, social-contact referral  social-contact referrals, LEAD intakes, LEAD
                                                   caseload, the service pools (treatment and
                                                   housing, and their costs): services reached
                                                   without an arrest
 1    law enforcement, arrest diversion            police contacts, arrests, arrest diversions,
                                                   referrals in lieu of booking; police cost
 2    booking and first appearance                 bookings, charges filed; booking cost,
                                                   prosecution and public defence (charged at
                                                   filing)
 3    jail and court                               jail and prison bed-days and populations,
                                                   prison admissions; jail bed-day, court and
                                                   prison costs
 4    re-entry                                     people released from jail or prison, 12-month
                                                   re-arrest after a booking; no re-entry
                                                   services or costs are modelled
 5    community supervision                        people on probation or community custody,
                                                   technical violations (each a short jail
                                                   stay); supervision cost
====  ==========================================  ===============================================

Placing LEAD's social-contact referrals at 0 and arrest diversion at 1 is the evidence file's own
(inferred) classification. "People" are distinct persons (only counted when runs keep their event
log: ``--people``) or people on an average day (from the daily stocks).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lead_sim.service_table import SERVICES

NOT_MODELLED_REENTRY = "not modelled: the model has no re-entry services or their costs"
NEEDS_EVENTS = "distinct people are counted only when the runs keep their event log (--people)"


@dataclass(frozen=True)
class Measure:
    """One line of the SIM table: a per-replicate outcome column or a note of absence."""

    kind: str  # people, events or costs
    label: str
    column: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Intercept:
    number: int
    name: str
    measures: tuple[Measure, ...]


def _people(label: str, column: str) -> Measure:
    return Measure("people", label, column)


INTERCEPTS: tuple[Intercept, ...] = (
    Intercept(0, "Community services and social-contact referral", (
        _people("people referred by social contact", "people_social_referral"),
        _people("people taken into LEAD", "people_intake"),
        _people("LEAD participants on an average day", "avg_lead_caseload"),
        _people("people waiting for a case manager on an average day", "avg_lead_waitlist"),
        *(_people(f"{s.holding} on an average day", f"avg_{s.occupancy}") for s in SERVICES),
        Measure("events", "social-contact referrals", "social_contact_referrals"),
        Measure("events", "LEAD intakes", "lead_enrollments"),
        Measure("costs", "LEAD case management", "cost_lead_case_management"),
        *(Measure("costs", s.name.replace("_", " "), f"cost_{s.name}") for s in SERVICES),
    )),
    Intercept(1, "Law enforcement and arrest diversion", (
        _people("people arrested", "people_arrest"),
        _people("people diverted at arrest", "people_arrest_diversion"),
        _people("people referred in lieu of booking", "people_in_lieu_referral"),
        Measure("events", "police contacts", "contacts"),
        Measure("events", "arrests", "arrests"),
        Measure("events", "arrest diversions", "arrest_diversions"),
        Measure("events", "referrals in lieu of booking", "in_lieu_referrals"),
        Measure("costs", "police time", "cost_police"),
    )),
    Intercept(2, "Booking and first appearance", (
        _people("people booked", "people_booking"),
        _people("people charged", "people_charge"),
        Measure("events", "bookings", "bookings"),
        Measure("events", "felony charges", "felony_charges"),
        Measure("events", "misdemeanour charges", "misdemeanor_charges"),
        Measure("costs", "booking", "cost_booking"),
        Measure("costs", "prosecution", "cost_prosecution"),
        Measure("costs", "public defence", "cost_public_defense"),
    )),
    Intercept(3, "Jail and court", (
        _people("people in jail on an average day", "avg_jail_population"),
        _people("people in prison on an average day", "avg_prison_population"),
        _people("people convicted", "people_conviction"),
        Measure("events", "jail bed-days", "jail_bed_days"),
        Measure("events", "prison admissions", "prison_admissions"),
        Measure("events", "prison bed-days", "prison_bed_days"),
        Measure("costs", "jail bed-days (average rate)", "cost_jail_beds"),
        Measure("costs", "jail bed-days (marginal rate)", "cost_jail_beds_marginal"),
        Measure("costs", "courts", "cost_courts"),
        Measure("costs", "prison", "cost_prison"),
    )),
    Intercept(4, "Re-entry", (
        _people("people released from jail", "people_jail_release"),
        _people("people released from prison", "people_prison_release"),
        Measure("events", "share re-arrested within 12 months of a booking",
                "rearrest_12m_booked"),
        Measure("costs", "re-entry services", note=NOT_MODELLED_REENTRY),
    )),
    Intercept(5, "Community supervision", (
        _people("people on probation or community custody on an average day",
                "avg_on_supervision"),
        _people("people sanctioned for a violation", "people_supervision_violation"),
        Measure("events", "supervision violations", "supervision_violations"),
        Measure("costs", "supervision", "cost_supervision"),
    )),
)


def intercept_table(table: pd.DataFrame) -> pd.DataFrame:
    """The SIM table in long form: one row per intercept, measure and scenario.

    ``table`` is the comparison table (:func:`lead_sim.outcomes.analysis.comparison_table`);
    values come from it unchanged, so the SIM view and ``comparison.csv`` always agree. A
    measure the model does not produce keeps its row with empty numbers and a ``note`` saying
    why.
    """
    scenarios = list(dict.fromkeys(table["scenario"]))
    indexed = table.set_index(["scenario", "outcome"])
    rows = []
    for icpt in INTERCEPTS:
        for m in icpt.measures:
            for scn in scenarios:
                row = {"intercept": icpt.number, "intercept_name": icpt.name, "kind": m.kind,
                       "measure": m.label, "outcome": m.column or "", "scenario": scn}
                if m.column and (scn, m.column) in indexed.index:
                    row.update(indexed.loc[(scn, m.column)].to_dict())
                    row["note"] = ""
                else:
                    row["note"] = m.note or (NEEDS_EVENTS if m.column.startswith("people_")
                                             else "not in this comparison's outputs")
                rows.append(row)
    return pd.DataFrame(rows)
