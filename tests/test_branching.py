"""Sharing history between scenarios: deferring LEAD-only parameters leaves every run as it was."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from lead_sim.params import LEAD_ONLY, REGISTRY
from lead_sim.runs.branching import defer_lead_params, divergence_day, lead_start_day, simulate_tree
from lead_sim.runs.runner import prepare, simulate
from lead_sim.scenarios import builtin_names

SIZE = dict(population=1_000, years=3.0)  # 2010-2012: through LEAD's start on 2011-10-01


def off_default(where: float) -> dict[str, float | int]:
    """Every LEAD-only parameter at the share ``where`` of its range (never its default).

    The budget is left to the scenario: a budget from the first day would start LEAD then.
    """
    values = {}
    for name in sorted(LEAD_ONLY - {"budget_usd_per_year"}):
        p = REGISTRY[name]
        value = p.low + where * (p.high - p.low)
        values[name] = round(value) if p.kind == "int" else value
        assert values[name] != p.default, name
    return values


def assert_same_run(a, b) -> None:
    pd.testing.assert_series_equal(pd.Series(a.summary), pd.Series(b.summary), check_exact=True)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)


@pytest.mark.parametrize("name", builtin_names())
def test_deferring_lead_only_parameters_changes_no_number(name):
    """Every built-in scenario, with every LEAD-only parameter off its default, gives exactly
    the same summary and daily series when those values only take effect as LEAD starts. A
    parameter wrongly listed in LEAD_ONLY (one that acts before LEAD) fails this test."""
    scenario = prepare(name, overrides=off_default(0.37), **SIZE)
    deferred = defer_lead_params(scenario)
    assert not set(deferred.params) & LEAD_ONLY
    assert_same_run(simulate(scenario, 5), simulate(deferred, 5))


def test_rows_differing_only_in_lead_parameters_share_the_days_before_lead():
    low, high = (defer_lead_params(prepare("seattle_citywide", overrides=off_default(w), **SIZE))
                 for w in (0.25, 0.75))
    start = lead_start_day(low)
    assert start == 638  # 2011-10-01
    assert divergence_day(low, high) == start
    high = replace(high, name="high")
    tree = simulate_tree([low, high], 5)
    assert_same_run(tree[low.name], simulate(low, 5))
    assert_same_run(tree["high"], simulate(high, 5))
    assert tree["high"].summary != tree[low.name].summary


def test_a_scenario_without_lead_drops_lead_parameters_even_with_a_budget():
    """LEAD starts when it first covers an area; a budget alone (``--set`` on the baseline)
    buys nothing, so its LEAD-only values can be dropped without changing the run."""
    usual = defer_lead_params(prepare("system_as_usual", overrides=off_default(0.6), **SIZE))
    assert lead_start_day(usual) is None
    assert not set(usual.params) & LEAD_ONLY
    assert all(not set(e.set) & LEAD_ONLY for e in usual.timeline)
    funded = prepare("system_as_usual", overrides={"budget_usd_per_year": 1e6, "caseload_cap": 30},
                     **SIZE)
    assert lead_start_day(funded) is None
    assert_same_run(simulate(funded, 5), simulate(defer_lead_params(funded), 5))


def test_a_lead_only_change_before_lead_starts_is_carried_to_the_start():
    """An entry that only sets a LEAD-only value before LEAD starts is folded into the entry
    on LEAD's first day (whose own values win: the pilot's green_light_share), entries are
    taken in date order whatever their order in the list, and the run stays the same."""
    import datetime as dt

    from lead_sim.scenarios import TimelineEntry

    pilot = prepare("pilot_2011", **SIZE)
    early = TimelineEntry(dt.date(2010, 6, 1), set={"caseload_cap": 30, "contact_rate": 0.002})
    only_lead = TimelineEntry(dt.date(2010, 9, 1), set={"green_light_share": 0.5})
    later = TimelineEntry(dt.date(2010, 8, 1), set={"caseload_cap": 60})  # listed first
    scenario = replace(pilot, timeline=(later, early, only_lead, *pilot.timeline))
    deferred = defer_lead_params(scenario)
    launch = dt.date(2011, 10, 1)
    first_day = [e for e in deferred.timeline if e.date == launch]
    (pilot_launch,) = [e for e in pilot.timeline if e.date == launch]
    assert pilot_launch.set["green_light_share"] == 0.3
    # the calibrated start values of LEAD-only parameters are deferred too, first
    start_lead = {k: v for k, v in pilot.params.items() if k in LEAD_ONLY}
    assert start_lead  # the shipped calibration fits LEAD-only parameters (hr_lead_engaged ...)
    assert first_day == [replace(pilot_launch, set={**start_lead, "caseload_cap": 60,
                                                    "green_light_share": 0.3, **pilot_launch.set})]
    assert deferred.timeline[0].set == {"contact_rate": 0.002}
    assert only_lead not in deferred.timeline
    assert_same_run(simulate(scenario, 3), simulate(deferred, 3))
