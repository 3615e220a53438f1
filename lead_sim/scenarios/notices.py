"""Warnings about scenario choices that are legal but probably not what the user meant.

They are not errors: a start value that the timeline later replaces, or a horizon too short
for two scenarios to differ, is sometimes intended. But both silently produce results that look
like an answer to a different question ("what if the budget were $5M?" answered with extra cost
and no extra diversion), so the commands say so before running.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from lead_sim.scenarios.schema import Scenario


def replaced_start_values(scenario: Scenario, names: Iterable[str]) -> list[str]:
    """One message per parameter in ``names`` that the scenario's timeline changes later."""
    messages = []
    for name in names:
        dates = [e.date.isoformat() for e in scenario.dated_changes(name)]
        if dates:
            messages.append(
                f"--set {name} is a start value: scenario '{scenario.name}' changes it on "
                f"{', '.join(dates)}, and its own values apply from then. To change those, "
                "extend the scenario with timeline entries on the same dates.")
    return messages


def identical_within_horizon(baseline: Scenario, scenarios: Iterable[Scenario]) -> list[str]:
    """One message per scenario whose policy does not differ from the baseline's in the run."""
    messages = []
    for scenario in scenarios:
        first = scenario.first_difference(baseline)
        if first is None:
            messages.append(f"'{scenario.name}' has the same policy as '{baseline.name}': with "
                            "the same seeds their results are identical.")
        elif first > scenario.end_date:
            years = math.ceil(((first - scenario.start_date).days + 365) / 365.25)
            messages.append(
                f"'{scenario.name}' first differs from '{baseline.name}' on {first}, after the "
                f"run ends ({scenario.end_date}), so the two are identical here; use --years "
                f"{years} or more to see a year of the difference.")
    return messages
