"""Tests of what the compare report tells a policy reader beyond the numbers: which ratios
mean something, whose settings and which calibration the runs used, and what to distrust."""

from __future__ import annotations

import pandas as pd

from lead_sim import analysis, report
from lead_sim.comparison import Comparison

BASE, SCN = "base", "scn"


def _comparison(rows: list[tuple], manifest: dict | None = None) -> Comparison:
    """A comparison holding only the table rows given as (scenario, outcome, diff_mean,
    diff_low, diff_high, note), enough for the report's sections that read the table."""
    table = pd.DataFrame([(s, o, None, None, None, m, lo, hi, note)
                          for s, o, m, lo, hi, note in rows],
                         columns=list(analysis.TABLE_COLUMNS)).astype(
        {c: float for c in analysis.NUMBERS})
    return Comparison(BASE, [SCN], pd.DataFrame(), pd.DataFrame(), table, pd.DataFrame(),
                      manifest or {})


def test_a_ratio_over_an_unclear_number_averted_reads_not_estimable():
    """Arrests averted -131 to 141: no dollar figure per arrest averted, and the count shown."""
    c = _comparison([(SCN, "arrests", -5.0, -141.0, 131.0, ""),
                     (SCN, "cost_per_arrest_averted", float("nan"), float("nan"), float("nan"),
                      analysis.NOT_CLEARLY_AVERTED),
                     (SCN, "jail_bed_days", -400.0, -500.0, -300.0, ""),
                     (SCN, "cost_per_bed_day_averted", 150.0, 120.0, 190.0, "")])
    arrests = report._ratio_cells(c, SCN, "cost_per_arrest_averted", "per arrest averted")
    assert arrests[2] == "not estimable" and arrests[3] == "5 (-131 to 141)"
    beds = report._ratio_cells(c, SCN, "cost_per_bed_day_averted", "per bed-day averted")
    assert beds[2] == "$150 ($120 to $190)" and beds[3] == "400 (300 to 500)"
