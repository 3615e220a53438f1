"""The trade-offs in plain words: what moving money between uses, or along the front, buys.

Two readings of the evaluated policies:

- **moving money**: a least-squares fit, over every evaluated policy within the budget cap, of
  each objective on the dollars a year going to case managers and to each service pool (and on
  the other searched variables, so their effect is not credited to the money). The difference
  of two uses' coefficients is what $1M a year moved from one to the other changes, on average
  over the policies the search tried: a linear summary, not a promise about any one policy.
- **along the front**: each policy on the front against the next one, in the objectives'
  own units.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from lead_sim.optimize.config import BUDGET, OptimizeConfig
from lead_sim.optimize.policy import CASE_MANAGERS, POOL_SHARES, spending

MILLION = 1_000_000.0


def uses_words(name: str) -> str:
    return {"case_managers": "case managers"}.get(name, name.replace("_", " "))


def spending_frame(table: pd.DataFrame) -> pd.DataFrame:
    """Dollars a year to each use, in millions, one row per evaluated policy."""
    rows = [spending(row) for row in table.to_dict("records")]
    return pd.DataFrame(rows, index=table.index) / MILLION


def money_sentences(config: OptimizeConfig, table: pd.DataFrame) -> list[str]:
    """'Spending $1M more a year on A instead of B changes ...' for each pair of uses."""
    searched = {v.name for v in config.variables}
    if not searched & {BUDGET, CASE_MANAGERS, *POOL_SHARES}:
        return []
    ok = table[table["within_budget_cap"]]
    money = spending_frame(ok)
    others = [v.name for v in config.variables
              if v.name not in (BUDGET, CASE_MANAGERS, *POOL_SHARES)]
    design = np.column_stack([np.ones(len(ok)), money.to_numpy(float),
                              ok[others].to_numpy(float) if others else np.empty((len(ok), 0))])
    if len(ok) < design.shape[1] + 5:
        return []
    effects: dict[str, dict[str, float]] = {}
    fits: dict[str, float] = {}
    for name in config.objectives:
        y = ok[name].to_numpy(float)
        keep = np.isfinite(y)
        coef, *_ = np.linalg.lstsq(design[keep], y[keep], rcond=None)
        fitted = design[keep] @ coef
        total = ((y[keep] - y[keep].mean()) ** 2).sum()
        fits[name] = 1 - ((y[keep] - fitted) ** 2).sum() / total if total > 0 else math.nan
        effects[name] = dict(zip(money.columns, coef[1:1 + money.shape[1]], strict=True))
    out = []
    for more, less in itertools.permutations(money.columns, 2):
        if more == "case_managers" or (less != "case_managers" and more > less):
            continue  # one sentence per pair, money moving away from case managers first
        changes = [change_words(name, effects[name][more] - effects[name][less])
                   for name in config.objectives]
        out.append(f"Spending $1M more a year on {uses_words(more)} instead of "
                   f"{uses_words(less)}: {', '.join(changes)}.")
    if out:
        fit = ", ".join(f"{name} {r2:.2f}" for name, r2 in fits.items())
        out.append(f"(A linear fit over the {len(ok)} evaluated policies within the budget cap; "
                   f"the share of each objective's spread it explains, R\u00b2: {fit}. Where "
                   "R\u00b2 is small, the money's effect is swamped by the other choices or "
                   "the noise, and the sentence above says little.)")
    return out


#: Objectives in words; any other is named as it is.
WORDS = {"jail_bed_days": "jail bed-days", "rearrest_12m": "re-arrest within 12 months",
         "rearrest_6m": "re-arrest within 6 months", "rearrest_24m": "re-arrest within 24 months",
         "cost_total_marginal": "net public cost (jail bed-days at the marginal rate)",
         "cost_total": "total public cost", "bookings": "jail bookings", "arrests": "arrests"}


def change_words(name: str, change: float) -> str:
    """'jail bed-days down 1,234 a year' in the objective's units."""
    words = WORDS.get(name, name)
    if math.isnan(change):
        return f"{words}: no estimate"
    return f"{words} {'up' if change > 0 else 'down'} {amount(name, abs(change))}"


def amount(name: str, value: float) -> str:
    if name.startswith("rearrest_"):
        return f"{100 * value:.2g} percentage points"
    if name.startswith("cost_"):
        return f"${value:,.0f} a year"
    return f"{value:,.0f} a year"


def front_sentences(config: OptimizeConfig, front: pd.DataFrame) -> list[str]:
    """Each policy on the front against the next one (sorted by the first objective)."""
    out = []
    records = front.to_dict("records")
    for a, b in itertools.pairwise(records):
        changes = [change_words(name, float(b[name]) - float(a[name]))
                   for name in config.objectives]
        extra = float(b[BUDGET]) - float(a[BUDGET])
        budget = (f" (its budget is ${abs(extra):,.0f} a year {'higher' if extra > 0 else 'lower'})"
                  if abs(extra) >= 1 else "")
        out.append(f"Policy {b['policy']} instead of policy {a['policy']}{budget}: "
                   f"{', '.join(changes)}.")
    return out
