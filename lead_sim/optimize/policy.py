"""From a search's numbers to a scenario: the decision variables applied on the policy start.

Every candidate shares the base scenario's history up to the config's ``start`` date (the
history scenario runs on to ``start`` + ``years``, with the base's own later changes, such as a
new law, as long as they leave the searched parameters and areas alone).
A candidate adds, on that date, one timeline entry setting its parameters, and a ``cover``
entry for each area it covers later (``cover:<area>`` years after the start, counted in whole
days; at or past the end of the run, never). Runs of two candidates with one seed are then
identical until the start, so a worker simulates that history once per seed and forks it for
each candidate (:mod:`lead_sim.optimize.evaluate`).

Service pools: the listed ``<pool>_budget_share`` variables take their values, and the services
budget they leave goes to the pools not listed, in proportion to their shares at the start (so
with treatment and housing, ``housing_budget_share`` alone decides the split).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from lead_sim.errors import LeadSimError
from lead_sim.neighbourhoods import area_groups
from lead_sim.optimize.config import BUDGET, COVER, OptimizeConfig
from lead_sim.params import Params
from lead_sim.runs.runner import prepare
from lead_sim.scenarios import Scenario, TimelineEntry
from lead_sim.service_table import SERVICES

POOL_SHARES = tuple(f"{s.name}_budget_share" for s in SERVICES)
CASE_MANAGERS = "case_management_share"


def history_scenario(config: OptimizeConfig) -> Scenario:
    """The base scenario, prepared, run to ``start`` + ``years``. Its own later changes
    (a new law, say) stay, as long as they set no searched parameter and cover no searched
    area: those would overrule the candidate's decision."""
    base = prepare(config.scenario, population=config.population)
    searched = set_by_search(config) | {v.area for v in config.variables if v.kind == "cover"}
    for e in base.timeline:
        clash = sorted(searched & (set(e.set) | _areas(e.cover)))
        if e.date >= config.start and clash:
            raise LeadSimError(
                f"Scenario '{base.name}' sets {', '.join(clash)} on {e.date}, on or after the "
                f"optimisation's start {config.start}, which would overrule the searched "
                "policy: choose a later 'start', or a scenario that leaves them alone.")
    if config.start <= base.start_date:
        raise LeadSimError(f"'start' {config.start} must be after scenario '{base.name}' "
                           f"starts ({base.start_date}): the policy acts on a running system.")
    end = _years_after(config.start, config.years) - dt.timedelta(days=1)
    history = dataclasses.replace(base, end_date=end, name=f"{base.name}+{config.name}")
    covered = {a for e in history.timeline if e.date < config.start for a in _areas(e.cover)}
    for variable in config.variables:
        if variable.kind == "cover" and variable.area in covered:
            raise LeadSimError(f"Variable '{variable.name}': scenario '{base.name}' covers "
                               f"{variable.area} already before {config.start}.")
    return history


def start_values(history: Scenario) -> Params:
    """The parameter values in force on the policy start (start values and every change)."""
    values = dict(history.params)
    for entry in sorted(history.timeline, key=lambda e: e.date):
        values.update(entry.set)
    return Params.with_overrides(values)


def decode(config: OptimizeConfig, history: Scenario, x: Sequence[float]) -> dict[str, Any]:
    """The policy a candidate's numbers stand for: every variable's value, the programme
    budget (fixed at its start value when not searched) and every pool's share."""
    start = start_values(history)
    values: dict[str, Any] = {v.name: v.value(xi) for v, xi in zip(config.variables, x,
                                                                  strict=True)}
    values.update(_pool_shares(values, start))
    for name in (BUDGET, CASE_MANAGERS, *POOL_SHARES):  # what the spending is split by
        values.setdefault(name, start[name])
    return values


def set_by_search(config: OptimizeConfig) -> set[str]:
    """Parameters a candidate's timeline entry sets: the variables, and every pool's share
    when one of them is searched (the others take what it leaves)."""
    names = {v.name for v in config.variables if v.kind != "cover"}
    return names | set(POOL_SHARES) if names & set(POOL_SHARES) else names


def _pool_shares(values: dict[str, Any], start: Params) -> dict[str, float]:
    listed = {n: float(values[n]) for n in POOL_SHARES if n in values}
    if not listed:
        return {}
    total = sum(listed.values())
    if total > 1.0:  # the model would scale them down too; say so in the policy's own numbers
        listed = {n: share / total for n, share in listed.items()}
    rest = [n for n in POOL_SHARES if n not in listed]
    left = max(0.0, 1.0 - sum(listed.values()))
    weights = {n: float(start[n]) for n in rest}
    spread = sum(weights.values())
    return {**listed, **{n: left * (w / spread if spread else 1 / len(rest))
                         for n, w in weights.items()}}


def candidate_scenario(config: OptimizeConfig, history: Scenario, policy: dict[str, Any],
                       label: str) -> Scenario:
    """The history scenario with ``policy`` (from :func:`decode`) applied from the start."""
    params = {k: v for k, v in policy.items() if k in set_by_search(config)}
    Params.with_overrides({**start_values(history), **params}, f"candidate {label}")
    entries = [TimelineEntry(config.start, set=params, note=f"optimised policy {label}")]
    for name, years in policy.items():
        if name.startswith(COVER):
            day = config.start + dt.timedelta(days=round(years * 365.25))
            if day <= history.end_date:
                entries.append(TimelineEntry(day, cover=(name.removeprefix(COVER),)))
    merged: dict[dt.date, TimelineEntry] = {}
    for e in entries:  # one entry per date, as scenario files have
        had = merged.get(e.date)
        merged[e.date] = e if had is None else dataclasses.replace(
            had, cover=(*had.cover, *e.cover), set={**had.set, **e.set})
    timeline = sorted((*history.timeline, *merged.values()), key=lambda e: e.date)
    return dataclasses.replace(history, name=label, timeline=tuple(timeline))


def spending(policy: dict[str, Any]) -> dict[str, float]:
    """The budget's split in USD per year: case managers and each service pool."""
    budget, managers = float(policy[BUDGET]), float(policy[CASE_MANAGERS])
    shares = pool_split([float(policy[name]) for name in POOL_SHARES])
    return {"case_managers": budget * managers,
            **{s.name: budget * (1 - managers) * share for s, share in zip(SERVICES, shares,
                                                                            strict=True)}}


def pool_split(shares: list[float]) -> list[float]:
    """Pool shares as the model spends them (scaled down if they add up to more than 1)."""
    total = sum(shares)
    return [share / total for share in shares] if total > 1.0 + 1e-12 else shares


def _areas(cover: Sequence[str]) -> set[str]:
    groups = area_groups()
    return {a for key in cover for a in groups.get(key, (key,))}


def _years_after(date: dt.date, years: float) -> dt.date:
    """``years`` after ``date``: whole calendar years plus a share of 365.25 days."""
    whole = int(years)
    try:
        anniversary = date.replace(year=date.year + whole)
    except ValueError:  # 29 February
        anniversary = dt.date(date.year + whole, 3, 1)
    return anniversary + dt.timedelta(days=round((years - whole) * 365.25))
