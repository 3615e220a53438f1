"""Replicate summaries and paired differences: the numbers behind ``lead-sim compare``.

Every scenario runs with the same seed list, so replicate ``r`` of two scenarios shares its random
draws wherever the policies agree (common random numbers). A difference is therefore computed per
seed and then averaged: the spread of per-seed differences is far smaller than the spread of
either scenario, so the interval of a paired difference is narrower than the interval an unpaired
comparison of the same runs would give (:func:`unpaired_difference` exists to show that).

Intervals are 95% Student-t intervals of the mean over replicates (``scipy.stats.t``): they say
how sure we are of the expected outcome, not how much one replicate varies. Ratios (cost per
arrest averted) get a paired percentile bootstrap over seeds, since a ratio of two noisy means has
no t-interval; they are estimated only when the number averted is clearly above zero, because
dividing by a number that may be zero or negative gives figures with no meaning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from lead_sim.params import PAYERS

if TYPE_CHECKING:
    pass

LEVEL = 0.95
BOOTSTRAP_DRAWS = 2000
ID_COLUMNS = ("scenario", "seed", "days")
TABLE_COLUMNS = ("scenario", "outcome", "mean", "low", "high", "diff_mean", "diff_low",
                 "diff_high", "note", "p_decrease")
NUMBERS = (*TABLE_COLUMNS[2:8], "p_decrease")
#: ``note`` of a ratio whose denominator may be zero or negative (the ratio is NaN).
NOT_AVERTED = "not estimable: nothing is averted on average"
NOT_CLEARLY_AVERTED = ("not estimable: the number averted is not clearly above zero (its 95% "
                       "interval includes zero)")
#: Differences the report leads with, and that ``--precision`` must pin down.
HEADLINE = ("arrests", "bookings", "jail_bed_days", "cost_total")
#: Outcomes that are already relative to the baseline: numerator, denominator (averted).
RATIOS: dict[str, tuple[str, str]] = {
    "cost_per_arrest_averted": ("cost_total", "arrests"),
    "cost_per_bed_day_averted": ("cost_total", "jail_bed_days"),
    "cost_per_bed_day_averted_marginal": ("cost_total_marginal", "jail_bed_days"),
}
DERIVED_DESCRIPTIONS = {
    "cost_jail_marginal": "Jail cost with bed-days at the marginal rate (USD)",
    "cost_total_marginal": "Total public cost with jail bed-days at the marginal rate (USD)",
    "cost_per_arrest_averted": "Extra public cost per arrest averted (USD; negative = saves)",
    "cost_per_bed_day_averted": "Extra public cost per jail bed-day averted (USD)",
    "cost_per_bed_day_averted_marginal": "... with jail bed-days at the marginal rate (USD)",
    **{f"net_cost_{p}": f"Net cost to {p.replace('_', ' ')} vs the baseline (USD)"
       for p in (*PAYERS, "jail_marginal", "total", "total_marginal")},
}
NET_COSTS = (*(f"cost_{p}" for p in PAYERS), "cost_jail_marginal", "cost_total",
             "cost_total_marginal")


# ---- intervals ------------------------------------------------------------------------------
def t_interval(values: Sequence[float] | np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t-interval of the mean; NaNs dropped, fewer than 2 values give NaN bounds."""
    x = np.asarray(values, float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return (float("nan"),) * 3
    mean = float(x.mean())
    if len(x) < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.5 + LEVEL / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    return mean, float(mean - half), float(mean + half)


def bootstrap_ratio(num: np.ndarray, den: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Ratio of means ``mean(num) / mean(den)`` with a paired percentile bootstrap interval."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    ok = ~(np.isnan(num) | np.isnan(den))
    num, den = num[ok], den[ok]
    if len(num) < 2 or den.mean() == 0:
        return (float("nan"),) * 3
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(num), size=(BOOTSTRAP_DRAWS, len(num)))
    with np.errstate(divide="ignore", invalid="ignore"):
        draws = num[picks].mean(axis=1) / den[picks].mean(axis=1)
    draws = draws[np.isfinite(draws)]  # resamples that avert nothing have no ratio
    low, high = np.percentile(draws, [50 * (1 - LEVEL), 50 * (1 + LEVEL)])
    return float(num.mean() / den.mean()), float(low), float(high)


# ---- per-replicate outcomes -----------------------------------------------------------------
def add_marginal_costs(summary: pd.DataFrame, jail_costs: Mapping[str, tuple[float, float]]
                       ) -> pd.DataFrame:
    """Add jail and total cost re-priced with bed-days at the marginal rather than average rate.

    ``jail_costs`` maps scenario -> (average, marginal) cost per bed-day. The ledger charges the
    average rate; one fewer bed-day saves only the marginal rate (most of a jail is fixed cost).
    """
    out = summary.copy()
    gap = out["scenario"].map(lambda s: jail_costs[s][0] - jail_costs[s][1])
    out["cost_jail_marginal"] = out["cost_jail"] - out["jail_bed_days"] * gap
    out["cost_total_marginal"] = out["cost_total"] - out["jail_bed_days"] * gap
    return out


def outcome_columns(summary: pd.DataFrame) -> list[str]:
    """Numeric per-replicate outcomes, in the summary's own order."""
    return [c for c in summary.columns
            if c not in ID_COLUMNS and pd.api.types.is_numeric_dtype(summary[c])]


def paired(summary: pd.DataFrame, scenario: str, baseline: str, outcome: str) -> pd.DataFrame:
    """Per-seed values of ``outcome`` for a scenario and the baseline (columns of those names).

    Seeds where either value is missing (a re-arrest share with an empty cohort) are dropped.
    """
    wide = summary[summary["scenario"].isin([scenario, baseline])].pivot(
        index="seed", columns="scenario", values=outcome)
    return wide.reindex(columns=[scenario, baseline]).set_axis(
        ["scenario", "baseline"], axis=1).dropna()


def paired_difference(summary: pd.DataFrame, scenario: str, baseline: str,
                      outcome: str) -> tuple[float, float, float]:
    """Mean per-seed difference (scenario minus baseline) and its 95% t-interval."""
    pair = paired(summary, scenario, baseline, outcome)
    return t_interval(pair["scenario"] - pair["baseline"])


def unpaired_difference(summary: pd.DataFrame, scenario: str, baseline: str,
                        outcome: str) -> tuple[float, float, float]:
    """Difference of means with a Welch interval, ignoring the seed pairing (for contrast)."""
    a = summary.loc[summary["scenario"] == scenario, outcome].dropna().to_numpy(float)
    b = summary.loc[summary["scenario"] == baseline, outcome].dropna().to_numpy(float)
    diff = a.mean() - b.mean()
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(0.5 + LEVEL / 2, df) * np.sqrt(va + vb)
    return float(diff), float(diff - half), float(diff + half)


# ---- the comparison table -------------------------------------------------------------------
def share_decreased(summary: pd.DataFrame, scenario: str, baseline: str, outcome: str) -> float:
    """The share of paired replicates in which ``scenario``'s value is below the baseline's: for
    a cost, the probability that the scenario saves, over everything the replicates vary (their
    seeds and, with posterior draws, their parameter sets)."""
    pair = paired(summary, scenario, baseline, outcome)
    return float((pair["scenario"] < pair["baseline"]).mean()) if len(pair) else float("nan")


def _row(scenario: str, outcome: str, level=(None,) * 3, diff=(None,) * 3,
         note: str = "", p_decrease: float | None = None) -> dict[str, Any]:
    return dict(zip(TABLE_COLUMNS, (scenario, outcome, *level, *diff, note, p_decrease),
                    strict=True))


def not_estimable(averted: np.ndarray) -> str:
    """Why a ratio per unit averted has no meaning for these per-seed numbers averted ('' when
    it has one).

    The ratio divides by the mean number averted. If its interval reaches zero, resamples
    divide by numbers near zero or below it, so the "interval" spans huge and negative costs
    and the point estimate can sit at its edge: a number that looks exact and means nothing.
    """
    mean, low, _ = t_interval(averted)
    if not mean > 0:
        return NOT_AVERTED
    if not low > 0:  # NaN (too few seeds) is not clearly above zero either
        return NOT_CLEARLY_AVERTED
    return ""


def _ratio_row(summary: pd.DataFrame, scenario: str, baseline: str, name: str,
               seed: int) -> dict[str, Any]:
    num, den = RATIOS[name]
    cost = paired(summary, scenario, baseline, num)
    averted = paired(summary, scenario, baseline, den).reindex(cost.index)
    extra = (cost["scenario"] - cost["baseline"]).to_numpy()
    fewer = (averted["baseline"] - averted["scenario"]).to_numpy()
    reason = not_estimable(fewer)
    if reason:
        return _row(scenario, name, note=reason)
    return _row(scenario, name, diff=bootstrap_ratio(extra, fewer, seed))


def clip_level(outcome: str, level: tuple[float, float, float]) -> tuple[float, float, float]:
    """Keep a level's interval in the outcome's range (counts, costs >= 0; shares <= 1).

    With few replicates a t-interval can reach below zero; the clipped bound is the honest one.
    """
    mean, low, high = level
    top = 1.0 if outcome.startswith("rearrest") else np.inf
    return mean, float(np.clip(low, 0.0, top)), float(np.clip(high, 0.0, top))


def comparison_table(summary: pd.DataFrame, baseline: str, seed: int = 0) -> pd.DataFrame:
    """One row per scenario and outcome: mean and interval, and the paired difference.

    Level intervals are clipped to the outcome's range (:func:`clip_level`); differences are not.
    ``summary`` holds one row per replicate (with the marginal-cost columns added). Ratio and
    net-cost rows are already relative to the baseline, so only their ``diff_*`` columns are
    filled; a ratio whose denominator is not clearly averted is left empty (NaN) and its
    ``note`` says why (:func:`not_estimable`). ``note`` is empty on every other row.
    ``p_decrease`` is the share of paired replicates in which the scenario's value is below the
    baseline's (:func:`share_decreased`; for ``cost_total``, the probability of saving).
    """
    outcomes = outcome_columns(summary)
    rows = []
    for scn in dict.fromkeys(summary["scenario"]):
        own = summary[summary["scenario"] == scn]
        for name in outcomes:
            diff = (None,) * 3 if scn == baseline else paired_difference(
                summary, scn, baseline, name)
            share = None if scn == baseline else share_decreased(summary, scn, baseline, name)
            rows.append(_row(scn, name, clip_level(name, t_interval(own[name])), diff,
                             p_decrease=share))
        if scn == baseline:
            continue
        for name in NET_COSTS:
            rows.append(_row(scn, f"net_{name}", diff=paired_difference(
                summary, scn, baseline, name),
                p_decrease=share_decreased(summary, scn, baseline, name)))
        rows.extend(_ratio_row(summary, scn, baseline, r, seed) for r in RATIOS)
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS)).astype(
        {c: float for c in NUMBERS})


def imprecise(table: pd.DataFrame, baseline: str, precision: float,
              outcomes: Sequence[str] = HEADLINE) -> list[str]:
    """Headline differences whose 95% interval is not narrower than ``precision`` x |mean|.

    Returned as ``scenario:outcome`` labels; an empty list means the precision is reached. A
    difference that is exactly zero in every replicate (width 0) counts as precise.
    """
    rows = table[(table["scenario"] != baseline) & table["outcome"].isin(outcomes)]
    width = rows["diff_high"] - rows["diff_low"]
    loose = ~((width < precision * rows["diff_mean"].abs()) | (width == 0))  # 0: no change at all
    loose_rows = rows.loc[loose]
    return [f"{s}:{o}"
            for s, o in zip(loose_rows["scenario"], loose_rows["outcome"], strict=True)]


def band(timeseries: pd.DataFrame, column: str, freq: str = "MS") -> pd.DataFrame:
    """Monthly mean of ``column`` per replicate, then its mean and 2.5-97.5% range over seeds.

    Columns: scenario, date, mean, low, high. The band is the spread of replicates (where one
    run may plausibly land), wider than the interval of the mean.
    """
    ts = timeseries[["scenario", "seed", "date", column]].copy()
    ts["date"] = pd.to_datetime(ts["date"]).dt.to_period(freq[0]).dt.start_time
    monthly = ts.groupby(["scenario", "seed", "date"], sort=False)[column].mean().reset_index()
    grouped = monthly.groupby(["scenario", "date"], sort=False)[column]
    out = grouped.mean().rename("mean").to_frame()
    out["low"] = grouped.quantile(0.025)
    out["high"] = grouped.quantile(0.975)
    return out.reset_index()

