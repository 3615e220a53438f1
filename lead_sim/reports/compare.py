"""The policy report: one self-contained HTML file a council staffer can read offline.

Figures are embedded as base64 PNG and the manifest travels inside the page (a JSON script
block), so the file can be mailed on its own. Every number comes from the comparison table; this
module computes the numbers and words of each section, and ``templates/compare.html.j2`` lays
them out (with the toolkit in :mod:`lead_sim.reports.html`).
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from lead_sim.calibration import replicate_draw
from lead_sim.outcomes import analysis
from lead_sim.outcomes.intercepts import INTERCEPTS
from lead_sim.outcomes.measures import OUTCOMES
from lead_sim.outcomes.tables import count, plain, significant, units_note
from lead_sim.params import REGISTRY
from lead_sim.reports.equity import equity_section
from lead_sim.reports.figures import (
    FIGURES,
    MIN_COHORT,
    PATHWAYS,
    PAYER_LABELS,
    cohort_column,
    render_all,
)
from lead_sim.reports.html import Span, Table, Writer, embed, render, table
from lead_sim.reports.words import num, sentence, years_text
from lead_sim.scenarios.schema import EVIDENCE_END, EVIDENCE_SOURCE

if TYPE_CHECKING:
    from lead_sim.runs.comparison import Comparison

#: (outcome, plural noun) for the headline sentences.
HEADLINE_ROWS = (
    ("arrests", "arrests"),
    ("bookings", "jail bookings"),
    ("jail_bed_days", "jail bed-days"),
    ("felony_charges", "felony charges"),
    ("prison_bed_days", "prison bed-days"),
    ("lead_enrollments", "LEAD intakes"),
    ("cost_total", "total public cost (jail bed-days at the average rate)"),
    ("cost_total_marginal", "total public cost (jail bed-days at the marginal rate)"),
)
#: (ratio outcome, label) for the cost-per-unit-averted table.
RATIO_ROWS = (
    ("cost_per_arrest_averted", "per arrest averted"),
    ("cost_per_bed_day_averted", "per jail bed-day averted (average)"),
    ("cost_per_bed_day_averted_marginal", "per jail bed-day averted (marginal)"),
)
#: Parameters that drive the difference between LEAD and the system as usual.
DRIVERS = (
    "hr_lead_engaged", "diversion_propensity", "social_referral_propensity", "caseload_cap",
    "caseload_design", "engaged_months", "hr_housed", "hr_income", "hr_treatment",
    "case_manager_annual_cost", "jail_bed_day_cost", "jail_marginal_bed_day_cost",
    "booking_share", "pretrial_days_felony", "police_hours_per_arrest", "contact_rate",
)


def _value(frame: pd.DataFrame, scenario: str, outcome: str, prefix: str = "") -> tuple:
    row = frame[(frame["scenario"] == scenario) & (frame["outcome"] == outcome)]
    if row.empty:
        return (float("nan"),) * 3
    r = row.iloc[0]
    return r[f"{prefix}mean"], r[f"{prefix}low"], r[f"{prefix}high"]


def _interval(values: tuple, outcome: str, diff: bool = False) -> str:
    mean, low, high = values
    if math.isnan(mean):
        return "n/a"
    if math.isnan(low):
        return num(mean, outcome, diff)
    return (f"{num(mean, outcome, diff)} ({num(low, outcome, diff)} to "
            f"{num(high, outcome, diff)})")


def _years(comparison: Comparison) -> str:
    return years_text(int(comparison.summary["days"].iloc[0]))


def headline_section(c: Comparison) -> dict[str, Any]:
    """The headline sentences and table, and the same differences for the whole county."""
    years = _years(c)
    sentences = [sentence(s, c.baseline, o, noun, _value(c.table, s, o, "diff_"), years)
                 for s in c.scenarios for o, noun in HEADLINE_ROWS]
    header = ["Outcome (whole run)", c.baseline]
    for s in c.scenarios:
        header += [s, f"{s} minus {c.baseline}"]
    rows = []
    for outcome, noun in HEADLINE_ROWS:
        row = [noun, _interval(_value(c.table, c.baseline, outcome), outcome)]
        for s in c.scenarios:
            row += [_interval(_value(c.table, s, outcome), outcome),
                    _interval(_value(c.table, s, outcome, "diff_"), outcome, True)]
        rows.append(row)
    return {"sentences": sentences, "table": table(header, rows), "county": county_scale(c)}


def county_scale(c: Comparison) -> dict[str, Any] | None:
    """The headline differences for the whole county, over the run and per year.

    Runs simulate a sample of the county's people at risk (counts and costs are the
    sample's); a policy group budgets for the county and by the year, so the report does the
    multiplication rather than leaving it to the reader. None when the run is county-sized.
    """
    p = c.manifest["params"][c.baseline]
    factor = p["reference_population"] / p["population"]
    if factor == 1:
        return None
    years = int(c.summary["days"].iloc[0]) / 365.25
    header = ["Outcome"]
    for s in c.scenarios:
        header += [f"{s} minus {c.baseline}: whole run", "per year"]
    rows = []
    for outcome, noun in HEADLINE_ROWS:
        row = [noun]
        for s in c.scenarios:
            diff = _value(c.table, s, outcome, "diff_")
            row += [_interval(tuple(v * factor for v in diff), outcome, True),
                    _interval(tuple(v * factor / years for v in diff), outcome, True)]
        rows.append(row)
    return {"table": table(header, rows), "factor": f"{factor:.3g}",
            "reference_population": f"{p['reference_population']:,}",
            "population": f"{p['population']:,}",
            "years": years_text(round(years * 365.25))}


def costs_section(c: Comparison) -> dict[str, Any]:
    """Each payer's difference with a verdict, the rates jail bed-days were costed at, and the
    extra cost per unit averted."""
    header = ["Payer", *(f"{s} minus {c.baseline}" for s in c.scenarios), "verdict"]
    rows = []
    for payer, label in PAYER_LABELS.items():
        name = f"net_cost_{payer}"
        diffs = [_value(c.table, s, name, "diff_") for s in c.scenarios]
        verdicts = [f"{s}: {_verdict(d)}" for s, d in zip(c.scenarios, diffs, strict=True)]
        rows.append([label, *(_interval(d, "cost") for d in diffs), "; ".join(verdicts)])
    ratios = [_ratio_cells(c, s, name, label) for s in c.scenarios
              for name, label in RATIO_ROWS]
    return {"payers": table(header, rows, 1, {len(header) - 1: ""}),
            "savings": [saving_sentence(c, s) for s in c.scenarios],
            "uncertainty": c.manifest.get("uncertainty", ""),
            "average_rate": _rate(c, "jail_bed_day_cost"),
            "marginal_rate": _rate(c, "jail_marginal_bed_day_cost"),
            "ratios": table(["Scenario", "Ratio", "USD (95% interval)",
                             "Number averted (95% interval)"], ratios, 2)}


def saving_sentence(c: Comparison, scenario: str) -> str:
    """How likely ``scenario`` is to save public money, at both jail rates: the share of paired
    replicates in which its total cost is below the baseline's."""
    rows = c.table[(c.table["scenario"] == scenario)
                   & c.table["outcome"].isin(["cost_total", "cost_total_marginal"])]
    share = dict(zip(rows["outcome"], rows["p_decrease"], strict=True))
    average, marginal = (share.get(k, math.nan) for k in ("cost_total", "cost_total_marginal"))
    if math.isnan(average):
        return f"{scenario}: too few replicates to say how likely a saving is."
    return (f"{scenario} costs the public less than {c.baseline} in {average:.0%} of the "
            f"{c.reps} paired replicates with jail bed-days at the average rate, and in "
            f"{marginal:.0%} at the marginal rate.")


def _ratio_cells(c: Comparison, scenario: str, name: str, label: str) -> list[str]:
    """One row of the cost-per-unit-averted table: the ratio, or "not estimable" when the
    comparison table left it empty, next to the number averted that decides which."""
    outcome = analysis.RATIOS[name][1]
    mean, low, high = _value(c.table, scenario, outcome, "diff_")
    averted = _interval((-mean, -high, -low), outcome, True)
    ratio = _value(c.table, scenario, name, "diff_")
    shown = "not estimable" if math.isnan(ratio[0]) else _interval(ratio, "cost")
    return [scenario, label, shown, averted]


def _rate(c: Comparison, name: str) -> str:
    """A cost rate as the runs used it (one figure, or one per scenario where they differ)."""
    params = c.manifest["params"]
    order = [c.baseline, *c.scenarios]
    values = [params[s][name] for s in order]
    if len(set(values)) == 1:
        return f"${values[0]:,.0f} a bed-day"
    return "; ".join(f"${v:,.0f} in {s}" for s, v in zip(order, values, strict=True))


def _verdict(diff: tuple) -> str:
    mean, low, high = diff
    if math.isnan(mean):
        return "n/a"
    if not math.isnan(low) and low <= 0 <= high:
        return "no clear change"
    return "pays more" if mean > 0 else "saves"


def _pathway_cell(c: Comparison, scenario: str, share_name: str) -> str:
    """A re-arrest share with the people behind it; '—' when they are too few to trust."""
    n = _value(c.table, scenario, cohort_column(share_name))[0]
    shown = _interval(_value(c.table, scenario, share_name), "rearrest")
    if math.isnan(n):
        return shown
    if n == 0:
        return "n/a (n = 0)"
    if n < MIN_COHORT:
        return f"— (n = {count(n)})"
    return f"{shown}, n = {count(n)}"


def recidivism_table(c: Comparison) -> Table:
    order = [c.baseline, *c.scenarios]
    rows = [[f"first contact {label}", *(_pathway_cell(c, s, name) for s in order)]
            for name, label in PATHWAYS.items()]
    rows.append(["everyone", *(_pathway_cell(c, s, "rearrest_12m") for s in order)])
    return table(["Share re-arrested within 12 months of a first contact", *order], rows)


def intercept_table(c: Comparison) -> Table:
    """The Sequential Intercept Model: a heading row per intercept, then its measures (a note
    across the row where the model has nothing for one)."""
    order = [c.baseline, *c.scenarios]
    header = ["Measure", *order, *(f"{s} minus {c.baseline} (95% interval)" for s in c.scenarios)]
    sim = c.intercepts
    rows: list[list[str] | Span] = []
    for icpt in INTERCEPTS:
        rows.append(Span(f"Intercept {icpt.number}: {icpt.name}", heading=True))
        for m in icpt.measures:
            own = sim[(sim["intercept"] == icpt.number) & (sim["measure"] == m.label)]
            label = f"{m.kind}: {m.label}"
            note = own["note"].iloc[0]
            if note:
                rows.append(Span(note, label=label))
                continue
            by = own.set_index("scenario")
            if m.column.startswith("rearrest_12m"):  # a share: show the people behind it
                cells = [_pathway_cell(c, s, m.column) for s in order]
            else:
                cells = [num(by.loc[s, "mean"], m.column) for s in order]
            cells += [_interval(tuple(by.loc[s, ["diff_mean", "diff_low", "diff_high"]]),
                                m.column, True) for s in c.scenarios]
            rows.append([label, *cells])
    return table(header, rows)


def assumptions_section(c: Comparison) -> dict[str, Table]:
    """The parameters that drive the result (with their sources) and the scenarios' timelines."""
    params = c.manifest["params"]
    varying = {k for k in REGISTRY if len({json.dumps(p.get(k)) for p in params.values()}) > 1}
    overridden = set(c.manifest["comparison"].get("overrides", {}))
    timeline_keys = {k for scn in c.manifest["scenarios"] for e in scn["timeline"]
                     for k in e["set"]}
    shown = set(DRIVERS) | varying | overridden | timeline_keys
    names = [n for n, p in REGISTRY.items() if n in shown or p.group == "cost"]
    rows = [[n, _start_value(c, n), REGISTRY[n].unit, REGISTRY[n].description,
             REGISTRY[n].source] for n in names]
    timeline = []
    for scn in c.manifest["scenarios"]:
        for e in scn["timeline"]:
            changes = ", ".join(f"{k} = {plain(v)}" for k, v in e["set"].items())
            cover = f"covers {', '.join(e['cover'])}" if e["cover"] else ""
            after = " (after the run ends: not simulated)" if e["date"] > scn["end_date"] else ""
            timeline.append([scn["name"], e["date"], "; ".join(x for x in (cover, changes) if x),
                             e["note"] + after])
    return {"parameters": table(["Parameter", "Start value", "Unit", "Meaning", "Source"], rows,
                                5, {1: "num"}),
            "timelines": table(["Scenario", "Date", "Change", "Note and source"], timeline, 4,
                               {1: "date"})}


def _start_value(c: Comparison, name: str) -> str:
    """A parameter's start value as the runs used it: one figure when every scenario shares
    it, each scenario's where they differ, and, for a calibrated parameter, where it came from
    (with posterior draws, the spread of the draws the replicates used, not the point
    estimate no replicate ran with)."""
    drawn = _drawn_values(c, name)
    if drawn:
        low, mid, high = min(drawn), float(pd.Series(drawn).median()), max(drawn)
        spread = f" (range {significant(low)} to {significant(high)})" if low != high else ""
        return f"posterior draws, median {significant(mid)}{spread}"
    params = c.manifest["params"]
    by_value: dict[str, list[str]] = {}
    for scenario in [c.baseline, *c.scenarios]:
        by_value.setdefault(plain(params[scenario][name]), []).append(scenario)
    if len(by_value) > 1:
        return " / ".join(f"{v} ({', '.join(s)})" for v, s in by_value.items())
    value = next(iter(by_value))
    if name in (c.manifest.get("calibrated_params") or ()):
        return f"{value} (calibrated: posterior median)"
    return value


def _drawn_values(c: Comparison, name: str) -> list[float]:
    """The values of a calibrated parameter that the replicates started from, in replicate
    order (empty when the parameter was not drawn from a posterior)."""
    draws = c.manifest.get("posterior_draws")
    if (not draws or name not in (c.manifest.get("calibrated_params") or ())
            or any(name not in d for d in draws)):
        return []
    return [replicate_draw(draws, r)[name] for r in range(c.manifest["reps_used"])]


def calibration_note(c: Comparison) -> str:
    """Whether the parameters were fitted, said near the top: without calibration LEAD's effect
    sizes are the registry's starting values, and a reader must know that before the numbers."""
    m = c.manifest
    if m.get("calibrated") in (None, "none"):
        return ("Parameters: not calibrated (--uncalibrated). Apart from the scenarios' own "
                "values and any overrides (see the assumptions table), every parameter is the "
                "registry default, and LEAD's effect sizes there (e.g. hr_lead_engaged, how much "
                "engagement with a case manager cuts police contact) are starting values, not "
                "fitted to the evaluation of the pilot. Run compare without --uncalibrated to "
                "start from the shipped calibration, or with --calibrated FILE for another "
                "(docs/validation.md).")
    fitted = m.get("calibrated_params") or []
    drawn = [n for n in fitted if _drawn_values(c, n)]
    point = [n for n in fitted if n not in drawn]
    how = ([f"replicate r of every scenario starts from posterior draw r for {', '.join(drawn)}"]
           if drawn else []) + ([f"the posterior median for {', '.join(point)}"] if point else [])
    source = ("the shipped calibration" if m["calibrated"] == "shipped"
              else m["calibrated"])
    return (f"Parameters: calibrated from {source}: "
            f"{'; '.join(how) or 'every calibrated value is overridden by --set'}. The other "
            "parameters are registry defaults, the scenarios' own values or overrides (see the "
            "assumptions table).")


def method_section(c: Comparison) -> dict[str, Any]:
    """Replicates, seeds, pairing, intervals and, with --precision, whether it was reached."""
    m = c.manifest
    key = m["comparison"]
    precision = None
    if key.get("precision"):
        precision = {"target": f"{key['precision']:g}",
                     "reached": "reached" if m["precision_reached"] else "NOT reached (cap hit)",
                     "imprecise": ", ".join(m["imprecise"]) or "none"}
    return {"reps": m["reps_used"], "first_seed": m["seeds"][0], "last_seed": m["seeds"][-1],
            "pairing": m["pairing"], "interval": m["interval"],
            "outcomes": "; ".join(f"{k}: {v}" for k, v in list(OUTCOMES.items())[:4]),
            "precision": precision}


def extrapolation_note(c: Comparison) -> str:
    """What the shaded span of the figures over time means ('' if the run ends before it)."""
    ts = c.timeseries
    if "extrapolated" not in ts or not ts["extrapolated"].any():
        return ""
    first = ts.loc[ts["extrapolated"], "date"].min().date()
    return (f"Shaded: the days from {first} on, past the last dated evidence ({EVIDENCE_END}, "
            f"row {EVIDENCE_SOURCE} of the evidence file). They are an extrapolation: the "
            "scenarios' settings from then on are assumptions, and the daily series mark "
            "those days in their 'extrapolated' column.")


def page_context(c: Comparison, figures: dict[str, bytes]) -> dict[str, Any]:
    """Everything compare.html.j2 lays out: numbers and words, tables and figures."""
    scn = c.manifest["scenarios"][0]
    params = c.manifest["params"][c.baseline]
    return {
        "c": c, "manifest": c.manifest, "years": _years(c), "start": scn["start_date"],
        "end": scn["end_date"], "population": f"{params['population']:,}",
        "calibration": calibration_note(c),
        "units": units_note(params["population"], params["reference_population"]),
        "notices": c.manifest.get("notices") or [], "extrapolation": extrapolation_note(c),
        "figures": {n: embed(figures[n], FIGURES[n][0], f"figures/{n}.png") for n in figures},
        "headline": headline_section(c), "costs": costs_section(c),
        "recidivism": recidivism_table(c), "min_cohort": MIN_COHORT,
        "intercepts": intercept_table(c), "assumptions": assumptions_section(c),
        "method": method_section(c), "equity": equity_section(c),
    }


def build_html(c: Comparison, figures: dict[str, bytes]) -> str:
    """The whole report as one HTML string."""
    return render("compare.html.j2", **page_context(c, figures))


def report_files(c: Comparison) -> dict[str, Writer]:
    """Writers for report.html and figures/*.png, for :func:`lead_sim.runs.io.write_folder`."""
    figures = render_all(c)
    page = build_html(c, figures)
    files: dict[str, Writer] = {"report.html": lambda p: p.write_text(page, encoding="utf-8")}
    for name, png in figures.items():
        files[f"figures/{name}.png"] = lambda p, png=png: p.write_bytes(png)
    return files
