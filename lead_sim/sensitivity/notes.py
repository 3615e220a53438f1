"""What the sweep report says beside its indices: what they mean, and whether to trust them.

A sample too small for its method, a FAST or RBD-FAST run with fewer harmonics than the
default, indices outside their range, and parameters with no effect are decided here;
``templates/sweep.html.j2`` words them, and says what each method's indices mean.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from lead_sim.sensitivity.analysis import COLUMNS, MAIN
from lead_sim.sensitivity.spec import OPTIONS, SweepSpec, lhs_min_rows

#: Sobol' second-order indices, written when the design was sampled for them.
SECOND_ORDER = "indices_second_order.csv"

#: What each method's sample size counts (SALib's N), for sentences.
SAMPLE_WORDS = {"sobol": "base samples", "morris": "trajectories",
                "fast": "points per search curve", "lhs": "rows"}

#: FAST samples below FAST_SMALL x M^2 points per curve (four times SALib's minimum of 4M^2,
#: 256 at the default M = 4) are flagged: FAST has no half-sample check, and on the Ishigami
#: test function its S1 errors fall from about 0.2 to under 0.03 only past about that size.
#: M is the larger of the sweep's and the default, so a small M does not lower the bar.
FAST_SMALL = 16

#: The estimator each method's M belongs to, for sentences.
ESTIMATOR = {"fast": "FAST", "lhs": "RBD-FAST"}

#: Shares of variance (Sobol, FAST, RBD-FAST) outside 0-1 by more than this are estimation noise.
SHARE_SLACK = 0.01


def out_of_range(spec: SweepSpec, frame: pd.DataFrame) -> bool:
    """Whether a variance-share index (S1, ST) lies outside 0-1: the sample is too small."""
    shares = [c for c in ("S1", "ST") if c in COLUMNS[spec.method] and c in frame]
    values = frame[shares].to_numpy(float)
    return bool(((values < -SHARE_SLACK) | (values > 1 + SHARE_SLACK)).any())


def fast_too_small(spec: SweepSpec) -> str:
    """Why a FAST sample is too small to trust ("" if it is not, or the method is not FAST)."""
    if spec.method != "fast":
        return ""
    m, default = spec.option("M"), OPTIONS["fast"]["M"]
    floor = fast_min_points(m)
    if spec.samples >= floor:
        return ""
    which = f"M = {m}" if m >= default else f"the default M = {default}, not this sweep's {m}"
    return (f"FAST with fewer than {floor:,} points per search curve (16 × M², {which}) "
            "gives unsteady indices, and its sample cannot be halved to check them")


def fast_min_points(m: int) -> int:
    """Points per search curve below which FAST's indices are flagged (16 × M², with M at
    least the default, so that a small M does not lower the bar)."""
    return FAST_SMALL * max(m, OPTIONS["fast"]["M"]) ** 2


def small_m(spec: SweepSpec) -> dict[str, Any] | None:
    """Why these indices are a quick look only: M below the method's default (None
    otherwise, or without an M).

    M is the number of harmonics FAST and RBD-FAST read of each parameter's effect. With
    fewer, an effect that is not monotone (rising then falling over the range) is largely
    missed, whatever the sample size: on the Ishigami function (seed 11), RBD-FAST at M = 1
    scores x2, whose effect is sin², about 0 instead of 0.44 even with 1,000 rows, and FAST at
    M = 1 on 40 points per curve about 0.01. So a quick look with a small M can rank
    parameters wrongly and call an influential one idle.
    """
    if spec.method not in ESTIMATOR:
        return None
    m, default = spec.option("M"), OPTIONS[spec.method]["M"]
    if m >= default:
        return None
    need = (fast_min_points(default) if spec.method == "fast"
            else lhs_min_rows(len(spec.factors), default))
    return {"m": m, "default": default, "name": ESTIMATOR[spec.method],
            "need": f"{need:,}", "word": SAMPLE_WORDS[spec.method]}


def too_small(spec: SweepSpec, why: str) -> dict[str, str]:
    """Why these indices cannot be trusted yet, and the bigger sample to run instead."""
    return {"why": why, "word": SAMPLE_WORDS[spec.method], "suggest": f"{4 * spec.samples:,}",
            "now": f"{spec.samples:,}"}


def no_effect(spec: SweepSpec, indices: pd.DataFrame) -> list[str]:
    """Parameters whose main index is exactly 0 for every outcome."""
    main = MAIN[spec.method]
    if indices.empty:
        return []
    zero = indices.groupby("parameter", sort=False)[main].apply(lambda v: bool((v == 0).all()))
    return [name for name, flat in zero.items() if flat]


def has_second_order(spec: SweepSpec) -> bool:
    """Whether the sweep was sampled for Sobol' pair indices (written to SECOND_ORDER)."""
    return spec.method == "sobol" and bool(spec.option("second_order"))
