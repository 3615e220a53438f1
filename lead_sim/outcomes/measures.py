"""Outcomes of one run: the summary row and the daily time series, from a finished model.

Every summary number is derived from the daily record, the ledger or the re-arrest cohorts, so
the tables agree with each other by construction (``jail_bed_days`` is the sum of the daily
``jail_population``; the ``cost_<payer>`` columns sum to ``cost_total``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lead_sim.agents.states import Pathway
from lead_sim.engine.recorder import COUNTS
from lead_sim.scenarios.schema import EVIDENCE_END

if TYPE_CHECKING:
    from lead_sim.model import LeadModel

#: Re-arrest horizons in months (lead_sim.agents.police.FOLLOW_UP_DAYS gives them in days), and
#: the pathways of an episode's first contact that have their own shares.
MONTHS = (6, 12, 24)
PATHWAY_WORDS = {"booked": "a booking", "diverted": "a LEAD arrest diversion",
                 "referred": "a LEAD referral"}


def _recidivism(months: int) -> dict[str, str]:
    """The re-arrest outcomes of one horizon, overall and by the episode's first pathway."""
    out = {f"rearrest_{months}m": f"Share re-arrested within {months} months of a police-contact "
                                  "episode's start (every episode whose window ended in the run)"}
    out.update({f"rearrest_{months}m_{p}": f"... of episodes whose first contact was {what}"
                for p, what in PATHWAY_WORDS.items()})
    out[f"cohort_{months}m"] = (f"Police-contact episodes whose {months} months ended in the run "
                                "(the re-arrest shares' denominator)")
    out.update({f"cohort_{months}m_{p}": f"... of those whose first contact was {what}"
                for p, what in PATHWAY_WORDS.items()})
    return out


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
    **{name: text for months in MONTHS for name, text in _recidivism(months).items()},
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
    for h, months in enumerate(MONTHS):
        cohort = model.cohort[h]
        row[f"rearrest_{months}m"] = _share(cohort, list(range(len(Pathway))))
        for p in PATHWAY_WORDS:
            row[f"rearrest_{months}m_{p}"] = _share(cohort, [getattr(Pathway, p.upper())])
        row[f"cohort_{months}m"] = int(cohort[:, 0].sum())
        for p in PATHWAY_WORDS:
            row[f"cohort_{months}m_{p}"] = int(cohort[getattr(Pathway, p.upper()), 0])
    costs = model.ledger.totals()
    row["cost_total"] = float(sum(costs.values()))
    row.update(costs)
    return row


def timeseries(model: LeadModel) -> pd.DataFrame:
    """The daily record with scenario, seed, day and calendar date in front (``date`` is
    datetime64, midnight of each day; CSV files show it as YYYY-MM-DD)."""
    frame = model.record.frame(model.day)
    dates = pd.date_range(model.lead_scenario.start_date, periods=len(frame), freq="D")
    front = pd.DataFrame({"scenario": model.lead_scenario.name, "seed": model.seed,
                          "day": np.arange(len(frame)), "date": dates})
    return pd.concat([front, frame], axis=1)


def mark_extrapolated(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of daily rows (with a ``date``) with an ``extrapolated`` column after the date:
    True on days past the last dated evidence (:data:`EVIDENCE_END`, row O24), which follow
    settings no evidence supports. Runs and comparisons add it to the series they write."""
    marked = frame.copy()
    marked.insert(list(marked.columns).index("date") + 1, "extrapolated",
                  pd.to_datetime(marked["date"]) > pd.Timestamp(EVIDENCE_END))
    return marked
