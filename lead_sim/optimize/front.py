"""From evaluated candidates to tables: every evaluation, the Pareto front, and its noise.

Policies are ranked by their means over replicates (the front is the non-dominated set of the
policies within the budget cap, among every candidate the search evaluated). Means carry
noise, so for each policy on the front the report also says whether its advantage over its
neighbours (the policies next to it when the front is sorted by the first objective) is larger
than the replicate noise: every candidate ran on the same seeds, so two policies are compared
by the paired differences of their replicates, and an advantage counts as clear when the 95%
t-interval of the paired difference excludes zero on the policy's side.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from lead_sim.optimize.config import BUDGET, OptimizeConfig
from lead_sim.optimize.results import Candidate
from lead_sim.outcomes.analysis import t_interval

ID_COLUMNS = ("generation", "candidate")


def variable_columns(config: OptimizeConfig, candidates: list[Candidate]) -> list[str]:
    """The policy's columns: the searched variables first, then what follows from them
    (the budget when fixed, every pool's share)."""
    first = [v.name for v in config.variables]
    rest = [k for k in candidates[0].policy if k not in first] if candidates else []
    return [*first, *rest]


def evaluations_table(config: OptimizeConfig, candidates: list[Candidate]) -> pd.DataFrame:
    """One row per candidate: where the search asked for it, its policy, each objective's
    mean over replicates with its 95% interval, and whether it keeps to the budget cap."""
    columns = variable_columns(config, candidates)
    rows = []
    for c in candidates:
        row: dict[str, Any] = {"generation": c.generation, "candidate": c.index}
        row.update({name: c.policy[name] for name in columns})
        for name in config.objectives:
            mean, low, high = t_interval([r[name] for r in c.replicates])
            row.update({name: mean, f"{name}_low": low, f"{name}_high": high})
        row["within_budget_cap"] = bool(float(c.policy[BUDGET]) <= config.budget_cap)
        rows.append(row)
    table = pd.DataFrame(rows)
    table["on_front"] = front_mask(config, table)
    return table


def front_mask(config: OptimizeConfig, table: pd.DataFrame) -> np.ndarray:
    """True for the rows on the Pareto front: within the cap, not dominated by another such
    row on the means, and the first of any identical policies."""
    f = _signed(config, table)
    ok = table["within_budget_cap"].to_numpy() & np.isfinite(f).all(axis=1)
    mask = np.zeros(len(table), bool)
    seen: set[tuple] = set()
    names = [c for c in table.columns if c in _policy_columns(config, table)]
    for i in np.flatnonzero(ok):
        others = f[ok]
        dominated = ((others <= f[i]).all(axis=1) & (others < f[i]).any(axis=1)).any()
        key = tuple(table.loc[i, names])
        if not dominated and key not in seen:
            mask[i] = True
            seen.add(key)
    return mask


def _policy_columns(config: OptimizeConfig, table: pd.DataFrame) -> list[str]:
    skip = {*ID_COLUMNS, "within_budget_cap", "on_front"}
    for name in config.objectives:
        skip |= {name, f"{name}_low", f"{name}_high"}
    return [c for c in table.columns if c not in skip]


def _signed(config: OptimizeConfig, table: pd.DataFrame) -> np.ndarray:
    """Objective means as costs to minimise (maximised ones negated)."""
    return np.column_stack([table[n].to_numpy(float) * (1 if s == "min" else -1)
                            for n, s in config.objectives.items()])


def pareto_table(config: OptimizeConfig, candidates: list[Candidate],
                 table: pd.DataFrame) -> pd.DataFrame:
    """The front, sorted by the first objective, with a policy number and the noise verdict
    against its neighbours (``clear_of_noise``, ``noise_note``)."""
    first = next(iter(config.objectives))
    front = table[table["on_front"]].drop(columns=["on_front", "within_budget_cap"])
    front = front.sort_values([first, *ID_COLUMNS], kind="stable").reset_index(drop=True)
    front.insert(0, "policy", np.arange(1, len(front) + 1))
    by_id = {(c.generation, c.index): c for c in candidates}
    members = [by_id[(int(g), int(i))] for g, i in zip(front["generation"], front["candidate"],
                                                        strict=True)]
    clear, notes = [], []
    for k, member in enumerate(members):
        verdicts = [(j + 1, advantage(config, member, members[j]))
                    for j in (k - 1, k + 1) if 0 <= j < len(members)]
        clear.append(bool(verdicts) and all(v["clear"] for _, v in verdicts))
        notes.append("; ".join(f"vs policy {j}: {v['words']}" for j, v in verdicts)
                     or "the only policy on the front")
    front["clear_of_noise"] = clear
    front["noise_note"] = notes
    return front


def advantage(config: OptimizeConfig, a: Candidate, b: Candidate) -> dict[str, Any]:
    """Where ``a`` beats ``b`` on the means, and whether by more than the replicate noise
    (paired differences over the common seeds)."""
    better, clear = [], []
    for name, sense in config.objectives.items():
        sign = 1 if sense == "min" else -1
        diffs = [sign * (rb[name] - ra[name]) for ra, rb in zip(a.replicates, b.replicates,
                                                                 strict=True)]
        mean, low, _ = t_interval(diffs)  # positive: a is better
        if mean > 0:
            better.append(name)
            if not math.isnan(low) and low > 0:
                clear.append(name)
    if clear:
        words = f"clearly better on {', '.join(clear)}"
    elif better:
        words = f"better on {', '.join(better)} only within the replicate noise"
    else:
        words = "no better on any objective"
    return {"clear": bool(clear), "better": better, "clearly": clear, "words": words}
