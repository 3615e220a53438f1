"""What the sweep report says beside its indices: what they mean, and whether to trust them.

A sample too small for its method, a FAST or RBD-FAST run with fewer harmonics than the
default, indices outside their range, and parameters with no effect each get plain words here.
"""

from __future__ import annotations

import pandas as pd

from lead_sim.sensitivity.analysis import COLUMNS, MAIN
from lead_sim.sensitivity.spec import OPTIONS, SweepSpec, lhs_min_rows

#: Sobol' second-order indices, written when the design was sampled for them.
SECOND_ORDER = "indices_second_order.csv"

#: One or two sentences per method on what the indices shown mean.
EXPLAIN = {
    "morris": "<b>mu*</b> is the mean absolute elementary effect: how much the outcome moves, "
              "in its own units, when the parameter steps across its range; it ranks the size "
              "of a parameter's influence. <b>sigma</b> is the spread of those effects: large "
              "when the effect depends on the other parameters' values (non-linearity or "
              "interactions); <b>mu</b> is the signed mean (the direction).",
    "sobol": "<b>S1</b> is the share of the outcome's variance due to the parameter alone; "
             "<b>ST</b> is its total share, including interactions with other parameters "
             "(ST &minus; S1 is the interaction part; ST near 0 means the parameter hardly "
             "matters over its range).",
    "fast": "<b>S1</b> is the share of the outcome's variance due to the parameter alone; "
            "<b>ST</b> is its total share, including interactions with other parameters "
            "(ST &minus; S1 is the interaction part).",
    "lhs": "<b>S1</b> is the share of the outcome's variance due to the parameter alone "
           "(RBD-FAST estimate from the Latin hypercube sample).",
}

CONF = ("Columns ending in <b>_conf</b> are half-widths of 95% bootstrap intervals "
        "(index &plusmn; conf); <b>n/a</b> there means SALib gave no usable interval (none, "
        "or a width of 0 around an index that is not 0), so that index is a point "
        "estimate of unknown precision. Numbers are rounded to 3 significant figures; "
        "<code>indices.csv</code> has them in full.")

#: FAST's bootstrap resamples one search curve; SALib itself calls its intervals indicative.
FAST_CONF = (" For FAST these intervals are indicative only: SALib resamples pieces of one "
             "search curve, which it documents as unreliable (SALib issue 649).")

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


def small_m(spec: SweepSpec) -> str:
    """A warning when M is below the method's default ("" otherwise, or without an M).

    M is the number of harmonics FAST and RBD-FAST read of each parameter's effect. With
    fewer, an effect that is not monotone (rising then falling over the range) is largely
    missed, whatever the sample size: on the Ishigami function (seed 11), RBD-FAST at M = 1
    scores x2, whose effect is sin², about 0 instead of 0.44 even with 1,000 rows, and FAST at
    M = 1 on 40 points per curve about 0.01. So a quick look with a small M can rank
    parameters wrongly and call an influential one idle.
    """
    if spec.method not in ESTIMATOR:
        return ""
    m, default = spec.option("M"), OPTIONS[spec.method]["M"]
    if m >= default:
        return ""
    name, word = ESTIMATOR[spec.method], SAMPLE_WORDS[spec.method]
    need = (fast_min_points(default) if spec.method == "fast"
            else lhs_min_rows(len(spec.factors), default))
    return (f"<p class='warn'><b>Warning: M = {m} is below {name}'s default of {default}, so "
            "these indices are a quick look only: they are biased for parameters whose effect "
            f"is not monotone.</b> M is the number of harmonics {name} reads of each "
            "parameter's effect; with fewer, an effect that rises and then falls over the "
            "parameter's range is largely missed, and its index comes out too small, often "
            "near 0, however large the sample. Do not read the ranking, or a small index as "
            f"no effect, from this sweep: run it again with the default M (no M option) and "
            f"at least {need:,} {word}, into a new folder.</p>")


def too_small(spec: SweepSpec, why: str) -> str:
    """Plain words: these indices cannot be trusted yet, and how to get a bigger sample."""
    word = SAMPLE_WORDS[spec.method]
    return (f"<p><b>The sample is too small for these indices to be trusted</b> ({why}). "
            f"Run the sweep again with more {word}, e.g. <code>--samples "
            f"{4 * spec.samples:,}</code> (now {spec.samples:,}; the number of runs grows in "
            "proportion), into a new folder.</p>")


def no_effect(spec: SweepSpec, indices: pd.DataFrame) -> list[str]:
    """Parameters whose main index is exactly 0 for every outcome."""
    main = MAIN[spec.method]
    if indices.empty:
        return []
    zero = indices.groupby("parameter", sort=False)[main].apply(lambda v: bool((v == 0).all()))
    return [name for name, flat in zero.items() if flat]


def second_order_note(spec: SweepSpec) -> str:
    """Where the pair indices are, for a Sobol' sweep sampled for them ("" otherwise)."""
    if spec.method != "sobol" or not spec.option("second_order"):
        return ""
    return f", and second-order indices of every pair in <code>{SECOND_ORDER}</code>"
