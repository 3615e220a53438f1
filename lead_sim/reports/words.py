"""Numbers in words: rounding for reading, headline sentences, and a run's length in years."""

from __future__ import annotations

import math

from lead_sim.outcomes.tables import fmt, significant


# ---- numbers in words ---------------------------------------------------------------------------
def num(value: float, outcome: str = "", diff: bool = False) -> str:
    """A number rounded for reading: money in $, shares in % (differences of shares in pp),
    means of counted outcomes with one decimal below 100; anything else to 3 significant
    figures."""
    if value is None or math.isnan(value):
        return "n/a"
    return fmt(value, outcome, diff) if outcome else significant(value)


def sentence(scenario: str, baseline: str, outcome: str, noun: str,
             diff: tuple[float, float, float], years: str) -> str:
    """'seattle_citywide averts 1,200 (900 to 1,500) jail bookings over 12 years compared ...'."""
    mean, low, high = diff
    if any(math.isnan(x) for x in diff):
        return f"{scenario}: too few replicates to estimate the change in {noun}."
    money = outcome.startswith("cost")
    if mean < 0:
        verb = "saves" if money else "averts"
        amount = f"{num(-mean, outcome)} ({num(-high, outcome)} to {num(-low, outcome)})"
    else:
        verb = "costs" if money else "adds"
        amount = f"{num(mean, outcome)} ({num(low, outcome)} to {num(high, outcome)})"
    body = (f"{verb} {amount} {'more ' if verb == 'costs' else ''}in {noun}" if money
            else f"{verb} {amount} {noun}")
    unclear = " The 95% interval includes zero: no clear change." if low <= 0 <= high else ""
    return f"{scenario} {body} over {years}, compared with {baseline}.{unclear}"


def years_text(days: int) -> str:
    """A run's length for sentences: '12 years', '1 year' or '3.5 years'."""
    years = days / 365.25
    text = f"{years:.0f}" if abs(years - round(years)) < 0.05 else f"{years:.1f}"
    return f"{text} year" if text == "1" else f"{text} years"
