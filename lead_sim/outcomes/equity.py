"""Outcomes by race/ethnicity group: what ``equity.csv`` holds, and relative rate indices.

The model tallies its counts by each person's group and area as it makes them
(:mod:`lead_sim.engine.recorder`, ``EQUITY``), so a group's arrests, bookings or bed-days summed
over groups are the run's totals in ``summary.csv`` exactly. A relative rate index (RRI)
compares a group's rate with the reference group's (White, :data:`lead_sim.groups.REFERENCE`):
per person at risk (the outcome per day lived at risk in the model) and per police contact
(what happens once police have stopped someone). Docs: docs/equity.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lead_sim.engine.recorder import EQUITY, HORIZON_MONTHS
from lead_sim.groups import GROUPS, LABELS, REFERENCE

if TYPE_CHECKING:
    from lead_sim.model import LeadModel

ID_COLUMNS = ("scenario", "seed", "group", "outcome", "value")
#: Re-arrest shares by horizon: episodes re-arrested / episodes followed, per group.
SHARES = {f"rearrest_{m}m": (f"rearrested_{m}m", f"cohort_{m}m") for m in HORIZON_MONTHS}
#: Every outcome of equity.csv: the tallied counts (summing over groups to summary.csv's), then
#: the re-arrest shares (which do not sum; the counts behind them do).
OUTCOMES: tuple[str, ...] = (*EQUITY, *SHARES)
#: The outcomes given relative rate indices (``rri_<outcome>``): per person at risk and, except
#: contacts themselves, per contact; the re-arrest share's index is the ratio of the shares.
RRI_OUTCOMES = ("contacts", "arrests", "bookings", "arrest_diversions",
                "social_contact_referrals", "lead_enrollments", "felony_charges",
                "jail_bed_days", "prison_bed_days", "rearrest_12m")
PER_CONTACT = "_per_contact"
#: Outcomes a sweep can take as targets: the RRI per person at risk of each group against the
#: reference group (``rri_bookings_black`` ...).
SWEEP_OUTCOMES: tuple[str, ...] = tuple(
    f"rri_{name}_{g}" for name in RRI_OUTCOMES for g in GROUPS if g != REFERENCE)


def wide(model: LeadModel) -> pd.DataFrame:
    """The run's totals by group (rows, GROUPS order) and outcome (columns, :data:`OUTCOMES`)."""
    totals = model.record.equity.sum(axis=1)  # over areas
    frame = pd.DataFrame(totals, index=list(GROUPS), columns=list(EQUITY)).astype(float)
    for share, (num, den) in SHARES.items():
        with np.errstate(divide="ignore", invalid="ignore"):
            frame[share] = frame[num] / frame[den].where(frame[den] > 0)
    return frame


def by_group(model: LeadModel) -> pd.DataFrame:
    """One run's equity rows: scenario, seed, group, outcome, value (long)."""
    frame = wide(model)
    long = frame.rename_axis("group").reset_index().melt(
        id_vars="group", var_name="outcome", value_name="value")
    long.insert(0, "seed", model.seed)
    long.insert(0, "scenario", model.lead_scenario.name)
    return long[list(ID_COLUMNS)]


def by_area(model: LeadModel) -> pd.DataFrame:
    """The tally so far by group and area (group, area, outcome, value): what a map coloured by
    group, or a chart split by group, draws from (the counts are run totals to the current
    day, so a live view may call this every frame)."""
    return model.record.equity_frame()


def rri(frame: pd.DataFrame, outcome: str, per: str = "person_days") -> pd.Series:
    """Each group's rate of ``outcome`` over the reference group's, from one run's :func:`wide`
    table; ``per`` is the denominator (``person_days`` or ``contacts``). A re-arrest share is
    already a rate: its index is the ratio of the shares. NaN where a rate is undefined."""
    if outcome in SHARES:
        rate = frame[outcome]
    else:
        rate = frame[outcome] / frame[per].where(frame[per] > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = rate / rate[REFERENCE] if rate[REFERENCE] > 0 else rate * np.nan
    return out.replace([np.inf, -np.inf], np.nan)


def from_long(run: pd.DataFrame) -> pd.DataFrame:
    """One run's long rows (:func:`by_group`) back as its :func:`wide` table."""
    return run.pivot(index="group", columns="outcome", values="value").reindex(list(GROUPS))


def sweep_values(run: pd.DataFrame) -> dict[str, float]:
    """One run's :data:`SWEEP_OUTCOMES`, from its long rows (:func:`by_group`)."""
    frame = from_long(run)
    out: dict[str, float] = {}
    for name in RRI_OUTCOMES:
        index = rri(frame, name)
        out.update({f"rri_{name}_{g}": float(index[g]) for g in GROUPS if g != REFERENCE})
    return {name: out[name] for name in SWEEP_OUTCOMES}


def rri_rows(equity: pd.DataFrame) -> pd.DataFrame:
    """Per run (scenario, seed), the RRI rows of every group: ``rri_<outcome>`` per person at
    risk and ``rri_<outcome>_per_contact``, in the long shape of ``equity.csv``."""
    rows: list[dict[str, Any]] = []
    for (scenario, seed), run in equity.groupby(["scenario", "seed"], sort=False):
        frame = from_long(run)
        for name in RRI_OUTCOMES:
            pers = [("", "person_days")]
            if name != "contacts" and name not in SHARES:
                pers.append((PER_CONTACT, "contacts"))
            for suffix, per in pers:
                index = rri(frame, name, per)
                rows += [{"scenario": scenario, "seed": seed, "group": g,
                          "outcome": f"rri_{name}{suffix}", "value": float(index[g])}
                         for g in GROUPS]
    return pd.DataFrame(rows, columns=list(ID_COLUMNS))


def label(group: str) -> str:
    """The group's name as the sources give it (``Black``, ``Hispanic/Latino`` ...)."""
    return LABELS[group]
