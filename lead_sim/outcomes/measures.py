"""Outcomes of one run: the summary row and the daily time series, from a finished model.

Every summary number is derived from the daily record, the ledger or the 12-month cohort, so
the tables agree with each other by construction (``jail_bed_days`` is the sum of the daily
``jail_population``; the ``cost_<payer>`` columns sum to ``cost_total``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lead_sim.agents.states import Pathway
from lead_sim.engine.recorder import COUNTS

if TYPE_CHECKING:
    from lead_sim.model import LeadModel

#: Summary columns a comparison or sweep can analyse, with what each one means.
OUTCOMES: dict[str, str] = {
    "person_days": "Days lived at risk by the simulated population",
    "contacts": "Police contacts",
    "arrests": "Arrests (booked, cited, referred in lieu, or diverted)",
    "bookings": "Jail bookings",
    "arrest_diversions": "LEAD arrest diversions",
    "social_contact_referrals": "LEAD social-contact referrals",
    "in_lieu_referrals": "Referrals to assessment in lieu of booking (2021-23 law)",
    "lead_enrollments": "LEAD intakes completed",
    "felony_charges": "Felony charges filed",
    "misdemeanor_charges": "Misdemeanour charges filed",
    "prison_admissions": "Prison admissions",
    "supervision_violations": "Supervision violations (each a short jail stay)",
    "jail_bed_days": "Jail bed-days",
    "prison_bed_days": "Prison bed-days",
    "rearrest_12m": "Share re-arrested within 12 months of a first police contact",
    "rearrest_12m_booked": "... of those whose first contact was a booking",
    "rearrest_12m_diverted": "... of those whose first contact was a LEAD arrest diversion",
    "rearrest_12m_referred": "... of those whose first contact was a LEAD referral",
    "cohort_12m": "People whose 12 months after a first police contact ended in the run (the "
                  "re-arrest shares' denominator)",
    "cohort_12m_booked": "... of those whose first contact was a booking",
    "cohort_12m_diverted": "... of those whose first contact was a LEAD arrest diversion",
    "cohort_12m_referred": "... of those whose first contact was a LEAD referral",
    "cost_total": "Total public cost (USD)",
}


def _share(cohort: np.ndarray, rows: list[int]) -> float:
    n, k = cohort[rows, 0].sum(), cohort[rows, 1].sum()
    return float(k / n) if n else float("nan")


def summary(model: LeadModel) -> dict[str, Any]:
    """One summary row for a finished run."""
    record = model.record.frame()
    row: dict[str, Any] = {"scenario": model.lead_scenario.name, "seed": model.seed,
                           "days": model.days,
                           "person_days": int(model.p["population"]) * model.days}
    for name in COUNTS:
        row[name] = int(record[name].sum())
    row["jail_bed_days"] = int(record["jail_population"].sum())
    row["prison_bed_days"] = int(record["prison_population"].sum())
    cohort = model.cohort
    row["rearrest_12m"] = _share(cohort, list(range(len(Pathway))))
    row["rearrest_12m_booked"] = _share(cohort, [Pathway.BOOKED])
    row["rearrest_12m_diverted"] = _share(cohort, [Pathway.DIVERTED])
    row["rearrest_12m_referred"] = _share(cohort, [Pathway.REFERRED])
    row["cohort_12m"] = int(cohort[:, 0].sum())
    for pathway in ("booked", "diverted", "referred"):
        row[f"cohort_12m_{pathway}"] = int(cohort[getattr(Pathway, pathway.upper()), 0])
    costs = model.ledger.totals()
    row["cost_total"] = float(sum(costs.values()))
    row.update(costs)
    return row


def timeseries(model: LeadModel) -> pd.DataFrame:
    """The daily record with scenario, seed, day and calendar date in front."""
    frame = model.record.frame(model.day)
    dates = pd.date_range(model.lead_scenario.start_date, periods=len(frame), freq="D")
    front = pd.DataFrame({"scenario": model.lead_scenario.name, "seed": model.seed,
                          "day": np.arange(len(frame)), "date": dates.date})
    return pd.concat([front, frame], axis=1)
