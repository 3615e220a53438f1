import pandas as pd
import pytest

from lead_sim import LeadSimError, prepare, run, simulate


def test_worker_processes_give_the_same_numbers_as_one_process():
    opts = dict(population=1_000, years=2, reps=2, seed=9)
    serial = run(["pilot_2011", "system_as_usual"], workers=1, **opts)
    pooled = run(["pilot_2011", "system_as_usual"], workers=2, **opts)
    pd.testing.assert_frame_equal(serial.summary, pooled.summary)
    pd.testing.assert_frame_equal(serial.timeseries, pooled.timeseries)


def test_results_write_all_files_atomically(tmp_path):
    results = run("pilot_2011", population=500, years=1)
    out = results.write(tmp_path / "a" / "b")
    assert sorted(p.name for p in out.iterdir()) == ["equity.csv", "manifest.json",
                                                     "summary.csv", "timeseries.csv"]
    assert not [p for p in (tmp_path / "a").iterdir() if p.name.startswith(".")]  # no staging


def test_a_bad_seed_is_refused_before_any_replicate_runs():
    with pytest.raises(LeadSimError, match="from 0 to"):
        run("pilot_2011", seed=-1, population=100, years=0.1)
    with pytest.raises(LeadSimError, match="lower the seed or the number"):
        run("pilot_2011", seed=2**32 - 1, reps=2, population=100, years=0.1)
    with pytest.raises(LeadSimError, match="from 0 to"):
        simulate(prepare("pilot_2011", population=100, years=0.1), -1)


def test_a_horizon_shorter_than_a_day_is_refused():
    with pytest.raises(LeadSimError, match="the minimum is 1 day"):
        prepare("pilot_2011", years=0.001)
    assert prepare("pilot_2011", years=1 / 365.25).days == 1


def test_the_python_api_refuses_one_scenario_twice_as_the_cli_does():
    # results are labelled by scenario name: two runs of one name would be mixed in one row
    with pytest.raises(LeadSimError, match="'pilot_2011' is given twice"):
        run(["pilot_2011", "pilot_2011"], population=300, years=0.1)
