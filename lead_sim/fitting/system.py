"""System-level figures of a run: jail use and bookings, set beside King County's own data.

The UW evaluation says how LEAD participants fared against controls; it says nothing about the
scale of the arrest pathway they were diverted from. These figures do, and they come from
outside the evaluation (evidence rows J, #46, C12b), so calibrating to them leaves the
evaluation's held-out outcomes untouched. Each is read over the pilot years, 2011-01-01 to
2014-07-31 (a year after the run starts, so jail and prison have filled), and scaled to the
reference population the scenario stands for.

The ranges are wide on purpose: King County publishes no jail figures for this population
alone, so each is bounded by the closest published figures (see :data:`SYSTEM_TARGETS`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from lead_sim.params import Params
from lead_sim.scenarios import Scenario

WINDOW = (dt.date(2011, 1, 1), dt.date(2014, 7, 31))


@dataclass(frozen=True)
class SystemTarget:
    """A sourced range for one system-level figure, and the value a calibration aims at."""

    description: str
    low: float
    high: float
    source: str

    @property
    def value(self) -> float:
        """The middle of the range (what a calibration aims at)."""
        return (self.low + self.high) / 2

    def contains(self, x: float) -> bool:
        return self.low <= x <= self.high


SYSTEM_TARGETS: dict[str, SystemTarget] = {
    "jail_days_per_booking": SystemTarget(
        "jail bed-days per booking (average length of stay), 2011 to mid-2014", 10.0, 21.0,
        "J11: Seattle misdemeanants average 10 days in jail; #46, J3: King County's average "
        "stay over all charges 'a little less than three weeks'; C12b: 19.5 jail days per "
        "arrest of Santa Fe's frequent opiate arrestees"),
    "bookings_per_year": SystemTarget(
        "jail bookings per year of the population at risk, county scale", 5_500.0, 11_500.0,
        "J10a (about 31,000-36,000 King County bookings a year, ⚠ INF from ADP and length of "
        "stay) times the drug share of jail population (18%, J4) or of felony filings "
        "(26-31%, J22a); J9: Seattle Police alone booked about 12,000 a year on all charges"),
    "jail_adp": SystemTarget(
        "average daily jail population of the population at risk, county scale", 180.0, 460.0,
        "J4: 459 drug offenders on an average day of 2008, before the October 2008 filing "
        "change moved small possession cases out of felony court (J24, #48); J2: 10% of the "
        "2013 average daily population of 1,765 held pretrial on misdemeanours"),
}


def system_figures(timeseries: pd.DataFrame, scenario: Scenario) -> dict[str, float]:
    """The run's :data:`SYSTEM_TARGETS` figures over :data:`WINDOW`, at the reference
    population (NaN when the run does not cover the window)."""
    first = (WINDOW[0] - scenario.start_date).days
    last = (min(WINDOW[1], scenario.end_date) - scenario.start_date).days
    window = timeseries[(timeseries["day"] >= first) & (timeseries["day"] <= last)]
    if window.empty:
        return dict.fromkeys(SYSTEM_TARGETS, float("nan"))
    p = Params.with_overrides(scenario.params)
    scale = p["reference_population"] / p["population"]
    bookings, bed_days = window["bookings"].sum(), window["jail_population"].sum()
    return {
        "jail_days_per_booking": float(bed_days / bookings) if bookings else float("nan"),
        "bookings_per_year": float(bookings * scale * 365.25 / len(window)),
        "jail_adp": float(bed_days * scale / len(window)),
    }


def system_table(rows: list[dict[str, float]]) -> pd.DataFrame:
    """Replicates' system-level figures against their sourced ranges: one row per figure with
    the model's mean and its range over replicates (2.5-97.5%), and whether the mean is
    inside the sourced range."""
    frame = pd.DataFrame(rows)
    out = []
    for name, target in SYSTEM_TARGETS.items():
        values = frame[name].astype(float)
        mean = float(values.mean())
        out.append({"figure": name, "description": target.description, "low": target.low,
                    "high": target.high, "model_mean": mean,
                    "model_low": float(values.quantile(0.025)),
                    "model_high": float(values.quantile(0.975)),
                    "inside": target.contains(mean), "source": target.source})
    return pd.DataFrame(out)
