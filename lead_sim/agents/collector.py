"""What Mesa sees of a :class:`~lead_sim.model.LeadModel`: its DataCollector, its clock, and
daily series.

The model's own record of each day (:mod:`lead_sim.engine.recorder`) is filled by compiled
code, many days per call. Mesa's face reads it rather than adding work to the day:

* :func:`datacollector` makes the model's ``datacollector``: a model reporter per record
  column (the stocks and flows of the last simulated day, read from its row of the record),
  the seed and the date; officers and case managers as agents. The model collects after each
  ``step()`` and once at the end of ``run()``; ``simulate_until`` (what ``lead-sim run``
  uses) never collects, so the fast path stays as fast as before.
* :func:`keep_time` keeps Mesa's ``steps`` and ``time`` equal to the days simulated when
  many days were simulated in one call.
* :func:`series` is one column of the record as a pandas Series indexed by date.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np
import pandas as pd

from lead_sim.agents.case_manager import CaseManager
from lead_sim.agents.officer import Officer
from lead_sim.engine.recorder import COLUMNS, COSTS, COUNTS, STOCKS
from lead_sim.errors import LeadSimError, close_matches

if TYPE_CHECKING:
    from lead_sim.model import LeadModel

#: What the data collector records of each officer (attributes of :class:`Officer`).
OFFICER_REPORTERS = ("area", "quantile", "diversion_propensity", "referral_propensity",
                     "arrests", "diversions", "referrals")
_INDEX = {name: i for i, name in enumerate(COLUMNS)}
_PAYERS = slice(_INDEX[COSTS[0]], _INDEX[COSTS[0]] + len(COSTS) - 1)  # cost_total: their sum
_WHOLE = frozenset((*COUNTS, *(s for s in STOCKS if s != "case_managers")))


def day_values(values: np.ndarray, day: int) -> dict[str, Any]:
    """Row ``day`` of a daily record's array as :meth:`DailyRecord.frame` gives it: counts and
    stocks as whole numbers (the case managers' full-time equivalents aside), costs as
    floats, ``cost_total`` the sum of the payers."""
    row = values[day]
    out: dict[str, Any] = {name: (int(np.rint(row[i])) if name in _WHOLE else float(row[i]))
                           for i, name in enumerate(COLUMNS)}
    out["cost_total"] = float(np.ascontiguousarray(values[day:day + 1, _PAYERS]).sum(axis=1)[0])
    return out


def today(model: LeadModel) -> dict[str, Any]:
    """The record's row for the last simulated day (zeros before the first day), read once
    per day however many reporters ask."""
    cached = getattr(model, "_collected_day", None)
    if cached is None or cached[0] != model.day:
        values = (day_values(model.record.values, model.day - 1) if model.day
                  else dict.fromkeys(COLUMNS, 0))
        cached = model._collected_day = (model.day, values)
    return cached[1]


def _column(name: str, model: LeadModel) -> Any:
    return today(model)[name]


def _seed(model: LeadModel) -> int:
    return model.seed


def _date(model: LeadModel) -> dt.date:
    return model.last_date


def caseload_size(agent: CaseManager) -> int:
    """People on a case manager's caseload."""
    return len(agent.caseload)


def datacollector() -> mesa.DataCollector:
    """A DataCollector of the day's record columns, the seed and date (model reporters),
    officers (their area, place in the spread, propensities and tallies) and case managers
    (full-time equivalent, whether retiring, caseload size)."""
    model_reporters: dict[str, Any] = {"date": _date, "seed": _seed}
    model_reporters.update({name: partial(_column, name) for name in COLUMNS})
    return mesa.DataCollector(
        model_reporters=model_reporters,
        agenttype_reporters={
            Officer: {name: name for name in OFFICER_REPORTERS},
            CaseManager: {"fte": "fte", "retiring": "retiring", "caseload": caseload_size},
        })


def keep_time(model: LeadModel) -> None:
    """Bring Mesa's clock to the days simulated: ``steps`` and ``time`` equal ``model.day``
    after days simulated in one compiled call, as if each had been a ``step()`` (events
    scheduled with Mesa in between still run; the days' own steps are not repeated)."""
    if model.day <= model.steps:
        return
    schedule = model._default_schedule  # Mesa's step every 1.0: moved on, not replayed
    schedule.pause()
    if model.day > model.time:
        model._advance_time(float(model.day))
    model.steps = model.day
    schedule.resume()


def series(model: LeadModel, name: str) -> pd.Series:
    """Column ``name`` of the daily record (:data:`lead_sim.engine.recorder.COLUMNS`) for the
    days simulated so far, indexed by date (a pandas DatetimeIndex named 'date')."""
    if name not in _INDEX:
        raise LeadSimError(f"Unknown daily series '{name}'.{close_matches(name, COLUMNS)} "
                           f"The daily series are: {', '.join(COLUMNS)}.")
    frame = model.record.frame(model.day)
    dates = pd.date_range(model.lead_scenario.start_date, periods=model.day, freq="D",
                          name="date")
    return pd.Series(frame[name].to_numpy(), index=dates, name=name)
