"""Tests of the words and numbers in reports and terminal tables (units, formats, layout), and of
the report toolkit itself (escaping, the manifest, figures).

Pages are read with tests/html_page.py: the tests check what a page says (its text, table cells,
headings, figures and manifest), not its markup.
"""

from __future__ import annotations

import pandas as pd
import pytest

from lead_sim.cli import main
from lead_sim.outcomes.tables import count, money, plain, share, summary_table, units_note
from lead_sim.reports.words import num, years_text
from tests.html_page import Page

TINY = ["--reps", "2", "--population", "300", "--years", "0.5"]


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """A tiny comparison (300 people, half a year, 2 replicates): its folder and its page."""
    out = tmp_path_factory.mktemp("rep") / "out"
    assert main(["compare", "system_as_usual", "pilot_2011", *TINY, "--out", str(out)]) == 0
    return out, Page((out / "report.html").read_text(encoding="utf-8"))


def test_counts_money_shares_and_parameters_read_plainly():
    assert [count(v) for v in (8.333, 4.0, 19.5, 1234.4, -3314.0, -0.04)] == [
        "8.3", "4", "19.5", "1,234", "-3,314", "0"]
    assert [money(v) for v in (320_000, -21_008, 1_460_000, -946_000, 42)] == [
        "$320,000", "-$21,000", "$1.46M", "-$946,000", "$42"]
    assert share(0.125) == "12.5%" and share(-0.002, diff=True) == "-0.2 pp"
    assert [plain(v) for v in (5_000_000, 140000.0, 800000, 0.45, 1e-05, "budget")] == [
        "5,000,000", "140,000", "800,000", "0.45", "1e-05", "budget"]
    assert num(8.333, "felony_charges") == "8.3"
    assert num(-0.002, "rearrest_12m_booked", diff=True) == "-0.2 pp"
    assert num(0.0123) == "0.0123"  # no outcome: 3 significant figures (odds ratios, params)
    assert years_text(365) == "1 year" and years_text(4 * 365) == "4 years"


def test_run_table_uses_one_money_format_and_pp_for_share_differences():
    rows = [{"scenario": s, "seed": k, **{c: v for c in ("arrests", "bookings",
             "arrest_diversions", "social_contact_referrals", "lead_enrollments",
             "jail_bed_days", "prison_bed_days", "felony_charges")},
             "rearrest_12m": 0.5 + d, "cost_total": 1e6 + 320_000 * d / 0.01,
             **{c: 1000.0 - 21_008 * d / 0.01 for c in (
                 "cost_police", "cost_jail", "cost_prosecution", "cost_public_defense",
                 "cost_courts", "cost_prison", "cost_supervision", "cost_lead_case_management",
                 "cost_treatment", "cost_housing")}}
            for s, d, v in (("a", 0.0, 8.0), ("b", 0.01, 8.5)) for k in (0, 1)]
    text = summary_table(pd.DataFrame(rows), "a")
    assert "+1 pp" not in text and "+1.0 pp" in text
    assert "+$320,000" in text and "-$21,000" in text and "$0.32M" not in text
    assert "8.5" in text


def test_params_listing_has_no_exponents(capsys):
    from lead_sim.cli import main

    assert main(["params", "--group", "population"]) == 0
    out = capsys.readouterr().out
    assert "100 to 5,000,000 people" in out and "e+06" not in out
    assert "population = 20,000" in out


def test_units_state_cost_basis_and_the_county_factor(compared, capsys, tmp_path):
    note = units_note(3000, 20000)
    assert "US dollars" in note and "undiscounted" in note and "not adjusted" in note
    assert "multiply by 6.67" in note and "3,000" in note
    assert "multiply" not in units_note(20000, 20000)
    _, page = compared
    assert "multiply by 66.7 (20,000 / 300) for county totals" in page.text
    assert main(["compare", "system_as_usual", "pilot_2011", *TINY, "--out",
                 str(compared[0])]) == 0
    assert "multiply by 66.7" in capsys.readouterr().out
    assert main(["run", "pilot_2011", *TINY, "--out", str(tmp_path / "run")]) == 0
    assert "multiply by 66.7" in capsys.readouterr().out


def html_table(rows):
    cols = ["scenario", "outcome", "mean", "low", "high", "diff_mean", "diff_low", "diff_high"]
    return pd.DataFrame([[*r, *[float("nan")] * (8 - len(r))] for r in rows], columns=cols)


def test_rearrest_by_pathway_shows_people_and_hides_tiny_cohorts():
    from types import SimpleNamespace

    from lead_sim.reports.compare import _pathway_cell

    c = SimpleNamespace(table=html_table([
        ("a", "rearrest_12m_booked", 0.6, 0.55, 0.65), ("a", "cohort_12m_booked", 412.5),
        ("a", "rearrest_12m_diverted", 1.0, 1.0, 1.0), ("a", "cohort_12m_diverted", 1.5),
        ("a", "rearrest_12m_referred"), ("a", "cohort_12m_referred", 0.0)]))
    assert _pathway_cell(c, "a", "rearrest_12m_booked") == "60.0% (55.0% to 65.0%), n = 412"
    assert _pathway_cell(c, "a", "rearrest_12m_diverted") == "— (n = 1.5)"
    assert _pathway_cell(c, "a", "rearrest_12m_referred") == "n/a (n = 0)"


def test_report_shows_pathway_counts(compared):
    _, page = compared
    recidivism = page.section("Recidivism by pathway")
    assert "Where n is below 30" in recidivism.text
    table = recidivism.tables()[0]
    assert table.header == ["Share re-arrested within 12 months of a first contact",
                            "system_as_usual", "pilot_2011"]
    assert table.row("first contact referred (LEAD)")[1:] == ["n/a (n = 0)"] * 2
    sim = page.section("Sequential Intercept Model").tables()[0]
    row = next(r for r in sim.rows if "within 12 months of a booking" in r[0])
    assert "(n = 0)" in row[1]  # half a year: no 12-month follow-up


def test_method_states_seeds_as_the_readme_does(compared):
    _, page = compared
    method = page.section("Method").text
    assert "replicate r (counting from 1) of every scenario uses seed N + r - 1" in method
    assert method.startswith("2 replicates per scenario, seeds 0 to 1;")
    assert "uses seed + r" not in page.text


def test_validation_page_labels_the_replay_range_and_gives_verdicts():
    from types import SimpleNamespace

    from lead_sim.fitting.validation import verdict, with_verdicts
    from lead_sim.fitting.validation_report import report_html

    assert verdict("arrest_or_6m", 0.3, 0.5, 0.40) == "published value inside the replay range"
    assert verdict("arrest_or_6m", 0.5, 0.9, 0.40) == "published value outside the replay range"
    assert verdict("prison_or", 0.5, 0.9, float("nan")).startswith("held out")
    assert verdict("n_control_pool", 300, 400, float("nan")).startswith("diagnostic")
    assert verdict("n_lead", 40, 60, 203, factor=4.0) == (
        "published value inside the replay range (scaled x4 to the county)")
    # three replays span almost anything: no verdict from them
    assert verdict("arrest_or_6m", 0.37, 8.07, 0.40, replays=3).startswith(
        "too few replays to judge: 3 gave a value, 10 are needed")
    nan = float("nan")
    table = pd.DataFrame([("arrest_or_6m", 0.6, 0.5, 0.7, 20, 0.40),
                          ("prison_or", 0.8, 0.6, 1.1, 20, nan)],
                         columns=["metric", "model_mean", "model_low", "model_high", "replays",
                                  "published"])
    v = SimpleNamespace(table=with_verdicts(table, 4.0), replicates=pd.DataFrame(
        {"arrest_or_6m": [0.5, 0.7], "prison_or": [0.6, 1.1]}), manifest={
        "scenario": {"name": "pilot_2011"}, "reps": 2, "seeds": [0, 1], "git_commit": "x",
        "params": {"population": 5000, "reference_population": 20000}})
    page = Page(report_html(v))
    assert "figures/" not in page.text  # nothing is written there: figures are embedded
    assert [(f.alt, f.caption) for f in page.figures()] == [("arrest_or_6m", "arrest_or_6m"),
                                                           ("prison_or", "prison_or")]
    table = page.tables()[0]
    assert table.header[3] == "Range of single replays (2.5-97.5%)"
    assert "Model 95% interval" not in page.text
    assert table.row("arrest_or_6m")[2:] == ["0.6", "0.5 to 0.7", "0.4",
                                             "published value outside the replay range"]
    assert table.row("prison_or")[4] == ""  # held out: no published value
    assert page.headings() == ["LEAD pilot evaluation replayed in the model", "Each figure",
                               "Manifest"]
    assert page.manifest == page.manifest_shown == v.manifest


def test_report_layout_wraps_text_and_keeps_dates_and_numbers_whole(compared):
    """Dates never wrap, numbers are right-aligned and wrap only before an interval's bracket,
    text columns wrap; numbers read plainly and the manifest keeps full values."""
    _, page = compared
    timeline = page.section("Scenario timelines").tables()[0]
    assert "2011-10-01" in timeline.column("Date")  # pilot_2011's launch
    assert {row[1] for row in timeline.classes} == {"date"}
    params = page.section("Assumptions that drive the result").tables()[0]
    meaning = "Contact hazard ratio while actively engaged with a LEAD case manager."
    i = params.rows.index(params.row("hr_lead_engaged"))
    assert params.rows[i][3] == meaning and params.classes[i][3] == ""  # text: wraps
    assert params.classes[i][1] == "num"
    headline = page.section("Headline: what changes").tables()[0]
    assert all(c == ["", "num", "num", "num"] for c in headline.classes)
    assert "\u00a0(" not in page.html and "to\u00a0" in page.html  # breaks before "(" only
    costs = page.section("Costs by payer: who pays more, who saves").tables()[0]
    assert costs.column("verdict")[0] == "pilot_2011: no clear change"
    assert any("budget_usd_per_year = 800,000" in c for c in timeline.cells())
    assert "140,000" in page.text and "140000.0" not in page.text
    assert page.manifest["params"]["system_as_usual"]["case_manager_annual_cost"] == 140000.0


def test_stock_charts_start_at_zero_when_all_zero():
    from types import SimpleNamespace

    from lead_sim.reports.figures import jail_population

    ts = pd.DataFrame({"scenario": "a", "seed": [0, 0, 1, 1], "jail_population": 0,
                       "date": ["2020-01-01", "2020-02-01"] * 2})
    fig = jail_population(SimpleNamespace(timeseries=ts, baseline="a", scenarios=[]))
    assert fig.axes[0].get_ylim()[0] == 0


def test_sweep_report_says_when_the_sample_is_too_small_and_what_had_no_effect(tmp_path):
    import math

    from lead_sim.sensitivity import Factor, SweepSpec, run_sweep

    def target(values, seed):  # x3 is ignored: its indices are exactly 0
        return {"y": math.sin(values["x1"]) + 7 * math.sin(values["x2"]) ** 2}

    factors = tuple(Factor(n, -math.pi, math.pi) for n in ("x1", "x2", "x3"))
    spec = SweepSpec(name="small", method="sobol", factors=factors, samples=4,
                     outcomes=("y",), seed=11)
    run_sweep(spec, tmp_path, target=target, executor="serial", progress=False)
    page = Page((tmp_path / "report.html").read_text(encoding="utf-8"))
    indices = pd.read_csv(tmp_path / "indices.csv")
    shares = indices[["S1", "ST"]].to_numpy()
    assert ((shares < -0.01) | (shares > 1.01)).any()  # 4 samples: estimates out of range
    assert "The sample is too small for these indices to be trusted" in page.section("y").text
    assert "--samples 16" in page.section("y").text
    assert page.section("Parameters with no effect").text.startswith("x3: index exactly 0")


def test_cost_note_quotes_the_rates_the_runs_used(tmp_path):
    out = tmp_path / "out"
    assert main(["compare", "system_as_usual", "pilot_2011", *TINY,
                 "--set", "jail_bed_day_cost=123", "--out", str(out)]) == 0
    costs = Page((out / "report.html").read_text()).section("Costs by payer: who pays more, "
                                                           "who saves")
    assert "(jail_bed_day_cost = $123 a bed-day)" in costs.text


def test_timeline_entries_after_the_run_are_marked(compared):
    """TINY runs half a year from 2010: pilot_2011's launch in October 2011 is not simulated."""
    _, page = compared
    launch = page.section("Scenario timelines").tables()[0].row("pilot_2011", "2011-10-01")
    assert launch[3].endswith("(after the run ends: not simulated)")


def test_headline_differences_are_also_given_for_the_whole_county_and_per_year(compared):
    out, page = compared
    table = pd.read_csv(out / "comparison.csv")
    row = table[(table["scenario"] == "pilot_2011") & (table["outcome"] == "cost_total")].iloc[0]
    county = page.section("For the whole county")
    factor, years = 20000 / 300, pd.read_csv(out / "runs" / "summary.csv")["days"].iloc[0] / 365.25
    whole = num(row["diff_mean"] * factor, "cost_total", True)
    per_year = num(row["diff_mean"] * factor / years, "cost_total", True)
    cells = county.tables()[0].row("total public cost (jail bed-days at the average rate)")
    assert [c.split(" (")[0] for c in cells[1:]] == [whole, per_year]
    assert "multiplied by 66.7" in county.text


def test_county_rows_multiply_each_difference_by_the_county_factor():
    """A comparison of 300 people over four years: the county is 66.7 times the sample."""
    from lead_sim.outcomes import analysis
    from lead_sim.reports.compare import county_scale
    from lead_sim.runs.comparison import Comparison

    table = pd.DataFrame([("scn", "arrests", None, None, None, -30.0, -45.0, -15.0, "", 1.0),
                          ("scn", "cost_total", None, None, None, 600.0, 300.0, 900.0, "", 0.0)],
                         columns=list(analysis.TABLE_COLUMNS)).astype(
        {c: float for c in analysis.NUMBERS})
    c = Comparison("base", ["scn"], pd.DataFrame({"days": [1461]}), pd.DataFrame(), table,
                   pd.DataFrame(), {"params": {"base": {"population": 300,
                                                         "reference_population": 20000}}})
    county = county_scale(c)
    assert county["factor"] == "66.7" and county["years"] == "4 years"
    assert county["table"].rows[0] == ["arrests", "-2,000 (-3,000 to -1,000)",
                                       "-500 (-750 to -250)"]
    assert county["table"].rows[-2][1] == "$40,000 ($20,000 to $60,000)"
    c.manifest["params"]["base"]["population"] = 20000
    assert county_scale(c) is None  # the run is the county: nothing to multiply


# ---- the toolkit: escaping, the manifest, figures ---------------------------------------------
ODD = "odd <b>& name"  # a name a user may give: it must read as typed, never as markup


def _png() -> bytes:
    from matplotlib.figure import Figure

    from lead_sim.reports.html import png_bytes

    fig = Figure(figsize=(1, 1))
    fig.subplots().plot([0, 1], [0, 1])
    return png_bytes(fig, {"seed": 1}, "test")


def _reads_as_typed(page: Page, *where: str) -> None:
    """ODD appears in the page's words as typed: not turned into a <b> element (unescaped), not
    shown as '&amp;' (escaped twice); ``where`` names headings whose section must hold it."""
    assert ODD in page.text and "&amp;" not in page.text and "&lt;" not in page.text
    assert not any(b.text.startswith("& name") for b in page.iter("b"))
    for heading in where:
        assert ODD in page.section(heading).text, heading


def test_the_page_escapes_text_and_carries_the_manifest_as_json():
    """A value that would close the script element, or open a tag, round-trips as text."""
    from lead_sim.reports.html import embed, environment, table

    manifest = {"scenario": "</script><script>alert(1)</script>", "name": ODD, "n": [1, 2.5]}
    template = environment().from_string(
        '{% extends "page.html.j2" %}{% import "macros.html.j2" as m %}'
        "{% block title %}{{ name }}{% endblock %}"
        "{% block body %}<h1>{{ name }}</h1>{{ m.table(t) }}{{ m.figure(f) }}"
        "{% call m.note() %}{{ name }}{% endcall %}{% endblock %}")
    html = template.render(name=ODD, manifest=manifest, f=embed(_png(), ODD, "figures/x.png"),
                           t=table(["what", ODD], [[ODD, "1 (0 to 2)"]]))
    page = Page(html)
    assert page.title == ODD and page.headings() == [ODD, "Manifest"]
    assert page.manifest == page.manifest_shown == manifest
    assert html.count("</script>") == 1 and len(list(page.iter("script"))) == 1
    assert page.tables()[0].header == ["what", ODD]
    assert page.tables()[0].rows == [[ODD, "1 (0 to 2)"]]
    assert page.tables()[0].classes == [["", "num"]]
    [figure] = page.figures()
    assert (figure.alt, figure.caption) == (ODD, f"{ODD} (figures/x.png)")
    assert figure.png.startswith(b"\x89PNG")
    assert next(page.iter("html")).attrs["lang"] == "en"
    assert next(page.iter("meta")).attrs["charset"] == "utf-8"
    _reads_as_typed(page)


def test_every_template_ships_as_package_data():
    """An installed lead_sim finds its templates only if pyproject.toml lists them."""
    import tomllib
    from fnmatch import fnmatch
    from pathlib import Path

    import lead_sim

    package = Path(lead_sim.__file__).parent
    data = tomllib.loads((package.parent / "pyproject.toml").read_text())
    globs = data["tool"]["setuptools"]["package-data"]["lead_sim"]
    templates = [p.relative_to(package).as_posix() for p in package.rglob("templates/*")
                 if p.is_file()]
    assert {"reports/templates/page.html.j2", "reports/templates/style.css",
            "fitting/templates/validation.html.j2",
            "sensitivity/templates/sweep.html.j2"} <= set(templates)
    assert [t for t in templates if not any(fnmatch(t, g) for g in globs)] == []


def test_a_missing_section_or_heading_fails_the_page_checks():
    page = Page("<h2>Costs</h2><p>a</p><h3>Sub</h3><p>b</p><h2>Next</h2><p>c</p>")
    assert page.section("Costs").text == "a Sub b" and page.section("Sub").text == "b"
    with pytest.raises(AssertionError, match="no heading"):
        page.section("Cost")
    with pytest.raises(AssertionError, match="manifest"):
        page.manifest  # noqa: B018


def test_names_are_escaped_in_the_compare_report(tmp_path):
    scenario = tmp_path / "odd.toml"
    scenario.write_text(f'name = "{ODD}"\nextends = "pilot_2011"\ndescription = "test"\n')
    out = tmp_path / "out & <i>"
    assert main(["compare", "system_as_usual", str(scenario), *TINY, "--out", str(out)]) == 0
    page = Page((out / "report.html").read_text(encoding="utf-8"))
    _reads_as_typed(page, "Headline: what changes", "Recidivism by pathway",
                    "Sequential Intercept Model", "Scenario timelines")
    assert page.headings()[0] == f"LEAD scenario comparison: {ODD} vs system_as_usual"
    assert page.section("Headline: what changes").tables()[0].header[2] == ODD
    assert page.manifest["scenarios"][1]["name"] == ODD


def test_names_are_escaped_in_the_validation_page():
    from types import SimpleNamespace

    from lead_sim.fitting.validation import with_verdicts
    from lead_sim.fitting.validation_report import report_html

    table = pd.DataFrame([("arrest_or_6m", 0.6, 0.5, 0.7, 20, 0.40)],
                         columns=["metric", "model_mean", "model_low", "model_high", "replays",
                                  "published"])
    v = SimpleNamespace(table=with_verdicts(table, 1.0), replicates=pd.DataFrame(
        {"arrest_or_6m": [0.5, 0.7]}), manifest={
        "scenario": {"name": ODD}, "reps": 2, "seeds": [0, 1], "git_commit": "x",
        "calibrated": f"configs/{ODD}.toml", "params": {"population": 5000}})
    page = Page(report_html(v))
    _reads_as_typed(page)
    assert f"Scenario {ODD}, 2 replicates" in page.text
    assert f"Parameters from configs/{ODD}.toml." in page.text
    assert page.manifest["scenario"]["name"] == ODD


def test_names_are_escaped_in_the_calibration_report():
    import numpy as np

    from lead_sim.fitting.calibration_report import fit_report_html
    from lead_sim.fitting.config import CalibrationConfig, Prior, Target
    from lead_sim.fitting.fit import Posterior

    config = CalibrationConfig(
        scenario=ODD, population=5000, reps=2, candidates=6, accept=0.5, seed=1,
        priors=(Prior("diversion_propensity", "uniform", 0.05, 0.6),),
        targets=(Target("arrest_or_6m", 0.4, 0.1, ODD),), prepared=None)
    rng = np.random.default_rng(0)
    candidates = pd.DataFrame({"generation": 0, "candidate": range(6),
                               "diversion_propensity": rng.uniform(0.05, 0.6, 6),
                               "arrest_or_6m": [0.3, 0.35, 0.4, 0.45, 0.9, 1.0],
                               "distance": [1.0, 0.5, 0.0, 0.5, 5.0, 6.0]})
    candidates["accepted"] = candidates["distance"] <= 0.5
    candidates["weight"] = candidates["accepted"] / 3
    page = Page(fit_report_html(Posterior(config, candidates), {"git_commit": "x"}))
    _reads_as_typed(page)
    assert f"scenario {ODD} at 5,000 people" in page.text
    targets = page.section("Targets")
    assert targets.tables()[0].row("arrest_or_6m")[2] == ODD
    assert "Every target is met within one scale by the accepted median." in targets.text
    assert len(page.figures()) == 2


def test_names_are_escaped_in_the_sweep_report():
    import math

    from lead_sim.sensitivity import Factor, SweepSpec
    from lead_sim.sensitivity.analysis import Analysis
    from lead_sim.sensitivity.figures import figure_names
    from lead_sim.sensitivity.report import render_html

    factors = tuple(Factor(n, -math.pi, math.pi) for n in (ODD, "x2"))
    spec = SweepSpec(name=ODD, method="sobol", factors=factors, samples=16, outcomes=(ODD,),
                     seed=11, description=ODD)
    indices = pd.DataFrame({"outcome": ODD, "parameter": [ODD, "x2"], "S1": [0.5, 0.2],
                            "S1_conf": 0.1, "ST": [0.6, 0.3], "ST_conf": 0.1})
    result = Analysis(indices, pd.DataFrame(columns=["outcome", "parameter", "index", "full",
                                                     "half", "difference"]),
                      skipped={f"{ODD} 2": ODD})
    figures = {figure_names(ODD)[0]: _png()}
    page = Page(render_html(spec, result, None, {"ok": 16}, figures, {"sweep": ODD}))
    _reads_as_typed(page, ODD)
    assert page.title == f"Sweep {ODD}" and page.headings()[0] == f"Sensitivity sweep: {ODD}"
    assert page.section(ODD).tables()[0].column("parameter") == [ODD, "x2"]
    assert f"{ODD} 2 not analysed: {ODD}." in page.text
    assert [f.caption for f in page.figures()] == [f"figures/{ODD}_indices.png"]
    assert page.manifest == {"sweep": ODD}
