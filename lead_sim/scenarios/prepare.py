"""Preparing a scenario to run: load it, start it from a calibration, apply run options.

:func:`prepare_scenario` is what :func:`lead_sim.runs.runner.prepare` and
:class:`lead_sim.model.LeadModel` (given a name, a path or a scenario not prepared yet) both
call, so a model built by hand starts from the same values as a run of the same options.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

from lead_sim.calibration import DEFAULT, Calibrated, resolve
from lead_sim.errors import LeadSimError
from lead_sim.params import Params
from lead_sim.scenarios.loader import load_scenario
from lead_sim.scenarios.schema import Scenario, check_years

MIN_DAYS = 1  # the shortest horizon a prepared scenario may have


def prepare_scenario(scenario: str | os.PathLike[str] | Scenario, *, years: float | None = None,
                     population: int | None = None,
                     overrides: Mapping[str, Any] | None = None,
                     calibrated: str | os.PathLike[str] | Calibrated | None = DEFAULT
                     ) -> Scenario:
    """Load a scenario and apply run options, checking every value before anything runs.

    Its start values begin from ``calibrated``: the shipped fit by default, another
    calibrated file, or None for the registry's defaults (:mod:`lead_sim.calibration`); the
    calibrated values replace the scenario's own start values, and ``overrides`` replace both.
    A scenario prepared already keeps the calibration it was prepared from.
    """
    if years is not None:
        check_years(years)
    if population is not None and not population > 0:
        raise LeadSimError(f"--population must be a positive number of people; got {population}.")
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if not scn.calibrated:
        cal = resolve(calibrated)
        scn = dataclasses.replace(scn.with_params(cal.params if cal else {}),
                                  calibrated=cal.name if cal else "none")
    extra = dict(overrides or {})
    if population is not None:
        extra["population"] = population
    Params.with_overrides({**scn.params, **extra}, f"scenario '{scn.name}'")
    prepared = scn.with_horizon(years).with_params(extra)
    if prepared.days < MIN_DAYS:  # the model needs a first day to record; it fails on none
        given = f"--years {years:g}" if years is not None else f"end_date {scn.end_date}"
        raise LeadSimError(
            f"{given} leaves {max(prepared.days, 0)} days to simulate in scenario "
            f"'{scn.name}'; the minimum is {MIN_DAYS} day (--years {MIN_DAYS / 365.25:.4f} "
            "or more).")
    return prepared


def model_scenario(scenario: str | os.PathLike[str] | Scenario, *, years: float | None = None,
                   calibrated: str | os.PathLike[str] | Calibrated | None = DEFAULT,
                   params: Mapping[str, Any] | None = None) -> Scenario:
    """The scenario a :class:`~lead_sim.model.LeadModel` runs: a prepared scenario as it is
    when nothing is asked of it, otherwise :func:`prepare_scenario` with ``params`` (registry
    parameters, checked by name and value) as overrides."""
    if isinstance(scenario, Scenario) and scenario.calibrated and years is None and not params:
        return scenario
    return prepare_scenario(scenario, years=years, overrides=params, calibrated=calibrated)
