"""The Mesa face of LeadModel and the Python API around it: building a model from a name with
keyword parameters, drawn seeds, Mesa's clock, the built-in DataCollector, mesa.batch_run,
daily series, result reprs and the version."""

from __future__ import annotations

import datetime as dt
import multiprocessing

import mesa
import numpy as np
import pandas as pd
import pytest

import lead_sim
from lead_sim import LeadModel, LeadSimError, load_scenario, prepare, run
from lead_sim.agents.case_manager import CaseManager
from lead_sim.agents.collector import OFFICER_REPORTERS
from lead_sim.agents.officer import Officer
from lead_sim.cli import main
from lead_sim.engine.recorder import COLUMNS
from lead_sim.runs.comparison import Comparison
from lead_sim.seeds import MAX_SEED, draw_seed

SMALL = dict(population=300, years=1)


def test_a_model_from_a_name_with_keyword_parameters_matches_a_prepared_one():
    by_name = LeadModel("pilot_2011", seed=3, caseload_cap=25, **SMALL).run()
    scenario = prepare("pilot_2011", overrides={"caseload_cap": 25}, **SMALL)
    by_scenario = LeadModel(scenario, 3).run()
    assert by_name.lead_scenario == scenario and by_name.p["caseload_cap"] == 25
    assert by_name.lead_scenario.calibrated == "shipped"
    pd.testing.assert_frame_equal(by_name.record.frame(), by_scenario.record.frame())


def test_a_scenario_not_prepared_starts_from_the_calibration_asked_for():
    raw = load_scenario("pilot_2011")
    assert LeadModel(raw, 0, **SMALL).lead_scenario.calibrated == "shipped"
    none = LeadModel(raw, 0, calibrated=None, **SMALL)
    assert none.lead_scenario == prepare(raw, calibrated=None, **SMALL)
    prepared = prepare("pilot_2011", **SMALL)
    assert LeadModel(prepared, seed=1).lead_scenario is prepared  # used as it is


def test_an_unknown_keyword_parameter_is_refused_with_close_names():
    with pytest.raises(LeadSimError, match=r"Unknown parameter 'caseload_cp'.*caseload_cap"):
        LeadModel("pilot_2011", seed=1, caseload_cp=25)
    with pytest.raises(LeadSimError, match="caseload_cap"):
        LeadModel("pilot_2011", seed=1, caseload_cap=-3)
    with pytest.raises(LeadSimError, match="seed must be from 0"):
        LeadModel("pilot_2011", seed=-1, **SMALL)


def test_a_seed_left_out_is_drawn_recorded_and_reproduces_the_run():
    assert all(0 <= draw_seed() <= MAX_SEED for _ in range(20))
    assert draw_seed(np.random.SeedSequence(7)) == draw_seed(7)
    drawn = LeadModel("system_as_usual", **SMALL)
    assert isinstance(drawn.seed, int) and 0 <= drawn.seed <= MAX_SEED
    again = LeadModel("system_as_usual", seed=drawn.seed, **SMALL)
    for model in (drawn, again):
        model.simulate_until(60)
    pd.testing.assert_frame_equal(drawn.record.frame(60), again.record.frame(60))
    assert LeadModel("system_as_usual", rng=11, **SMALL).seed == 11  # Mesa's name for it


def test_mesa_steps_and_time_count_the_days_simulated():
    model = LeadModel("pilot_2011", seed=2, **SMALL)
    assert (model.steps, model.time) == (0, 0)
    for _ in range(3):
        model.step()
    assert (model.steps, model.time, model.day) == (3, 3, 3)
    model.simulate_until(40)  # many days in one compiled call
    assert (model.steps, model.time, model.day) == (40, 40, 40)
    model.step()
    assert (model.steps, model.time, model.day) == (41, 41, 41)
    model.run()
    assert model.steps == model.time == model.day == model.days and not model.running


def test_the_datacollector_reads_the_record_of_each_stepped_day():
    model = LeadModel("pilot_2011", seed=5, population=300, years=2)
    model.simulate_until(650)  # after LEAD's launch (2011-10-01): case managers at work
    for _ in range(5):
        model.step()
    collected = model.datacollector.get_model_vars_dataframe()
    assert len(collected) == 5 and set(COLUMNS) <= set(collected.columns)
    record = model.record.frame(model.day).iloc[650:].reset_index(drop=True)
    pd.testing.assert_frame_equal(collected[list(COLUMNS)].reset_index(drop=True), record,
                                  check_dtype=False)
    assert list(collected["date"]) == [dt.date(2011, 10, 13) + dt.timedelta(days=d)
                                       for d in range(5)]
    assert (collected["seed"] == 5).all()
    officers = model.datacollector.get_agenttype_vars_dataframe(Officer)
    assert set(OFFICER_REPORTERS) <= set(officers.columns)
    assert len(officers) == 5 * len(model.force.officers)
    staff = model.datacollector.get_agenttype_vars_dataframe(CaseManager)
    assert len(staff) > 0 and {"fte", "retiring", "caseload"} <= set(staff.columns)
    last = staff.xs(model.time, level="Step")
    assert last["caseload"].sum() == (model.population.case_manager >= 0).sum()


def test_run_collects_once_and_the_fast_path_not_at_all():
    model = LeadModel("system_as_usual", seed=1, **SMALL)
    model.simulate_until(model.days)
    assert model.datacollector.get_model_vars_dataframe().empty
    model.run()
    assert len(model.datacollector.get_model_vars_dataframe()) == 1


def test_batch_run_returns_mesa_rows():
    method = multiprocessing.get_start_method(allow_none=True)
    try:
        rows = mesa.batch_run(LeadModel, parameters={
            "scenario": ["system_as_usual", "pilot_2011"], "caseload_cap": [20, 25],
            "population": 300}, rng=[None], max_steps=4, number_processes=1,
            display_progress=False)
    finally:
        multiprocessing.set_start_method(method, force=True)
    frame = pd.DataFrame(rows)
    assert {"RunId", "iteration", "Step", "scenario", "caseload_cap", "seed", "AgentID",
            "jail_population", "cost_total", "area"} <= set(frame.columns)
    assert sorted(frame["RunId"].unique()) == [0, 1, 2, 3]
    assert (frame["Step"] == 4).all()
    seeds = frame.groupby("RunId")["seed"].agg(["min", "max"])
    assert (seeds["min"] == seeds["max"]).all() and seeds["min"].notna().all()


def test_a_daily_series_is_indexed_by_date():
    model = LeadModel("pilot_2011", seed=1, **SMALL)
    model.simulate_until(30)
    jail = model.series("jail_population")
    assert isinstance(jail.index, pd.DatetimeIndex) and len(jail) == 30
    assert jail.index[0] == pd.Timestamp("2010-01-01") and jail.name == "jail_population"
    assert (jail.to_numpy() == model.record.frame(30)["jail_population"].to_numpy()).all()
    with pytest.raises(LeadSimError, match="jail_population"):
        model.series("jail_populaton")


@pytest.fixture(scope="module")
def results():
    return run(["system_as_usual", "pilot_2011"], seed=1, reps=2, population=300, years=0.5)


def test_timeseries_dates_are_datetimes_and_csv_shows_days(results, tmp_path):
    assert pd.api.types.is_datetime64_any_dtype(results.timeseries["date"])
    results.write(tmp_path / "out")
    first = (tmp_path / "out" / "timeseries.csv").read_text().splitlines()[1]
    assert ",2010-01-01," in first


def test_results_and_comparisons_show_a_short_summary(results):
    text = repr(results)
    assert text == "Results(scenarios=['system_as_usual', 'pilot_2011'], replicates=4, days=183)"
    page = results._repr_html_()
    assert "pilot_2011" in page and "cost_total" in page and len(page) < 5_000
    comparison = Comparison("system_as_usual", ["pilot_2011"], results.summary,
                            results.timeseries, pd.DataFrame({"outcome": ["x"]}),
                            pd.DataFrame(), {})
    assert repr(comparison) == ("Comparison(baseline='system_as_usual', "
                                "scenarios=['pilot_2011'], reps=2, days=183, outcomes=1)")
    assert "baseline system_as_usual" in comparison._repr_html_()


def test_the_version_is_known(capsys):
    assert lead_sim.__version__ and lead_sim.__version__[0].isdigit()
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"lead-sim {lead_sim.__version__}"
