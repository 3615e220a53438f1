"""SALib glue: the problem definition, the sample matrix and the run design.

Sampling is SALib's own (``SALib.sample.sobol``, ``morris``, ``fast_sampler``, ``latin``), so
the analysis in :mod:`lead_sim.sensitivity.analysis` reads exactly the layout it expects. The
design adds replicates: each sample row is run ``reps`` times with seeds ``seed .. seed+reps-1``,
the same seeds for every row (common random numbers), so rows differ only in their parameters.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from lead_sim.sensitivity.spec import SweepSpec

#: Columns of the design table that are not parameter values.
DESIGN_KEYS = ("run_id", "row", "rep", "seed")


def problem(spec: SweepSpec) -> dict[str, Any]:
    """SALib's problem dict: names and [low, high] bounds of the varied parameters."""
    return {"num_vars": len(spec.factors), "names": spec.names,
            "bounds": [[f.low, f.high] for f in spec.factors]}


def sample(spec: SweepSpec) -> np.ndarray:
    """The SALib sample matrix (one row per parameter set), reproducible from ``spec.seed``."""
    prob = problem(spec)
    n, seed = spec.samples, spec.seed
    if spec.method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(prob, n, calc_second_order=spec.option("second_order"), seed=seed)
    if spec.method == "morris":
        from SALib.sample import morris

        return morris.sample(prob, n, num_levels=spec.option("num_levels"), seed=seed)
    if spec.method == "fast":
        from SALib.sample import fast_sampler

        return fast_sampler.sample(prob, n, M=spec.option("M"), seed=seed)
    if spec.method == "lhs":
        from SALib.sample import latin

        return latin.sample(prob, n, seed=seed)
    raise ValueError(f"No sampler for method {spec.method!r} (load_spec should have refused it).")


def design(spec: SweepSpec) -> pd.DataFrame:
    """Every run of the sweep: run_id, sample row, replicate, seed and the raw sampled values.

    Run ids number rows replicate-minor (row 0 rep 0, row 0 rep 1, ...), so they are stable for
    a given spec and a resumed sweep finds the same ids.
    """
    x = sample(spec)
    rows = np.repeat(np.arange(len(x)), spec.reps)
    reps = np.tile(np.arange(spec.reps), len(x))
    table = pd.DataFrame({"run_id": np.arange(len(rows)), "row": rows, "rep": reps,
                          "seed": spec.seed + reps})
    for j, name in enumerate(spec.names):
        table[name] = x[rows, j]
    return table


def applied_values(spec: SweepSpec, raw: dict[str, float]) -> dict[str, float | int]:
    """Sampled values as the model receives them: integer parameters as whole numbers.

    The analysis keeps reading the raw SALib values, whose layout (Morris steps, Sobol
    blocks) it relies on.
    """
    out: dict[str, float | int] = {}
    for f in spec.factors:
        value = float(raw[f.name])
        out[f.name] = whole_number(value, f.low, f.high) if f.kind == "int" else value
    return out


def whole_number(value: float, low: float, high: float) -> int:
    """The whole number in ``ceil(low) .. floor(high)`` that a value sampled in [low, high] picks.

    [low, high] is cut into one equal slice per whole number, so each is equally likely under a
    uniform sample. Rounding would give the two end values half a slice each (15 and 80 half as
    often as 16 .. 79). The top edge ``high`` (which Morris grids reach) belongs to the last
    slice, and values outside [low, high] are held at the ends, so the result never leaves them.
    """
    first, last = math.ceil(low), math.floor(high)
    share = (value - low) / (high - low)
    return min(max(first + math.floor(share * (last - first + 1)), first), last)
