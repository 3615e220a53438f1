"""Run several scenarios of one seed as a tree: shared history is simulated once, then forked.

Scenarios that extend each other (system_as_usual -> pilot_2011 -> seattle_citywide ->
king_county) are identical, day for day and draw for draw, until their timelines first differ:
random draws are keyed by seed, person and decision (:mod:`lead_sim.engine.streams`), not by
how many draws came before. So one model can run the common prefix and be copied at the first
day a timeline differs; the copy then follows the other scenario. The result is exactly what
separate runs give (``tests/test_compare.py`` checks this), at the cost of the unshared days
only: for the three built-in expansion scenarios about two thirds of the simulated days.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from lead_sim.model import LeadModel
from lead_sim.outcomes.equity import by_group
from lead_sim.outcomes.measures import summary, timeseries
from lead_sim.params import LEAD_ONLY
from lead_sim.runs.runner import RunResult
from lead_sim.scenarios import Scenario, TimelineEntry

DEFERRED_NOTE = "LEAD-only parameters, deferred to the day LEAD starts"


def _entries(scenario: Scenario) -> dict[int, list[tuple]]:
    """Timeline entries by day index, as comparable tuples (as the model applies them)."""
    by_day: dict[int, list[tuple]] = {}
    for e in scenario.timeline:
        by_day.setdefault(scenario.day_of(e), []).append((tuple(e.cover), sorted(e.set.items())))
    return by_day


def divergence_day(a: Scenario, b: Scenario) -> int:
    """First day on which runs of ``a`` and ``b`` can differ (0: nothing is shared)."""
    if (a.start_date, a.end_date, a.params) != (b.start_date, b.end_date, b.params):
        return 0
    ea, eb = _entries(a), _entries(b)
    days = sorted(d for d in {*ea, *eb} if ea.get(d) != eb.get(d))
    return min(days[0], a.days) if days else a.days


def lead_start_day(scenario: Scenario) -> int | None:
    """The first day LEAD can act, when it first covers an area (it spends nothing before:
    :meth:`LeadModel.budget`), or None if never."""
    days = [scenario.day_of(e) for e in scenario.timeline if e.cover]
    return min(days) if days else None


def defer_lead_params(scenario: Scenario) -> Scenario:
    """The same scenario with its LEAD-only parameters set on the day LEAD starts instead.

    Before LEAD first covers an area, nobody is in it and it spends nothing, so the values of
    :data:`~lead_sim.params.LEAD_ONLY` parameters change nothing and runs differ only in what
    they simulate afterwards. Moving those values to a timeline entry on that day (dropping
    them altogether if LEAD never starts) makes scenarios that differ only in them identical
    until then, so :func:`simulate_tree` simulates the shared days once. The run's summary and
    daily series are unchanged, draw for draw (``tests/test_branching.py`` checks every
    built-in scenario); only an event log would differ, in the green-light and eligibility
    flags it records for contacts and arrests before LEAD starts, when nothing acts on them.
    """
    start = lead_start_day(scenario)
    if start == 0:
        return scenario
    deferred = {k: v for k, v in scenario.params.items() if k in LEAD_ONLY}
    before, after = [], []
    for entry in sorted(scenario.timeline, key=scenario.day_of):  # as the model applies them
        if start is not None and scenario.day_of(entry) >= start:
            after.append(entry)
            continue
        deferred.update((k, v) for k, v in entry.set.items() if k in LEAD_ONLY)
        kept = {k: v for k, v in entry.set.items() if k not in LEAD_ONLY}
        if kept or entry.cover or not entry.set:  # drop entries that only set deferred values
            before.append(replace(entry, set=kept))
    if start is not None and deferred:
        after.insert(0, _with_first(deferred, after, scenario.start_date + dt.timedelta(start)))
    params = {k: v for k, v in scenario.params.items() if k not in LEAD_ONLY}
    return replace(scenario, params=params, timeline=(*before, *after))


def _with_first(deferred: dict, after: list[TimelineEntry], date: dt.date) -> TimelineEntry:
    """The entry that starts LEAD, with the deferred values applied first (its own win).

    Merging keeps one entry per date, as scenario files have; ``after`` loses that entry.
    """
    if after and after[0].date == date:
        first = after.pop(0)
        return replace(first, set={**deferred, **first.set})
    return TimelineEntry(date, set=deferred, note=DEFERRED_NOTE)


def _finish(model: LeadModel, keep_events: bool) -> RunResult:
    model.run()
    model.finish()
    events = model.events.to_frame() if keep_events else None
    return RunResult(summary(model), timeseries(model), events, by_group(model))


def _retarget(model: LeadModel, scenario: Scenario) -> LeadModel:
    """A copy of ``model`` that follows ``scenario`` from its current day on."""
    fork = copy.deepcopy(model)
    fork.follow(scenario)
    return fork


def _run_group(model: LeadModel, group: list[Scenario], keep_events: bool,
               out: dict[str, RunResult]) -> None:
    """Run ``group`` (identical before ``model.day``) from ``model``, forking where they split."""
    lead = group[0]
    while len(group) > 1:
        split = {s.name: divergence_day(lead, s) for s in group[1:]}
        day = min(split.values())
        model.simulate_until(day)
        others = [s for s in group[1:] if split[s.name] == day]
        group = [lead, *(s for s in group[1:] if split[s.name] > day)]
        first = (_retarget(model, others[0]) if day > 0
                 else LeadModel(others[0], model.seed, keep_events=keep_events))
        _run_group(first, others, keep_events, out)
    out[lead.name] = _finish(model, keep_events)


def simulate_tree(scenarios: Sequence[Scenario], seed: int, *,
                  keep_events: bool = False) -> dict[str, RunResult]:
    """One replicate of every scenario with ``seed``, sharing common history; keyed by name."""
    out: dict[str, RunResult] = {}
    group = list(scenarios)
    _run_group(LeadModel(group[0], seed, keep_events=keep_events), group, keep_events, out)
    return out
