"""The comparison report's equity section: who is arrested, booked and jailed, in plain words.

The numbers come from the comparison's equity table (:mod:`lead_sim.outcomes.equity_table`);
the caveats printed beside them are those of docs/equity.md, kept short: the model's groups
differ only through mechanisms a user can see, so the report says which are on.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from lead_sim.groups import GROUPS, LABELS, MECHANISMS, OBSERVED, REFERENCE
from lead_sim.outcomes.equity_table import composition, value
from lead_sim.reports.html import Table, table

if TYPE_CHECKING:
    from lead_sim.runs.comparison import Comparison

#: (outcome, noun) of the sentences and table, per person at risk.
EQUITY_ROWS = (
    ("arrests", "arrests"),
    ("bookings", "bookings"),
    ("felony_charges", "felony charges"),
    ("jail_bed_days", "jail bed-days"),
    ("prison_bed_days", "prison bed-days"),
    ("lead_enrollments", "LEAD intakes"),
)
FOCUS = "black"  # the contrast the sources measure best (evidence section 4b)
CAVEATS = (
    "The model's groups differ only through mechanisms you can see and change: where people at "
    "risk live and how heavily each area is policed (on by default, from the census and "
    "treatment-admission sources), and ratios by group for contact, diversion, eligibility, "
    "prior record, pretrial hold and felony charging (off by default, because the sources do "
    "not measure them for this population). A ratio here is therefore what those mechanisms "
    "produce, not an estimate of discrimination, and a ratio near 1 does not show its absence.",
    "The population at risk by group is taken from 2006 public-treatment admissions and "
    "homeless counts (E8, E11); no source gives it directly. Rates are per day lived at risk "
    "in the model, not per resident: against the general population every ratio would be "
    "several times larger (Seattle was 7.9% Black in 2010, E1).",
    "No source gives LEAD referrals, diversions or outcomes by race, nor the race of the "
    "evaluation's control group; the model's LEAD effect is the same for every group.",
)


def _ratio(c: Comparison, scenario: str, outcome: str, prefix: str = "") -> tuple:
    return tuple(value(c.equity, scenario, FOCUS, f"rri_{outcome}", prefix + part)
                 for part in ("mean", "low", "high"))


def _text(values: tuple) -> str:
    mean, low, high = values
    if math.isnan(mean):
        return "n/a"
    if math.isnan(low):
        return f"{mean:.2f}"
    return f"{mean:.2f} ({low:.2f} to {high:.2f})"


def _sentence(c: Comparison, scenario: str, outcome: str, noun: str) -> str:
    pair = f"{LABELS[FOCUS]}/{LABELS[REFERENCE].lower()}"
    before, after = _ratio(c, c.baseline, outcome), _ratio(c, scenario, outcome)
    diff = _ratio(c, scenario, outcome, "diff_")
    if any(math.isnan(x) for x in (*before[:1], *after[:1], *diff)):
        return f"The {pair} ratio of {noun} per person at risk cannot be estimated here."
    verb = "falls" if diff[0] < 0 else "rises"
    unclear = (" The 95% interval of the change includes zero: no clear change."
               if diff[1] <= 0 <= diff[2] else "")
    return (f"The {pair} ratio of {noun} per person at risk {verb} from {before[0]:.2f} "
            f"under {c.baseline} to {after[0]:.2f} under {scenario} (change "
            f"{diff[0]:+.2f}, 95% interval {diff[1]:+.2f} to {diff[2]:+.2f}).{unclear}")


def _rri_table(c: Comparison) -> Table:
    header = ["Group (against White)", "Outcome, per person at risk", c.baseline,
              *(x for s in c.scenarios for x in (s, f"{s} minus {c.baseline}"))]
    rows = []
    for group in GROUPS:
        if group == REFERENCE:
            continue
        for outcome, noun in EQUITY_ROWS:
            row = [LABELS[group], noun,
                   _text(tuple(value(c.equity, c.baseline, group, f"rri_{outcome}", k)
                               for k in ("mean", "low", "high")))]
            for s in c.scenarios:
                row += [_text(tuple(value(c.equity, s, group, f"rri_{outcome}", k)
                                    for k in ("mean", "low", "high"))),
                        _text(tuple(value(c.equity, s, group, f"rri_{outcome}", k)
                                    for k in ("diff_mean", "diff_low", "diff_high")))]
            rows.append(row)
    return table(header, rows)


def mechanisms_on(c: Comparison) -> list[str]:
    """The group mechanism ratios set away from 1 in any scenario, as 'name = value'."""
    on = []
    for scenario, params in c.manifest.get("params", {}).items():
        for mechanism, *_ in MECHANISMS:
            for group in GROUPS:
                name = f"{mechanism}_ratio_{group}"
                if params.get(name, 1.0) != 1.0:
                    on.append(f"{scenario}: {name} = {params[name]:g}")
    return on


def composition_table(c: Comparison) -> Table:
    """Each group's share of arrests, bookings and LEAD intakes in every scenario, beside the
    share published for a comparable (never identical) population: a check, not a target."""
    header = ["Group's share of", "Published", "Where and when (evidence row)",
              *(c.baseline, *c.scenarios)]
    rows = []
    for outcome, group, observed, what, row in OBSERVED:
        noun = dict(EQUITY_ROWS)[outcome]
        cells = []
        for scenario in (c.baseline, *c.scenarios):
            mean, low, high = composition(c.equity_runs, scenario, outcome, group)
            cells.append("n/a" if math.isnan(mean) else
                         f"{100 * mean:.0f}%" + ("" if math.isnan(low) else
                                                 f" ({100 * low:.0f} to {100 * high:.0f}%)"))
        rows.append([f"{noun}: {LABELS[group]}", f"{100 * observed:.0f}%", f"{what} ({row})",
                     *cells])
    return table(header, rows)


def equity_section(c: Comparison) -> dict[str, Any]:
    """The equity section's sentences, table of relative rate indices, check against published
    composition, and caveats."""
    return {"sentences": [_sentence(c, s, o, n) for s in c.scenarios
                          for o, n in EQUITY_ROWS[:4]],
            "table": _rri_table(c), "caveats": list(CAVEATS),
            "composition": composition_table(c),
            "mechanisms": mechanisms_on(c) or ["none: every group ratio is 1"]}
