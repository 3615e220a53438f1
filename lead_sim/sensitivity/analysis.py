"""Sensitivity indices from a finished sweep, computed by SALib's own analysers.

Replicates of a sample row are averaged first (the indices then describe the expected outcome,
with replicate noise reduced). A row with no successful run, or an outcome that is undefined
for some rows (a share with an empty denominator), leaves that outcome unanalysed, with the
reason, because the Sobol', Morris and FAST estimators need every row of their design. An LHS
(RBD-FAST) needs no particular rows, so it is analysed on the rows that have a value, and the
report says how many were left out. An outcome that did not vary across the sample rows has no
variance to share out: it is set aside as constant rather than given indices of 0.

Convergence check: the same analysis on the first half of the sample. Sobol' and Morris
designs are built block by block (a base point and its cross-rows; a trajectory), so their first
half is itself a valid design; an LHS's first half is still a uniform random sample. A FAST
sample is one search curve per parameter and cannot be halved, so FAST reports none.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lead_sim.sensitivity.sampling import problem
from lead_sim.sensitivity.spec import SweepSpec, lhs_min_rows, runs_per_sample

#: The index columns each method writes, in order.
COLUMNS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu_star", "mu_star_conf", "sigma", "mu"),
    "fast": ("S1", "S1_conf", "ST", "ST_conf"),
    "lhs": ("S1", "S1_conf"),
}
#: The headline index of each method (bars, ranking and convergence summary).
MAIN = {"sobol": "ST", "morris": "mu_star", "fast": "ST", "lhs": "S1"}
#: An outcome whose spread across sample rows is at most this share of its largest magnitude
#: did not vary: what is left is floating-point rounding of one value, not an effect.
FLAT = 1e-9
#: Columns of the Sobol' second-order table (one row per unordered pair of parameters).
PAIR_COLUMNS = ("outcome", "parameter_1", "parameter_2", "S2", "S2_conf")


@dataclass
class Analysis:
    """Indices (long table), the half-sample check, and outcomes that could not be analysed."""

    indices: pd.DataFrame
    convergence: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)
    thinned_rows: int = 0  # sample rows averaged over fewer replicates (some runs failed)
    second_order: pd.DataFrame | None = None  # Sobol' S2 per pair, when the design has them
    left_out: dict[str, str] = field(default_factory=dict)  # lhs: rows without a value, why
    constant: dict[str, float] = field(default_factory=dict)  # outcome -> its one value


def row_means(spec: SweepSpec, results: pd.DataFrame) -> tuple[int, pd.DataFrame]:
    """Number of sample rows, and each row's outcomes averaged over its successful runs."""
    ok = results[results["status"] == "ok"]
    means = ok.groupby("row")[list(spec.outcomes)].mean()
    n_rows = int(results["row"].max()) + 1 if len(results) else 0
    means = means.reindex(range(n_rows))
    return n_rows, means


def analyse(spec: SweepSpec, design: pd.DataFrame, results: pd.DataFrame) -> Analysis:
    """Indices for every outcome, with confidence intervals, plus the half-sample check."""
    first = design[design["rep"] == 0].sort_values("row")
    x = first[spec.names].to_numpy(float)
    n_rows, means = row_means(spec, results)
    frames, checks, pairs = [], [], []
    out = Analysis(pd.DataFrame(), pd.DataFrame(), thinned_rows=thinned_rows(spec, results))
    for outcome in spec.outcomes:
        y = means[outcome].to_numpy(float)
        ok = ~np.isnan(y)
        if not ok.all():
            reason = missing_reason(spec, results, np.flatnonzero(~ok), n_rows)
            if spec.method != "lhs" or ok.sum() < lhs_min_rows(len(spec.factors)):
                out.skipped[outcome] = reason
                continue
            out.left_out[outcome] = reason
        if flat(y[ok]):
            out.constant[outcome] = float(np.mean(y[ok]))
            continue
        try:
            res = salib(spec, x[ok], y[ok])
        except (ValueError, ZeroDivisionError, FloatingPointError) as exc:
            out.skipped[outcome] = f"SALib could not analyse it: {exc}"
            continue
        frames.append(index_frame(spec, res).assign(outcome=outcome))
        if spec.method == "sobol" and spec.option("second_order"):
            pairs.append(pair_frame(spec, res).assign(outcome=outcome))
        check = _check(spec, outcome, x, y, frames[-1], out.skipped)
        if check is not None:
            checks.append(check)
    columns = ["outcome", "parameter", *COLUMNS[spec.method]]
    out.indices = (pd.concat(frames, ignore_index=True)[columns] if frames
                   else pd.DataFrame(columns=columns))
    conv = (pd.concat(checks, ignore_index=True) if checks
            else pd.DataFrame(columns=["outcome", "parameter", "index", "full", "half"]))
    conv["difference"] = conv["full"] - conv["half"]
    out.convergence = conv
    if spec.method == "sobol" and spec.option("second_order"):
        out.second_order = (pd.concat(pairs, ignore_index=True)[list(PAIR_COLUMNS)] if pairs
                            else pd.DataFrame(columns=list(PAIR_COLUMNS)))
    return out


def flat(y: np.ndarray) -> bool:
    """Whether an outcome did not vary across sample rows (exactly, or to rounding).

    SALib divides by the variance: a constant outcome gives indices of 0 or NaN and a
    half-sample check that agrees perfectly, which would read as "no parameter matters,
    converged" when there was nothing to apportion at all.
    """
    return bool(np.ptp(y) <= FLAT * np.abs(y).max())


def _check(spec: SweepSpec, outcome: str, x: np.ndarray, y: np.ndarray, full: pd.DataFrame,
           skipped: dict[str, str]) -> pd.DataFrame | None:
    """The half-sample check of one outcome's headline index (None if there is none)."""
    try:
        half = _half(spec, x, y)
    except (ValueError, ZeroDivisionError, FloatingPointError) as exc:
        skipped[f"{outcome} (half-sample check)"] = f"SALib could not analyse it: {exc}"
        return None
    if half is None:
        return None
    main = MAIN[spec.method]
    return pd.DataFrame({"outcome": outcome, "parameter": spec.names, "index": main,
                         "full": full[main].to_numpy(), "half": half[main].to_numpy()})


def thinned_rows(spec: SweepSpec, results: pd.DataFrame) -> int:
    """Sample rows with some, but not all, replicates successful: their means rest on fewer
    seeds than the others', which a reader should know (none when ``reps`` is 1)."""
    ok = results[results["status"] == "ok"].groupby("row").size()
    return int(((ok > 0) & (ok < spec.reps)).sum())


def missing_reason(spec: SweepSpec, results: pd.DataFrame, rows: np.ndarray,
                   n_rows: int) -> str:
    """Why some rows have no value, with the numbers a reader needs to act on it.

    A row without a successful run is a failure (or a run not yet finished); a row whose runs
    succeeded but left the outcome undefined (a share with an empty denominator) cannot be
    repaired by rerunning. Rerunning failures helps only when they were transient (a killed
    worker): a run that fails for its parameter values fails again, and that region of
    parameter space is what needs looking at.
    """
    in_rows = results[results["row"].isin(rows)]
    succeeded = set(in_rows.loc[in_rows["status"] == "ok", "row"])
    broken = [r for r in rows if r not in succeeded]
    parts = []
    if broken:
        runs = in_rows[in_rows["row"].isin(broken)]
        failed = int((runs["status"] == "failed").sum())
        unfinished = int((runs["status"] == "missing").sum())
        why = [f"{failed:,} run{'' if failed == 1 else 's'} failed" if failed else "",
               f"{unfinished:,} not yet run" if unfinished else ""]
        parts.append(
            f"{len(broken):,} of {n_rows:,} sample rows have no successful run "
            f"({', '.join(w for w in why if w)}; the error column of runs.csv says why)")
    undefined = len(rows) - len(broken)
    if undefined:
        parts.append(f"{undefined:,} of {n_rows:,} sample rows ran but leave the outcome "
                     "undefined (e.g. a share with an empty denominator)")
    text = "; ".join(parts) + ". " + consequence(spec, n_rows - len(rows))
    if broken:
        text += (". Running the same command again with --retry-failed helps only if the "
                 "failures were transient (a killed worker, say); if the same runs fail again, "
                 "the parameter values of the failed rows (in runs.csv) show the region of "
                 "parameter space to look at")
    return text


def consequence(spec: SweepSpec, kept: int) -> str:
    """What rows without a value do to the indices: an LHS is analysed on the others (which
    leaves any region where rows fail out of them); the other designs need every row."""
    if spec.method != "lhs":
        return f"A {spec.method} design needs every one of its rows, so this outcome has no indices"
    if not kept:
        return "No row is left to analyse"
    if kept < lhs_min_rows(len(spec.factors)):  # a handful could even look constant
        return (f"In all, only {kept:,} rows ran, fewer than the "
                f"{lhs_min_rows(len(spec.factors))} an analysis needs, so this outcome has no "
                "indices")
    return (f"Those rows are left out: the indices rest on the other {kept:,}, so a region of "
            "parameter space where rows have no value is under-represented in them")


def indices(spec: SweepSpec, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """One method's indices for one outcome (SALib's analyser, seeded bootstrap)."""
    return index_frame(spec, salib(spec, x, y))


def bootstrap_seed(spec: SweepSpec) -> int:
    """The seed of SALib's bootstrap (the indices' confidence intervals): the spec's seed + 1,
    since SALib's Sobol analyser takes a seed of 0 as no seed (an unrepeatable bootstrap).
    Recorded in the sweep's manifest (docs/sweeps.md, "Seeds")."""
    return spec.seed + 1


def salib(spec: SweepSpec, x: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """SALib's own result for one outcome: its analyser, with a seeded bootstrap."""
    prob = problem(spec)
    seed = bootstrap_seed(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FAST's CI caveat, and SALib's divide warnings
        if spec.method == "sobol":
            from SALib.analyze import sobol

            return sobol.analyze(prob, y, calc_second_order=spec.option("second_order"),
                                 seed=seed)
        if spec.method == "morris":
            from SALib.analyze import morris

            return morris.analyze(prob, x, y, num_levels=spec.option("num_levels"), seed=seed)
        if spec.method == "fast":
            from SALib.analyze import fast

            return fast.analyze(prob, y, M=spec.option("M"), seed=seed)
        from SALib.analyze import rbd_fast

        return rbd_fast.analyze(prob, x, y, M=spec.option("M"), seed=seed)


def index_frame(spec: SweepSpec, res: dict[str, Any]) -> pd.DataFrame:
    """The method's index columns, one row per parameter."""
    frame = pd.DataFrame({"parameter": spec.names})
    for column in COLUMNS[spec.method]:
        frame[column] = np.asarray(res[column], float)
    return frame


def pair_frame(spec: SweepSpec, res: dict[str, Any]) -> pd.DataFrame:
    """Sobol' second-order indices, one row per unordered pair (SALib fills only the upper
    triangle of its D x D matrices; the rest is NaN)."""
    s2, conf = np.asarray(res["S2"], float), np.asarray(res["S2_conf"], float)
    names = spec.names
    rows = [(names[i], names[j], s2[i, j], conf[i, j])
            for i in range(len(names)) for j in range(i + 1, len(names))]
    return pd.DataFrame(rows, columns=list(PAIR_COLUMNS[1:]))


def _half(spec: SweepSpec, x: np.ndarray, y: np.ndarray) -> pd.DataFrame | None:
    """The indices of the first half of the design (rows without a value left out, as in the
    full analysis: only an LHS has any by now)."""
    if spec.method == "fast":
        return None
    rows = runs_per_sample(spec.method, spec.samples // 2, len(spec.factors), spec.options)
    ok = ~np.isnan(y[:rows])
    return indices(spec, x[:rows][ok], y[:rows][ok])
