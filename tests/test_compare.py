"""Tests of ``lead-sim compare``: the numbers, the pairing, the report and bad input.

One small comparison (2,000 people, 4 years, 4 replicates, serial) is run once per module and
checked against the runs it summarises; the remaining tests use even smaller runs.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from scipy import stats

from lead_sim.cli import main
from lead_sim.outcomes import analysis
from lead_sim.params import REGISTRY
from lead_sim.runs import comparison
from lead_sim.runs.comparison import run_comparison
from tests.html_page import Page

BASE, SCN = "system_as_usual", "seattle_citywide"
SMALL = {"population": 2000, "years": 4.0}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "out"
    code = main(["compare", BASE, SCN, "--reps", "4", "--seed", "3", "--population", "2000",
                 "--years", "4", "--out", str(out)])
    assert code == 0
    return out


@pytest.fixture(scope="module")
def tables(written):
    return (pd.read_csv(written / "comparison.csv"), pd.read_csv(written / "runs/summary.csv"))


def _row(table, scenario, outcome):
    return table[(table["scenario"] == scenario) & (table["outcome"] == outcome)].iloc[0]


def _t95(x, clip=False):
    x = np.asarray(x, float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    low = max(0.0, x.mean() - half) if clip else x.mean() - half  # levels: counts are >= 0
    return x.mean(), low, x.mean() + half


def test_levels_match_the_runs(tables):
    table, runs = tables
    assert sorted(runs["seed"].unique()) == [3, 4, 5, 6]
    for scenario in (BASE, SCN):
        own = runs[runs["scenario"] == scenario]
        for outcome in ("arrests", "bookings", "jail_bed_days", "cost_total", "cost_police"):
            row = _row(table, scenario, outcome)
            assert np.allclose([row["mean"], row["low"], row["high"]],
                               _t95(own[outcome], clip=True))


def test_paired_differences_match_the_runs(tables):
    table, runs = tables
    wide = runs.pivot(index="seed", columns="scenario")
    for outcome in ("arrests", "bookings", "jail_bed_days", "cost_total", "lead_enrollments"):
        diff = wide[(outcome, SCN)] - wide[(outcome, BASE)]
        row = _row(table, SCN, outcome)
        assert np.allclose([row["diff_mean"], row["diff_low"], row["diff_high"]], _t95(diff))
        assert math.isnan(_row(table, BASE, outcome)["diff_mean"])  # empty for the baseline
    net = _row(table, SCN, "net_cost_police")
    assert net["diff_mean"] == pytest.approx(_row(table, SCN, "cost_police")["diff_mean"])


def test_the_chance_of_a_saving_is_the_share_of_pairs_that_cost_less(tables):
    table, runs = tables
    wide = runs.pivot(index="seed", columns="scenario")
    for outcome in ("cost_total", "jail_bed_days", "arrests"):
        lower = (wide[(outcome, SCN)] < wide[(outcome, BASE)]).mean()
        assert _row(table, SCN, outcome)["p_decrease"] == pytest.approx(lower)
        assert math.isnan(_row(table, BASE, outcome)["p_decrease"])
    cheaper = (runs[runs["scenario"] == SCN]["cost_total"].to_numpy()
               < runs[runs["scenario"] == BASE]["cost_total"].to_numpy()).mean()
    assert _row(table, SCN, "net_cost_total")["p_decrease"] == pytest.approx(cheaper)


def test_marginal_costs_and_ratios(tables):
    table, runs = tables
    gap = REGISTRY["jail_bed_day_cost"].default - REGISTRY["jail_marginal_bed_day_cost"].default
    assert np.allclose(runs["cost_jail_marginal"], runs["cost_jail"] - gap * runs["jail_bed_days"])
    wide = runs.pivot(index="seed", columns="scenario")
    extra = (wide[("cost_total", SCN)] - wide[("cost_total", BASE)]).mean()
    averted = wide[("arrests", BASE)] - wide[("arrests", SCN)]
    row = _row(table, SCN, "cost_per_arrest_averted")
    if _t95(averted)[1] > 0:  # the model's own run decides the branch; both are pinned below
        assert row["diff_mean"] == pytest.approx(extra / averted.mean())
    else:
        assert math.isnan(row["diff_mean"]) and row["note"].startswith("not estimable")


@pytest.mark.parametrize(("scenario_arrests", "expected", "note"), [
    ([8, 8, 7], 30_000 / (7 / 3), ""),
    ([10, 10, 10], float("nan"), analysis.NOT_AVERTED),
    ([12, 11, 13], float("nan"), analysis.NOT_AVERTED),
    ([5, 12, 9], float("nan"), analysis.NOT_CLEARLY_AVERTED)])
def test_cost_per_arrest_averted_is_blank_unless_arrests_are_clearly_averted(
        scenario_arrests, expected, note):
    """Extra cost 30,000 a replicate; the baseline makes 10 arrests. Averting 2, 2 and 3 gives
    30,000 / 2.33 an arrest. Averting none, adding arrests, or averting 5, -2 and 1 (mean 1.3,
    an interval that includes zero) leaves the ratio empty, with the reason."""
    rows = [("base", s, 100_000.0, 10) for s in range(3)]
    rows += [("scn", s, 130_000.0, a) for s, a in enumerate(scenario_arrests)]
    summary = pd.DataFrame(rows, columns=["scenario", "seed", "cost_total", "arrests"])
    row = analysis._ratio_row(summary, "scn", "base", "cost_per_arrest_averted", seed=0)
    assert row["note"] == note
    if math.isnan(expected):  # None here; NaN once in the table's frame
        assert row["diff_mean"] is None and row["diff_low"] is None
    else:
        assert row["diff_mean"] == pytest.approx(expected)
        assert row["diff_low"] <= row["diff_mean"] <= row["diff_high"]


def test_intercept_table_agrees_and_admits_gaps(written, tables):
    table, _ = tables
    sim = pd.read_csv(written / "intercepts.csv", keep_default_na=False)
    assert set(sim["intercept"]) == {0, 1, 2, 3, 4, 5}
    reentry_cost = sim[(sim["intercept"] == 4) & (sim["kind"] == "costs")]
    assert reentry_cost["note"].str.startswith("not modelled").all()
    for outcome in ("bookings", "supervision_violations", "cost_supervision"):
        row = sim[(sim["outcome"] == outcome) & (sim["scenario"] == SCN)].iloc[0]
        assert float(row["diff_mean"]) == pytest.approx(_row(table, SCN, outcome)["diff_mean"])


def test_report_is_self_contained(written):
    page = Page((written / "report.html").read_text(encoding="utf-8"))
    figures = page.figures()  # each one embedded as PNG, the same as its copy in figures/
    assert [f.png for f in figures] == [(written / "figures" / f"{name}.png").read_bytes()
                                        for name in ("headline", "jail_population",
                                                     "lead_caseload", "costs_by_payer",
                                                     "recidivism")]
    assert "Sequential Intercept Model" in page.headings(2)
    assert len(page.section("Sequential Intercept Model").tables()[0].rows) > 10
    assert "jail bookings over 4 years, compared with system_as_usual" in page.text
    links = [e.attrs[a] for e in page.iter() for a in ("src", "href") if a in e.attrs]
    assert links and all(link.startswith("data:") for link in links)  # opens offline
    manifest = page.manifest
    assert manifest["seeds"] == [3, 4, 5, 6]
    assert manifest == page.manifest_shown == json.loads((written / "manifest.json").read_text())
    for name in ("headline", "jail_population", "lead_caseload", "costs_by_payer", "recidivism"):
        text = Image.open(written / "figures" / f"{name}.png").text
        assert json.loads(text["lead_sim_manifest"])["seeds"] == [3, 4, 5, 6]


def test_pairing_narrows_intervals(tables):
    """Common random numbers: the same runs give a far narrower paired interval than unpaired.

    Deterministic (fixed seeds); the check is only that paired < unpaired for each outcome.
    """
    _, runs = tables
    for outcome in ("arrests", "bookings", "jail_bed_days", "cost_total"):
        _, plo, phi = analysis.paired_difference(runs, SCN, BASE, outcome)
        _, ulo, uhi = analysis.unpaired_difference(runs, SCN, BASE, outcome)
        assert phi - plo < (uhi - ulo) / 2, outcome


def test_rewriting_the_same_comparison_is_allowed_a_different_one_is_not(written, capsys):
    before = (written / "comparison.csv").read_bytes()
    code = main(["compare", BASE, SCN, "--reps", "5", "--seed", "3", "--population", "2000",
                 "--years", "4", "--out", str(written)])
    assert code == 2
    assert "different comparison" in capsys.readouterr().err
    assert (written / "comparison.csv").read_bytes() == before


@pytest.mark.parametrize("args, message", [
    (["no_such_scenario"], "Unknown scenario"),
    (["seattle_citywide", "--reps", "1"], "at least 2"),
    ([BASE], "once"),
])
def test_bad_input_fails_cleanly_and_writes_nothing(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    code = main(["compare", BASE, *args, "--population", "500", "--years", "1",
                 "--out", str(out)])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_foreign_folder_is_refused(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("keep me")
    code = main(["compare", BASE, SCN, "--reps", "2", "--out", str(tmp_path)])
    assert code == 2
    assert "holds no lead-sim comparison" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_progress_off_a_terminal_is_plain_lines_with_each_precision_batch(tmp_path, capsys):
    """stderr is not a terminal here (as in a log file): tqdm would print nothing at all."""
    code = main(["compare", BASE, SCN, "--reps", "2", "--precision", "1e-6", "--max-reps", "3",
                 "--population", "500", "--years", "3", "--out", str(tmp_path / "out")])
    assert code == 0
    captured = capsys.readouterr()
    assert f"Still wider than that: {SCN}:arrests;" in captured.out  # what is still loose
    err = captured.err.splitlines()
    assert any(line.startswith("2 replicates: ") for line in err), err
    assert "\r" not in captured.err  # plain lines, never a bar redrawn with carriage returns
    progress = [line for line in err if line.startswith("replicates: ")]
    # progress is printed only for work longer than a few seconds (lead_sim.runs.progress;
    # tests/test_logging.py checks both sides of that rule), and ends at 100% when printed
    assert not progress or progress[-1].startswith("replicates: 6/6 runs (100%)"), err


def test_precision_adds_replicates_up_to_the_cap():
    tiny = dict(seed=0, years=2.0, population=500, overrides=None, workers=1, people=False)
    loose = run_comparison(BASE, [SCN], reps=2, precision=1e-6, max_reps=3, **tiny)
    assert loose.manifest["reps_used"] == 3 and loose.manifest["precision_reached"] is False
    assert loose.reps == 3
    easy = run_comparison(BASE, [SCN], reps=2, precision=1e9, max_reps=6, **tiny)
    assert easy.manifest["reps_used"] == 2 and easy.manifest["precision_reached"] is True


def test_imprecise_lists_wide_intervals():
    table = pd.DataFrame({"scenario": ["b", "s", "s"], "outcome": ["bookings"] * 2 + ["arrests"],
                          "diff_mean": [np.nan, -100.0, -100.0],
                          "diff_low": [np.nan, -110.0, -200.0],
                          "diff_high": [np.nan, -90.0, 0.0]})
    assert analysis.imprecise(table, "b", 0.5, ("bookings", "arrests")) == ["s:arrests"]
    assert analysis.imprecise(table, "b", 2.5, ("bookings", "arrests")) == []


def test_python_api_workers_and_people_give_the_same_numbers():
    opts = dict(reps=2, seed=1, years=2.0, population=500)
    serial = comparison.compare(BASE, [SCN], workers=1, **opts)
    pooled = comparison.compare(BASE, [SCN], workers=2, people=True, **opts)
    cols = list(serial.table.columns[2:])
    pd.testing.assert_frame_equal(
        serial.table[["scenario", "outcome", *cols]],
        pooled.table[pooled.table["outcome"].isin(serial.table["outcome"])]
        .reset_index(drop=True)[["scenario", "outcome", *cols]])
    assert (pooled.summary["people_booking"] <= pooled.summary["bookings"]).all()


def _toml(path, name, extends, body=""):
    path.write_text(f'name = "{name}"\nextends = "{extends}"\ndescription = "test"\n{body}')
    return str(path)


def test_tree_runs_equal_separate_runs(tmp_path):
    """Shared history simulated once and forked gives exactly the numbers of separate runs."""
    from lead_sim.runs.branching import divergence_day, simulate_tree
    from lead_sim.runs.runner import prepare, simulate

    early = _toml(tmp_path / "early.toml", "early", BASE,
                  '[[timeline]]\ndate = 2010-03-01\ncover = ["belltown"]\n'
                  "set = { budget_usd_per_year = 800_000 }\n")
    later = _toml(tmp_path / "later.toml", "later", early,
                  '[[timeline]]\ndate = 2010-07-01\ncover = ["downtown"]\n')
    other = _toml(tmp_path / "other.toml", "other", early, "[params]\nshare_homeless = 0.5\n")
    prepared = [prepare(s, years=1.5, population=600) for s in (BASE, early, later, other)]
    assert divergence_day(prepared[1], prepared[2]) == 181  # 2010-07-01
    assert divergence_day(prepared[0], prepared[3]) == 0  # different start values
    tree = simulate_tree(prepared, 7, keep_events=True)
    for scn in prepared:
        alone = simulate(scn, 7, keep_events=True)
        pd.testing.assert_series_equal(pd.Series(tree[scn.name].summary),
                                       pd.Series(alone.summary), check_exact=True)
        pd.testing.assert_frame_equal(tree[scn.name].timeseries, alone.timeseries,
                                      check_exact=True)
        pd.testing.assert_frame_equal(tree[scn.name].events, alone.events, check_exact=True)


def test_posterior_draws_give_each_replicate_pair_its_own_draw(tmp_path):
    """Replicate r of baseline and scenario both start from posterior draw r (and seed + r)."""
    from lead_sim.runs.runner import prepare, simulate

    cal = tmp_path / "cal.toml"
    cal.write_text("[params]\nhr_lead_engaged = 0.5\n\n[[posterior]]\ndistance = 0.1\n"
                   "hr_lead_engaged = 0.4\ncontact_rate = 0.001\n\n[[posterior]]\n"
                   "distance = 0.2\nhr_lead_engaged = 0.6\ncontact_rate = 0.003\n")
    out = tmp_path / "out"
    tiny = ["--population", "300", "--years", "0.5", "--reps", "2", "--seed", "4"]
    assert main(["compare", BASE, "pilot_2011", *tiny, "--calibrated", str(cal),
                 "--out", str(out)]) == 0  # posterior draws are the default
    manifest = json.loads((out / "manifest.json").read_text())
    assert [d["contact_rate"] for d in manifest["posterior_draws"]] == [0.001, 0.003]
    assert manifest["comparison"]["posterior_draws"] == manifest["posterior_draws"]
    runs = pd.read_csv(out / "runs" / "summary.csv")
    draws = ({"hr_lead_engaged": 0.4, "contact_rate": 0.001},
             {"hr_lead_engaged": 0.6, "contact_rate": 0.003})
    for r, draw in enumerate(draws):
        scn = prepare(BASE, years=0.5, population=300, overrides=draw, calibrated=str(cal))
        alone = simulate(scn, 4 + r).summary
        row = runs[(runs["scenario"] == BASE) & (runs["seed"] == 4 + r)].iloc[0]
        assert row["contacts"] == alone["contacts"] and row["arrests"] == alone["arrests"]
    # the same comparison without draws is a different one: its folder is not overwritten
    assert main(["compare", BASE, "pilot_2011", *tiny, "--calibrated", str(cal),
                 "--seeds-only", "--out", str(out)]) == 2


def test_figures_carry_units_and_put_the_sign_before_the_dollar():
    from lead_sim.reports import figures as plotting

    assert plotting.money_tick(-6e5) == "-$0.6M" and plotting.money_tick(1.5e6) == "$1.5M"
    assert plotting.count_tick(-12000) == "-12,000" and plotting.count_tick(0.5) == "0.5"
    tiny = dict(seed=0, years=0.5, population=300, overrides=None, workers=1, people=False)
    comparison = run_comparison(BASE, ["pilot_2011"], reps=2, precision=None, max_reps=None,
                                **tiny)
    fig = plotting.headline(comparison)
    labels = [ax.get_xlabel() for ax in fig.axes]
    assert labels[0].startswith("arrests") and "jail bed-days" in labels[2]


def test_scenarios_that_simulate_different_dates_are_refused(tmp_path, capsys):
    """A scenario ending in mid-2011 would 'avert' every arrest the baseline makes later."""
    short = tmp_path / "short.toml"
    short.write_text('extends = "pilot_2011"\nend_date = "2011-06-30"\n')
    out = tmp_path / "out"
    assert main(["compare", BASE, str(short), "--reps", "2", "--population", "300",
                 "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "must simulate the same dates" in err and "2011-06-30" in err
    assert main(["run", str(short), "--baseline", BASE, "--population", "300",
                 "--out", str(out)]) == 2
    assert "must simulate the same dates" in capsys.readouterr().err
    assert not out.exists()


def test_a_dated_booking_cost_is_not_counted_as_bed_days(tmp_path):
    """Bookings are priced at the cost of their day, so the bed-day share of jail cost is
    bed-days times the bed-day rate whatever the timeline does to the booking cost."""
    dearer = tmp_path / "dearer.toml"
    dearer.write_text('extends = "system_as_usual"\n[[timeline]]\ndate = "2010-03-01"\n'
                      'set = { booking_cost = 900 }\n')
    comparison = run_comparison(BASE, [str(dearer)], reps=2, seed=0, years=0.5,
                                population=600, overrides=None, workers=1, precision=None,
                                max_reps=None, people=False)
    runs = comparison.summary
    rate = REGISTRY["jail_bed_day_cost"].default
    np.testing.assert_allclose(runs["cost_jail_beds"], runs["jail_bed_days"] * rate, rtol=1e-9)
    assert (runs["cost_booking"] > 0).all()


def test_posterior_draws_with_the_jail_rate_set_on_the_command_line_are_accepted(tmp_path):
    """--set puts the same jail rate into every scenario and every draw: nothing varies."""
    cal = tmp_path / "cal.toml"
    cal.write_text("[params]\nhr_lead_engaged = 0.5\n\n[[posterior]]\ndistance = 0.1\n"
                   "hr_lead_engaged = 0.4\n")
    assert main(["compare", BASE, "pilot_2011", "--population", "300", "--years", "0.5",
                 "--reps", "2", "--calibrated", str(cal),
                 "--set", "jail_bed_day_cost=150", "--out", str(tmp_path / "out")]) == 0


def test_max_reps_without_precision_is_refused(tmp_path, capsys):
    assert main(["compare", BASE, SCN, "--reps", "2", "--max-reps", "5",
                 "--out", str(tmp_path / "out")]) == 2
    assert "--max-reps caps the replicates that --precision adds" in capsys.readouterr().err


def test_compared_scenarios_identical_to_each_other_within_the_run_are_named():
    """Over 2010-2013 king_county adds nothing to seattle_citywide (its changes start in 2019):
    the two would print the same numbers twice without a word."""
    from lead_sim.runs.runner import prepare
    from lead_sim.scenarios.notices import horizon_notices

    names = [BASE, SCN, "king_county"]
    prepared = [prepare(n, years=4) for n in names]
    notices = horizon_notices(names, prepared, 4)
    assert len(notices) == 1
    assert notices[0].startswith("'king_county' first differs from 'seattle_citywide' on 2019")
    assert horizon_notices(names, [prepare(n, years=10) for n in names], 10) == []


def test_years_past_the_scenarios_end_date_are_flagged_as_extrapolation():
    """Built-in scenarios end on 2021-12-31: --years 20 runs to 2029 on their last settings
    (plus the changes system_as_usual already dates after 2021), and says so once for all of
    them; a second notice says the days past the last dated evidence are extrapolated."""
    from lead_sim.runs.runner import prepare
    from lead_sim.scenarios.notices import horizon_notices

    names = [BASE, SCN]
    notices = horizon_notices(names, [prepare(n, years=20) for n in names], 20)
    assert len(notices) == 2
    assert "runs to 2029-12-31, past the end date of 'system_as_usual', 'seattle_citywide' " \
           "(2021-12-31)" in notices[0] and "2023-07-01" in notices[0]
    assert "past the last dated evidence (2025-02-01" in notices[1]
    assert horizon_notices(names, [prepare(n, years=12) for n in names], 12) == []
