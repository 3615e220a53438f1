"""The policy report: one self-contained HTML file a council staffer can read offline.

Figures are embedded as base64 PNG and the manifest travels inside the page (a JSON script
block), so the file can be mailed on its own. Every number comes from the comparison table; this
module only chooses words and layout.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

import pandas as pd

from lead_sim.outcomes import analysis
from lead_sim.outcomes.intercepts import INTERCEPTS
from lead_sim.outcomes.measures import OUTCOMES
from lead_sim.outcomes.tables import count, plain, significant, units_note
from lead_sim.params import REGISTRY, replicate_draw
from lead_sim.reports.figures import (
    FIGURES,
    MIN_COHORT,
    PATHWAYS,
    PAYER_LABELS,
    cohort_column,
    render_all,
)
from lead_sim.reports.html import CSS, Writer, embed_figure, esc, html_table, nowrap
from lead_sim.reports.words import num, sentence, years_text

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










def _value(table: pd.DataFrame, scenario: str, outcome: str, prefix: str = "") -> tuple:
    row = table[(table["scenario"] == scenario) & (table["outcome"] == outcome)]
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


def headline_section(c: Comparison) -> str:
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
    items = "".join(f"<li>{esc(t)}</li>" for t in sentences)
    return (f"<h2>Headline: what changes</h2><ul>{items}</ul>"
            f"{html_table(header, rows)}"
            "<p class='note'>Means over replicates with 95% intervals in brackets. Differences are "
            "paired: each replicate of a scenario is compared with the baseline replicate that "
            "shares its seed.</p>" + county_scale(c))


def county_scale(c: Comparison) -> str:
    """The headline differences for the whole county, over the run and per year.

    Runs simulate a sample of the county's people at risk (counts and costs are the
    sample's); a policy group budgets for the county and by the year, so the report does the
    multiplication rather than leaving it to the reader. Empty when the run is county-sized.
    """
    p = c.manifest["params"][c.baseline]
    factor = p["reference_population"] / p["population"]
    if factor == 1:
        return ""
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
    return (f"<h3>For the whole county</h3>{html_table(header, rows)}"
            f"<p class='note'>The differences above multiplied by {factor:.3g} "
            f"(reference_population {p['reference_population']:,} / population "
            f"{p['population']:,}), as if the simulated sample were the county's people at risk "
            f"in miniature; per year: divided by the run's {years_text(round(years * 365.25))}. "
            "Intervals scale with them: they still reflect the sample's noise, so a larger "
            "--population narrows them.</p>")


def costs_section(c: Comparison) -> str:
    header = ["Payer", *(f"{s} minus {c.baseline}" for s in c.scenarios), "verdict"]
    rows = []
    for payer, label in PAYER_LABELS.items():
        name = f"net_cost_{payer}"
        diffs = [_value(c.table, s, name, "diff_") for s in c.scenarios]
        verdicts = [f"{s}: {_verdict(d)}" for s, d in zip(c.scenarios, diffs, strict=True)]
        rows.append([label, *(_interval(d, "cost") for d in diffs), "; ".join(verdicts)])
    ratios = [_ratio_cells(c, s, name, label) for s in c.scenarios
              for name, label in RATIO_ROWS]
    return (
        "<h2>Costs by payer: who pays more, who saves</h2>"
        f"{html_table(header, rows, 1, {len(header) - 1: ''})}"
        "<p class='note'>A payer here is the public service that bears the cost (police, "
        "jail, courts ...); the model does not split each between the city, the county and "
        "the state that fund it. "
        "Positive: the payer spends more than under the baseline; negative: it "
        "saves. Jail bed-days are shown twice: at the average rate "
        f"(<code>jail_bed_day_cost</code> = {_rate(c, 'jail_bed_day_cost')}) and at the "
        "marginal rate (<code>jail_marginal_bed_day_cost</code> = "
        f"{_rate(c, 'jail_marginal_bed_day_cost')}). Fewer bed-days save only the "
        "marginal rate while the jail's fixed costs remain, so the marginal figure is the "
        "realistic saving in the short run.</p>"
        "<h3>Extra public cost per unit averted</h3>"
        f"{html_table(['Scenario', 'Ratio', 'USD (95% interval)',
                         'Number averted (95% interval)'], ratios, 2)}"
        "<p class='note'>What one arrest (or jail bed-day) fewer costs the public purse: the "
        "mean extra total cost of the scenario over the baseline divided by the mean number "
        "it averts, with a paired bootstrap interval over replicates. Positive: each one "
        "averted costs that much more; negative: the scenario averts them and saves money "
        "too. <b>not estimable</b>: the number averted is not clearly above zero (its 95% "
        "interval, shown beside it, includes zero or lies below it), so the division has no "
        "meaning; run more replicates or years, or read the cost and the count separately "
        "above.</p>")


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
    return "; ".join(f"${v:,.0f} in {esc(s)}" for s, v in zip(order, values, strict=True))


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


def recidivism_section(c: Comparison) -> str:
    order = [c.baseline, *c.scenarios]
    rows = [[f"first contact {label}", *(_pathway_cell(c, s, name) for s in order)]
            for name, label in PATHWAYS.items()]
    rows.append(["everyone", *(_pathway_cell(c, s, "rearrest_12m") for s in order)])
    return ("<h2>Recidivism by pathway</h2>"
            f"{html_table(['Share re-arrested within 12 months of a first contact', *order], rows)}"
            "<p class='note'>By the pathway of each person's first police contact in the run: "
            "booked into jail, diverted at arrest by LEAD, or referred to LEAD by social contact. "
            "Shares are means over replicates with 95% intervals. <b>n</b>: people per "
            "replicate (mean) whose first contact took that pathway and whose 12 months of "
            "follow-up ended within the run. Where n is below "
            f"{MIN_COHORT}, the share is shown as — : a handful of people gives shares like 0% "
            "or 100% that mean nothing. Simulate more people or years (--population, --years) "
            "to fill those cells. n/a (n = 0): no one took that pathway (no LEAD in the "
            "scenario).</p>"
            "<p class='note'>A person counts once, from their <em>first</em> contact in the run. "
            "Most people at risk when the run starts have that contact before LEAD launches, "
            "and LEAD participants are often referred at a later contact, so the 'everyone' row "
            "moves little and the LEAD rows hold few people: this table describes pathways, it "
            "does not measure LEAD's effect on re-arrest. For that, <code>lead-sim validate</code> "
            "compares LEAD participants with controls as the University of Washington "
            "evaluation did.</p>")


def intercept_section(c: Comparison) -> str:
    order = [c.baseline, *c.scenarios]
    header = ["Measure", *order, *(f"{s} minus {c.baseline} (95% interval)" for s in c.scenarios)]
    width = len(header)
    sim = c.intercepts
    body = []
    for icpt in INTERCEPTS:
        body.append(f"<tr><th colspan='{width}'>Intercept {icpt.number}: "
                    f"{esc(icpt.name)}</th></tr>")
        for m in icpt.measures:
            own = sim[(sim["intercept"] == icpt.number) & (sim["measure"] == m.label)]
            label = f"<td>{esc(m.kind)}: {esc(m.label)}</td>"
            note = own["note"].iloc[0]
            if note:
                body.append(f"<tr>{label}<td colspan='{width - 1}' class='note'>{esc(note)}"
                            "</td></tr>")
                continue
            by = own.set_index("scenario")
            if m.column.startswith("rearrest_12m"):  # a share: show the people behind it
                cells = [_pathway_cell(c, s, m.column) for s in order]
            else:
                cells = [num(by.loc[s, "mean"], m.column) for s in order]
            cells += [_interval(tuple(by.loc[s, ["diff_mean", "diff_low", "diff_high"]]),
                                m.column, True) for s in c.scenarios]
            body.append("<tr>" + label + "".join(f"<td class='num'>{nowrap(x)}</td>"
                                                  for x in cells) + "</tr>")
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    return ("<h2>Sequential Intercept Model</h2>"
            "<p>People, events and costs at each intercept, as means over replicates for the "
            "whole run (Munetz &amp; Griffin 2006; intercept 0 from Abreu et al. 2017; evidence "
            "row O26). Placing social-contact referral at 0 and arrest diversion at 1 follows the "
            "evidence file's classification. Where the model has nothing for an intercept the "
            "table says so. A re-arrest share shows <b>n</b>, the people behind it, as in the "
            "recidivism table.</p>"
            f"<div class='wide'><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>")


def assumptions_section(c: Comparison) -> str:
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
    return ("<h2>Assumptions that drive the result</h2>"
            "<p>Parameters of LEAD's effect, reach and capacity, every unit cost, and every "
            "parameter that differs between scenarios or was overridden, with their sources from "
            "the parameter registry (<code>lead-sim params</code>). \"assumption\" marks values "
            "the evidence does not state. Where scenarios start from different values, each "
            "scenario's value is named; values that change on a date are in the timelines "
            "below.</p>"
            + html_table(['Parameter', 'Start value', 'Unit', 'Meaning', 'Source'], rows, 5,
                     {1: 'num'}) +
            "<h3>Scenario timelines</h3>"
            + html_table(['Scenario', 'Date', 'Change', 'Note and source'], timeline, 4,
                     {1: 'date'}))


def notices_section(c: Comparison) -> str:
    """The warnings the command printed about the horizon (scenarios that cannot differ within
    it, years past a scenario's end date), where a reader of the page alone will see them."""
    notices = c.manifest.get("notices") or []
    if not notices:
        return ""
    items = "".join(f"<li>{esc(n)}</li>" for n in notices)
    return f"<div class='units'><b>Read with care:</b><ul>{items}</ul></div>"


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
    if not m.get("calibrated"):
        return ("Parameters: not calibrated. Apart from the scenarios' own values and any "
                "overrides (see the assumptions table), every parameter is the registry "
                "default, and LEAD's effect sizes there (e.g. hr_lead_engaged, how much "
                "engagement with a case manager cuts police contact) are starting values, not "
                "fitted to the evaluation of the pilot. To use fitted values, run compare with "
                "--calibrated configs/calibration/pilot_calibrated.toml (the shipped fit) or a "
                "calibrated.toml from 'lead-sim calibrate' (README: 'Validation and "
                "calibration'; docs/validation.md).")
    fitted = m.get("calibrated_params") or []
    drawn = [n for n in fitted if _drawn_values(c, n)]
    point = [n for n in fitted if n not in drawn]
    how = ([f"replicate r of every scenario starts from posterior draw r for {', '.join(drawn)}"]
           if drawn else []) + ([f"the posterior median for {', '.join(point)}"] if point else [])
    return (f"Parameters: calibrated from {m['calibrated']}: "
            f"{'; '.join(how) or 'every calibrated value is overridden by --set'}. The other "
            "parameters are registry defaults, the scenarios' own values or overrides (see the "
            "assumptions table).")


def method_section(c: Comparison) -> str:
    m = c.manifest
    key = m["comparison"]
    precision = ""
    if key.get("precision"):
        reached = "reached" if m["precision_reached"] else "NOT reached (cap hit)"
        loose = ", ".join(m["imprecise"]) or "none"
        precision = (f"<p>Precision target: every headline difference's 95% interval narrower "
                     f"than {key['precision']:g} x its mean: {reached} after {m['reps_used']} "
                     f"replicates per scenario. Still imprecise: {esc(loose)}.</p>")
    return ("<h2>Method</h2>"
            f"<p>{m['reps_used']} replicates per scenario, seeds {m['seeds'][0]} to "
            f"{m['seeds'][-1]}; {esc(m['pairing'])}. Intervals: {esc(m['interval'])}. "
            f"Outcomes: {esc('; '.join(f'{k}: {v}' for k, v in list(OUTCOMES.items())[:4]))}; "
            "see comparison.csv for all of them.</p>" + precision)




def build_html(c: Comparison, figures: dict[str, bytes]) -> str:
    """The whole report as one HTML string."""
    fig = {n: embed_figure(n, FIGURES[n][0], figures[n]) for n in figures}
    scn = c.manifest["scenarios"][0]
    params = c.manifest["params"][c.baseline]
    population = params["population"]
    manifest = json.dumps(c.manifest, indent=1, default=str)
    intro = (f"<p>{len(c.scenarios) + 1} scenarios, {c.reps} replicates each, "
             f"{scn['start_date']} to {scn['end_date']} ({_years(c)}), {population:,} people at "
             f"risk. Baseline: <b>{esc(c.baseline)}</b>. Commit {esc(c.manifest['git_commit'])}."
             f"</p><p class='units'>{esc(calibration_note(c))}</p>"
             f"<p class='units'>{esc(units_note(population, params['reference_population']))}"
             "</p>")
    body = [f"<h1>LEAD scenario comparison: {esc(', '.join(c.scenarios))} vs "
            f"{esc(c.baseline)}</h1>", intro, notices_section(c), headline_section(c),
            fig["headline"],
            "<h2>Jail population and LEAD caseload over time</h2>", fig["jail_population"],
            fig["lead_caseload"], costs_section(c), fig["costs_by_payer"],
            recidivism_section(c), fig["recidivism"], intercept_section(c),
            assumptions_section(c), method_section(c),
            "<h2>Manifest</h2><details><summary>Parameters, seeds, versions, commit, command"
            f"</summary><pre>{esc(manifest)}</pre></details>",
            "<script type='application/json' id='lead-sim-manifest'>"
            + manifest.replace("</", "<\\/") + "</script>"]
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>LEAD comparison</title><style>{CSS}</style></head><body>"
            + "\n".join(body) + "</body></html>\n")


def report_files(c: Comparison) -> dict[str, Writer]:
    """Writers for report.html and figures/*.png, for :func:`lead_sim.runs.io.write_folder`."""
    figures = render_all(c)
    page = build_html(c, figures)
    files: dict[str, Writer] = {"report.html": lambda p: p.write_text(page, encoding="utf-8")}
    for name, png in figures.items():
        files[f"figures/{name}.png"] = lambda p, png=png: p.write_bytes(png)
    return files
