"""Limits: --workers above the CPUs, and requests beyond the machine's memory or a day of CPU
time, are refused before anything runs (exit 2, the figures, nothing written) unless --force."""

from __future__ import annotations

import pytest

from lead_sim.cli import main
from lead_sim.errors import LeadSimError
from lead_sim.runs import limits


def test_workers_above_the_cpu_count_are_refused_unless_forced(monkeypatch):
    monkeypatch.setattr(limits, "cpu_count", lambda: 2)
    limits.check_workers(2)
    with pytest.raises(LeadSimError, match="--workers 3 is more than the 2 CPU"):
        limits.check_workers(3)
    limits.check_workers(3, force=True)


def test_the_cpu_count_is_the_affinity_count():
    import os

    assert limits.cpu_count() == len(os.sched_getaffinity(0))


def test_available_memory_is_read_and_positive():
    free = limits.available_memory()
    assert free is not None and free > 0


def test_the_estimate_grows_with_replicates_people_and_years():
    one = limits.estimate(1, 365, 1000, series_replicate_years=1)
    assert limits.estimate(2, 365, 1000, series_replicate_years=2).cpu_seconds == pytest.approx(
        2 * one.cpu_seconds)
    assert limits.estimate(1, 730, 1000).cpu_seconds > one.cpu_seconds
    assert limits.estimate(1, 365, 10_000).memory_bytes > one.memory_bytes
    # 100,000 replicates of ten years keep ~0.33 MB of series per replicate-year: hundreds of GB
    many = limits.estimate(100_000, 3653, 1000, series_replicate_years=100_000 * 10)
    assert many.memory_bytes > 300 * 1024**3


def test_a_request_beyond_the_machine_is_refused_with_its_figures(monkeypatch):
    monkeypatch.setattr(limits, "available_memory", lambda: 4 * 1024**3)
    big = limits.Estimate(simulations=10, cpu_seconds=100.0, memory_bytes=8 * 1024**3,
                          workers=1)
    with pytest.raises(LeadSimError) as refused:
        limits.check_estimate(big, verb="lead-sim run")
    assert "8.0 GB of memory, more than the 4.0 GB" in str(refused.value)
    assert "--force" in str(refused.value)
    limits.check_estimate(big, force=True)
    slow = limits.Estimate(simulations=10, cpu_seconds=3 * 86400.0, memory_bytes=1, workers=1)
    with pytest.raises(LeadSimError, match=r"3\.0 days of CPU time, more than 24\.0 hours"):
        limits.check_estimate(slow)


@pytest.mark.parametrize("argv, message", [
    (["run", "pilot_2011", "--reps", "100000"], "of memory, more than the"),
    (["run", "pilot_2011", "--workers", "500"], "--workers 500 is more than the"),
    (["compare", "system_as_usual", "pilot_2011", "--reps", "100000"], "of CPU time"),
    (["validate", "--reps", "300000"], "of CPU time"),
    (["validate", "--workers", "500"], "--workers 500 is more than the"),
    (["optimize", "budget_mix", "--workers", "500"], "--workers 500 is more than the"),
    (["optimize", "budget_mix", "--generations", "500", "--pop-size", "200"], "of CPU time"),
])
def test_the_cli_refuses_before_anything_runs(tmp_path, capsys, argv, message):
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and "--force" in err and "Traceback" not in err
    assert not out.exists()


def test_forced_workers_above_the_cpus_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(limits, "cpu_count", lambda: 1)
    argv = ["run", "pilot_2011", "--reps", "2", "--years", "0.2", "--population", "500",
            "--workers", "2", "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    assert "--workers 2 is more than the 1 CPU" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0
    assert (tmp_path / "out" / "summary.csv").exists()


def test_a_long_request_is_announced_before_it_starts(caplog):
    import argparse

    from lead_sim.commands.common import check_cost

    args = argparse.Namespace(workers=1, force=False)
    with caplog.at_level("DEBUG"):
        quick = check_cost(args, "run", 2, 365, 1000)
    assert "estimated" in caplog.text and "needs" not in caplog.text
    caplog.clear()
    with caplog.at_level("INFO"):
        long = check_cost(args, "run", 2000, 3650, 100_000)  # ~2.5 hours on one worker
    assert 3600 < long.wall_seconds < 86400 and quick.wall_seconds < 60
    assert "this request needs" in caplog.text and "hours of CPU time" in caplog.text
