"""Tests of what the compare report tells a policy reader beyond the numbers: which ratios
mean something, whose settings and which calibration the runs used, and what to distrust."""

from __future__ import annotations

import contextlib
import io

import pandas as pd
import pytest

from lead_sim.cli import main
from lead_sim.outcomes import analysis
from lead_sim.outcomes.tables import plain
from lead_sim.params import REGISTRY
from lead_sim.reports import compare as report
from lead_sim.runs.comparison import Comparison
from tests.html_page import Page

BASE, SCN = "base", "scn"
TINY = ["--reps", "2", "--population", "300", "--years", "0.5"]


@pytest.fixture(scope="module")
def capped(tmp_path_factory):
    """system_as_usual against 'capped' (caseload_cap 25, written to end on 2010-03-31) and
    'capped_later' (the same until 2012): stderr and the report page of a tiny comparison."""
    folder = tmp_path_factory.mktemp("capped")
    (folder / "capped.toml").write_text(
        'name = "capped"\nextends = "system_as_usual"\ndescription = "test"\n'
        'end_date = 2010-03-31\n[params]\ncaseload_cap = 25\n')
    (folder / "later.toml").write_text(
        'name = "capped_later"\nextends = "capped.toml"\ndescription = "test"\n'
        '[[timeline]]\ndate = 2012-01-01\nset = { caseload_cap = 20 }\n')
    out = folder / "out"
    args = ["compare", "system_as_usual", str(folder / "capped.toml"),
            str(folder / "later.toml"), *TINY, "--uncalibrated", "--out", str(out)]
    with contextlib.redirect_stderr(io.StringIO()) as err:
        code = main(args)
    return code, err.getvalue(), Page((out / "report.html").read_text(encoding="utf-8"))


def _comparison(rows: list[tuple], manifest: dict | None = None) -> Comparison:
    """A comparison holding only the table rows given as (scenario, outcome, diff_mean,
    diff_low, diff_high, note), enough for the report's sections that read the table
    (p_decrease left empty)."""
    table = pd.DataFrame([(s, o, None, None, None, m, lo, hi, note, None)
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


def test_horizon_warnings_are_printed_and_repeated_in_the_report(capped):
    """Two compared scenarios that cannot differ before the run ends, and years past their
    end date: both on stderr as warnings, and both on the page."""
    code, err, page = capped
    assert code == 0
    for text in ("'capped_later' first differs from 'capped' on 2012-01-01",
                 "--years 0.5 runs to 2010-07-02, past the end date of 'capped', 'capped_later' "
                 "(2010-03-31)"):
        assert f"lead-sim compare: warning: {text}" in err
        assert text in page.text
    warnings = page.text.split("Read with care:", 1)[1].split("Headline: what changes")[0]
    assert "first differs from 'capped' on 2012-01-01" in warnings  # before the numbers


def test_run_warns_when_years_go_past_the_scenario_end(tmp_path, capsys):
    short = tmp_path / "short.toml"
    short.write_text('name = "short"\nextends = "system_as_usual"\ndescription = "test"\n'
                     "end_date = 2010-03-31\n")
    assert main(["run", str(short), "--reps", "1", "--population", "300", "--years", "0.5",
                 "--out", str(tmp_path / "out")]) == 0
    assert ("lead-sim run: warning: --years 0.5 runs to 2010-07-02, past the end date of "
            "'short' (2010-03-31)") in capsys.readouterr().err


def _assumption(page: Page, name: str) -> str:
    """The start value shown for parameter ``name`` in the assumptions table."""
    table = page.section("Assumptions that drive the result").tables()[0]
    assert table.header[:2] == ["Parameter", "Start value"]
    return table.row(name)[1]


def test_assumptions_show_each_scenarios_own_value_and_the_unit_costs(capped):
    """'capped' sets caseload_cap = 25 in [params]: the baseline's 44 alone would hide it."""
    page = capped[2]
    assert _assumption(page, "caseload_cap") == "44 (system_as_usual) / 25 (capped, capped_later)"
    assert _assumption(page, "caseload_design") == "25"
    for name, p in REGISTRY.items():
        if p.group == "cost":
            assert _assumption(page, name) == plain(p.default)


def test_report_says_the_parameters_are_uncalibrated_defaults(capped):
    text = capped[2].text
    assert "Parameters: not calibrated (--uncalibrated)." in text.split("Headline: what changes")[0]
    assert "without --uncalibrated" in text


def test_posterior_draws_are_shown_as_the_draws_the_replicates_used(tmp_path):
    """The point estimate (0.45) ran in no replicate; the two draws (0.4, 0.6) did."""
    cal = tmp_path / "cal.toml"
    cal.write_text("[params]\nhr_lead_engaged = 0.45\n\n[[posterior]]\ndistance = 0.1\n"
                   "hr_lead_engaged = 0.4\ncontact_rate = 0.001\n\n[[posterior]]\n"
                   "distance = 0.2\nhr_lead_engaged = 0.6\ncontact_rate = 0.001\n")
    out = tmp_path / "out"
    assert main(["compare", "system_as_usual", "pilot_2011", *TINY, "--calibrated", str(cal),
                 "--set", "social_referral_propensity=0.2",
                 "--out", str(out)]) == 0
    page = Page((out / "report.html").read_text(encoding="utf-8"))
    assert _assumption(page, "hr_lead_engaged") == "posterior draws, median 0.5 (range 0.4 to 0.6)"
    assert _assumption(page, "contact_rate") == "posterior draws, median 0.001"
    assert _assumption(page, "social_referral_propensity") == "0.2"  # --set, not calibrated
    assert (f"Parameters: calibrated from {cal}: replicate r of every scenario starts from "
            "posterior draw r for contact_rate, hr_lead_engaged.") in page.text
    out2 = tmp_path / "point"
    assert main(["compare", "system_as_usual", "pilot_2011", *TINY, "--calibrated", str(cal),
                 "--seeds-only", "--out", str(out2)]) == 0
    page = Page((out2 / "report.html").read_text(encoding="utf-8"))
    assert _assumption(page, "hr_lead_engaged") == "0.45 (calibrated: posterior median)"
    assert "calibrated from" in page.text
    assert "the posterior median for hr_lead_engaged." in page.text
    assert _assumption(page, "contact_rate") == plain(REGISTRY["contact_rate"].default)


def test_the_chance_of_a_saving_is_said_at_both_jail_rates():
    table = pd.DataFrame([(SCN, "cost_total", None, None, None, -5.0, -9.0, -1.0, "", 0.75),
                          (SCN, "cost_total_marginal", None, None, None, 2.0, -1.0, 5.0, "", 0.25)],
                         columns=list(analysis.TABLE_COLUMNS)).astype(
        {c: float for c in analysis.NUMBERS})
    runs = pd.DataFrame({"scenario": [BASE] * 4 + [SCN] * 4})
    c = Comparison(BASE, [SCN], runs, pd.DataFrame(), table, pd.DataFrame(), {})
    assert report.saving_sentence(c, SCN) == (
        f"{SCN} costs the public less than {BASE} in 75% of the 4 paired replicates with jail "
        "bed-days at the average rate, and in 25% at the marginal rate.")
