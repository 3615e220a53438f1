"""What a sweep runs for one parameter row and seed: a lead_sim scenario, or a test function.

A target is a small picklable object called as ``target(values, seed) -> {outcome: number}``.
Workers (local processes or Dask) receive it with each task, so it holds plain data only.
A target may also offer ``run_rows(rows, seed) -> [outcomes, ...]``, to run a block of rows
that share a seed together: faster than one by one, with the same numbers.
:class:`LeadTarget` runs the scenario (and the baseline with the same seed, for ``diff_``
outcomes) and shares the days rows have in common; :class:`IshigamiTarget` evaluates a
function with analytic Sobol indices, so the sampling, storage and analysis path can be
checked against known answers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from typing import Any

from lead_sim.params import REGISTRY
from lead_sim.scenarios import Scenario
from lead_sim.sensitivity.spec import DIFF, Factor, SweepSpec, outcome_names


def apply_factors(scenario: Scenario, factors: tuple[Factor, ...],
                  values: dict[str, float | int]) -> Scenario:
    """The scenario with each factor's value applied ('set' everywhere, or 'scale' each value)."""
    params = dict(scenario.params)
    timeline = list(scenario.timeline)
    for f in factors:
        value = values[f.name]
        int_param = REGISTRY[f.name].kind == "int"

        def new(old: Any, f: Factor = f, value: float = value, int_param: bool = int_param):
            if f.how == "set":
                return value
            scaled = old * value
            return round(scaled) if int_param else float(scaled)

        params[f.name] = new(params.get(f.name, REGISTRY[f.name].default))
        timeline = [replace(e, set={**e.set, f.name: new(e.set[f.name])}) if f.name in e.set
                    else e for e in timeline]
    return replace(scenario, params=params, timeline=tuple(timeline))


@dataclass(frozen=True)
class LeadTarget:
    """Run a prepared scenario (and a baseline, for ``diff_`` outcomes) for one row and seed."""

    scenario: Scenario
    factors: tuple[Factor, ...]
    outcomes: tuple[str, ...]
    baseline: Scenario | None = None

    @classmethod
    def from_spec(cls, spec: SweepSpec) -> LeadTarget:
        """The spec's runs, returning every outcome a sweep can analyse (each ``diff_`` one
        too when runs are paired), not just the spec's: the store keeps them all, so adding an
        outcome to a finished sweep's spec re-analyses it without running anything again."""
        names = outcome_names()
        outcomes = (*names, *(DIFF + n for n in names)) if spec.paired else tuple(names)
        return cls(spec.scenario, spec.factors, outcomes,
                   spec.baseline if spec.paired else None)

    def __call__(self, values: dict[str, float | int], seed: int) -> dict[str, float]:
        return self.run_rows([values], seed)[0]

    def run_rows(self, rows: list[dict[str, float | int]], seed: int) -> list[dict[str, float]]:
        """The outcomes of several parameter rows run with one seed, sharing what they can.

        Each row's scenario (and baseline) gets its LEAD-only values deferred to the day LEAD
        starts (:func:`~lead_sim.runs.branching.defer_lead_params`), which changes no number but
        makes rows that differ only in those values identical until then. One simulation tree
        then runs every distinct scenario, simulating shared days once: a baseline without
        LEAD is the same run for every row that differs only in LEAD-only values.
        """
        from lead_sim.runs.branching import defer_lead_params, simulate_tree

        distinct: dict[str, Scenario] = {}  # one per distinct definition, under its own name

        def add(scenario: Scenario) -> str:
            scenario = defer_lead_params(scenario)
            key = json.dumps(scenario.definition(), sort_keys=True)
            if key not in distinct:
                distinct[key] = replace(scenario, name=f"{scenario.name}#{len(distinct)}")
            return distinct[key].name

        pairs = [(add(apply_factors(self.scenario, self.factors, values)),
                  add(apply_factors(self.baseline, self.factors, values))
                  if self.baseline is not None else None) for values in rows]
        runs = simulate_tree(list(distinct.values()), seed)
        return [self._outcomes(_values(runs[row]), _values(runs[base]) if base else {})
                for row, base in pairs]

    def _outcomes(self, row: dict[str, Any], base: dict[str, Any]) -> dict[str, float]:
        out = {}
        for name in self.outcomes:
            if name.startswith(DIFF):
                key = name.removeprefix(DIFF)
                out[name] = float(row[key]) - float(base[key])
            else:
                out[name] = float(row[name])
        return out


def _values(result: Any) -> dict[str, Any]:
    """A run's summary row with its equity indices (lead_sim.outcomes.equity.SWEEP_OUTCOMES)."""
    from lead_sim.outcomes.equity import sweep_values

    return {**result.summary, **sweep_values(result.equity)}


@dataclass(frozen=True)
class IshigamiTarget:
    """The Ishigami function (SALib.test_functions.Ishigami), with analytic Sobol indices.

    ``fail_below_x1`` makes rows with a smaller x1 raise, to exercise failure recording.
    """

    a: float = 7.0
    b: float = 0.1
    outcomes: tuple[str, ...] = ("y",)
    fail_below_x1: float | None = None

    def __call__(self, values: dict[str, float | int], seed: int) -> dict[str, float]:
        import numpy as np
        from SALib.test_functions import Ishigami

        x = np.array([[values["x1"], values["x2"], values["x3"]]])
        if self.fail_below_x1 is not None and values["x1"] < self.fail_below_x1:
            raise RuntimeError(f"deliberate failure at x1 = {values['x1']:.3f}")
        return {"y": float(Ishigami.evaluate(x, A=self.a, B=self.b)[0])}

    def analytic(self) -> dict[str, dict[str, float]]:
        """First-order and total indices of x1, x2, x3 (Ishigami and Homma, 1990)."""
        a, b, pi = self.a, self.b, math.pi
        v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
        v2 = a**2 / 8
        v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
        v = v1 + v2 + v13
        return {"S1": {"x1": v1 / v, "x2": v2 / v, "x3": 0.0},
                "ST": {"x1": (v1 + v13) / v, "x2": v2 / v, "x3": v13 / v}}
