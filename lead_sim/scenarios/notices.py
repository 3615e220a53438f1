"""Warnings about scenario choices that are legal but probably not what the user meant.

They are not errors: a start value that the timeline later replaces, a horizon too short for two
scenarios to differ, or one that runs past a scenario's end date, is sometimes intended. But each
silently produces results that look like an answer to a different question ("what if the budget
were $5M?" answered with extra cost and no extra diversion), so the commands say so before
running, and ``lead-sim compare`` repeats them in its report.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from lead_sim.scenarios.loader import load_scenario
from lead_sim.scenarios.schema import EVIDENCE_END, EVIDENCE_SOURCE, Scenario


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


def horizon_notices(given: Sequence[str | Path | Scenario], prepared: Sequence[Scenario],
                    years: float | None) -> list[str]:
    """Every notice about what the simulated horizon does to these scenarios.

    ``given`` are the scenarios as the user named them and ``prepared`` the same ones ready to
    run (:func:`lead_sim.runs.runner.prepare`; baseline first, if there is one): the end date a
    scenario was written with is known only before ``--years`` replaces it.
    """
    base, others = prepared[0], list(prepared[1:])
    written = [g if isinstance(g, Scenario) else load_scenario(g) for g in given]
    return (identical_within_horizon(base, others) + identical_pairs(base, others)
            + past_own_end(written, years) + past_evidence(prepared))


def identical_within_horizon(baseline: Scenario, scenarios: Iterable[Scenario]) -> list[str]:
    """One message per scenario whose policy does not differ from the baseline's in the run."""
    return [m for scenario in scenarios if (m := _identical(baseline, scenario))]


def identical_pairs(baseline: Scenario, scenarios: Sequence[Scenario]) -> list[str]:
    """One message per pair of compared scenarios that do not differ from each other in the run.

    Their numbers and headline sentences come out the same, which reads as two findings when it
    is one. Pairs that both equal the baseline are left out: their own messages say so already.
    """
    same_as_baseline = {s.name for s in scenarios if _identical(baseline, s)}
    return [m for i, a in enumerate(scenarios) for b in scenarios[i + 1:]
            if {a.name, b.name} - same_as_baseline and (m := _identical(a, b))]


def _identical(a: Scenario, b: Scenario) -> str:
    """A message if runs of ``b`` and ``a`` cannot differ before the run ends ('' otherwise)."""
    first = b.first_difference(a)
    if first is None:
        return (f"'{b.name}' has the same policy as '{a.name}': with the same seeds their "
                "results are identical.")
    if first <= b.end_date:
        return ""
    years = math.ceil(((first - b.start_date).days + 365) / 365.25)
    return (f"'{b.name}' first differs from '{a.name}' on {first}, after the run ends "
            f"({b.end_date}), so the two are identical here; use --years {years} or more to see "
            "a year of the difference.")


def past_own_end(scenarios: Iterable[Scenario], years: float | None) -> list[str]:
    """One message per end date that ``--years`` runs past (scenarios as written, not prepared).

    A scenario describes policy up to its end date; beyond it the model simply keeps the last
    settings its timeline reached, so those years are an extrapolation the scenario never
    claimed. Built-in scenarios all end on 2021-12-31, so they share one message.
    """
    if years is None:
        return []
    by_end: dict[tuple[dt.date, dt.date], list[Scenario]] = {}
    for scenario in scenarios:
        run_end = scenario.with_horizon(years).end_date
        if run_end > scenario.end_date:
            by_end.setdefault((scenario.end_date, run_end), []).append(scenario)
    return [_past_end(group, own, run_end, years) for (own, run_end), group in by_end.items()]


def past_evidence(scenarios: Iterable[Scenario]) -> list[str]:
    """One message per run end that passes the last dated evidence (scenarios as prepared).

    Any scenario may run past :data:`~lead_sim.scenarios.schema.EVIDENCE_END`, a built-in one
    to 2030 or another with ``--years``; its later days follow settings no evidence row
    supports, so every output marks them.
    """
    by_end: dict[tuple[dt.date, dt.date], list[str]] = {}
    for scenario in scenarios:
        if (first := scenario.extrapolated_from) is not None:
            by_end.setdefault((first, scenario.end_date), []).append(f"'{scenario.name}'")
    return [f"{', '.join(names)} {'runs' if len(names) == 1 else 'run'} to {end}, past the "
            f"last dated evidence ({EVIDENCE_END}, row {EVIDENCE_SOURCE}): the days from "
            f"{first} on are an extrapolation (the 'extrapolated' column of the daily series, "
            "shaded in figures)." for (first, end), names in by_end.items()]


def _past_end(group: list[Scenario], own: dt.date, run_end: dt.date, years: float) -> str:
    names = ", ".join(f"'{s.name}'" for s in group)
    later = sorted({e.date for s in group for e in s.timeline if own < e.date <= run_end})
    dated = (f"; only the changes already dated after it ({', '.join(map(str, later))}) still "
             "apply" if later else "")
    return (f"--years {years:g} runs to {run_end}, past the end date of {names} ({own}): "
            f"from then on the last settings are held flat{dated}. Those years are an "
            "extrapolation, not part of the scenario as written.")
