"""The scenario data types: what a scenario file means once it has been read and checked."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Any

from lead_sim.errors import LeadSimError

#: The dates a scenario file may give (start, end and timeline dates).
FIRST_DATE = dt.date(1990, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)
#: The longest run ``--years`` may ask for.
MAX_YEARS = 60
#: The last dated fact the evidence file gives for the scenarios: jail booking restrictions
#: lifted for all partner agencies on 1 Feb 2025 (row O24; funding figures stop with 2024, O19,
#: O20). Simulated days after it are an extrapolation, whatever the scenario: outputs mark them
#: (an ``extrapolated`` column, notices, shaded figures).
EVIDENCE_END = dt.date(2025, 2, 1)
EVIDENCE_SOURCE = "O24"


def check_years(years: Any) -> None:
    """Refuse a run length (``--years``) that is not a number above 0 and at most MAX_YEARS."""
    if (isinstance(years, bool) or not isinstance(years, int | float)
            or not (math.isfinite(years) and 0 < years <= MAX_YEARS)):
        raise LeadSimError(f"--years must be a positive number, at most {MAX_YEARS} (years "
                           f"from the scenario's start date); got {years!r}.")


@dataclass(frozen=True)
class TimelineEntry:
    """A dated policy change: areas LEAD starts to cover and parameters that change that day."""

    date: dt.date
    cover: tuple[str, ...] = ()
    set: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    """A named policy scenario: start values for parameters and a dated timeline of changes.

    All built-in scenarios start on the same date, before LEAD's launch, so that runs of two
    scenarios with the same seed are identical up to the first dated difference.
    """

    name: str
    description: str
    start_date: dt.date
    end_date: dt.date
    params: dict[str, Any]
    timeline: tuple[TimelineEntry, ...]
    source: str = ""  # file the scenario was read from
    # the calibration its start values were prepared from ("shipped", a file, or "none"); ""
    # until lead_sim.runs.runner.prepare has applied one
    calibrated: str = ""

    @property
    def days(self) -> int:
        """Number of simulated days, start and end dates included."""
        return (self.end_date - self.start_date).days + 1

    @property
    def extrapolated_from(self) -> dt.date | None:
        """The first simulated day past the last evidence (:data:`EVIDENCE_END`), or None if
        the run ends before it."""
        first = EVIDENCE_END + dt.timedelta(days=1)
        return max(first, self.start_date) if self.end_date >= first else None

    def day_of(self, entry: TimelineEntry) -> int:
        """The day index on which the model applies ``entry`` (day 0 if dated before the start)."""
        return max(0, (entry.date - self.start_date).days)

    def with_horizon(self, years: float | None) -> Scenario:
        """The same scenario run for ``years`` from its start date (None keeps the end date).

        Whole years are calendar years (``--years 6`` from 1 January ends on 31 December, not
        a day later as 6 x 365.25 days would); a fraction adds its share of 365.25 days.
        """
        if years is None:
            return self
        check_years(years)
        whole = int(years)
        start = self.start_date
        if start.year + whole + 1 > dt.MAXYEAR:
            raise LeadSimError(
                f"--years {years:g} from start_date {start} of scenario '{self.name}' runs past "
                f"the last date a run may reach; start dates run from {FIRST_DATE} to "
                f"{LAST_DATE}.")
        try:
            anniversary = start.replace(year=start.year + whole)
        except ValueError:  # 29 February in a year without one
            anniversary = dt.date(start.year + whole, 3, 1)
        extra = round((years - whole) * 365.25)
        return replace(self, end_date=anniversary + dt.timedelta(days=extra - 1))

    def dated_changes(self, name: str) -> list[TimelineEntry]:
        """Timeline entries within the run that set parameter ``name``."""
        return [e for e in self.timeline if name in e.set and e.date <= self.end_date]

    def first_difference(self, other: Scenario) -> dt.date | None:
        """The first day this scenario's policy differs from ``other``'s (None if never).

        Start values that differ make the scenarios differ from the start; otherwise the first
        timeline date on which the two make different changes.
        """
        if self.params != other.params:
            return self.start_date
        mine, theirs = _changes_by_date(self.timeline), _changes_by_date(other.timeline)
        differ = [d for d in {*mine, *theirs} if mine.get(d) != theirs.get(d)]
        return max(min(differ), self.start_date) if differ else None

    def with_params(self, overrides: dict[str, Any]) -> Scenario:
        """The same scenario with start values of some parameters replaced."""
        return replace(self, params={**self.params, **overrides})

    def definition(self) -> dict[str, Any]:
        """What decides a run of the scenario, JSON-ready: its dates, start values and dated
        changes, without its name, description, notes or file. Two scenarios with the same
        definition give the same run for a seed (sweeps use it to share runs and to tell a
        resumable folder from another sweep's)."""
        return {
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "params": dict(self.params),
            "timeline": [{"date": e.date.isoformat(), "cover": list(e.cover), "set": dict(e.set)}
                         for e in self.timeline],
        }

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description, for manifests."""
        return {
            "name": self.name,
            "description": self.description,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "params": dict(self.params),
            "timeline": [
                {"date": e.date.isoformat(), "cover": list(e.cover), "set": dict(e.set),
                 "note": e.note}
                for e in self.timeline
            ],
            "source": self.source,
            "calibrated": self.calibrated,
        }


def _changes_by_date(timeline: tuple[TimelineEntry, ...]) -> dict[dt.date, tuple]:
    """What a timeline changes on each date (notes aside), comparable between scenarios."""
    return {e.date: (tuple(sorted(e.cover)), tuple(sorted(e.set.items()))) for e in timeline}
