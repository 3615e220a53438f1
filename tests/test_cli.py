"""The command line end to end, on a small population."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from lead_sim.calibration import model_fingerprint
from lead_sim.params import PAYERS

SMALL = ["--population", "1500", "--years", "2.5"]
ROOT = Path(__file__).resolve().parents[1]


def lead_sim(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lead_sim.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_run_writes_consistent_tables_and_manifest(tmp_path):
    out = tmp_path / "out"
    done = lead_sim("run", "pilot_2011", "--baseline", "system_as_usual", "--reps", "2",
                    "--seed", "5", *SMALL, "--set", "caseload_cap=30", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "jail_bed_days" in done.stdout and "pilot_2011 - system_as_usual" in done.stdout
    summary = pd.read_csv(out / "summary.csv")
    ts = pd.read_csv(out / "timeseries.csv")
    assert len(summary) == 4 and set(summary["seed"]) == {5, 6}
    for col in ("person_days", "arrests", "bookings", "arrest_diversions",
                "social_contact_referrals", "lead_enrollments", "jail_bed_days",
                "prison_bed_days", "felony_charges", "rearrest_12m", "cost_total"):
        assert col in summary.columns
    payer_sum = summary[[f"cost_{p}" for p in PAYERS]].sum(axis=1)
    assert (payer_sum - summary["cost_total"]).abs().max() < 1e-6 * summary["cost_total"].max()
    for col in ("scenario", "seed", "day", "date", "jail_population", "prison_population",
                "lead_active", "lead_waitlist", "arrests", "bookings", "cost_total"):
        assert col in ts.columns
    bed_days = ts.groupby(["scenario", "seed"])["jail_population"].sum()
    by_run = summary.set_index(["scenario", "seed"])["jail_bed_days"]
    assert (by_run.sort_index() == bed_days.sort_index()).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seeds"] == [5, 6]
    assert manifest["params"]["pilot_2011"]["caseload_cap"] == 30
    assert {"mesa", "numpy", "python", "lead_sim"} <= set(manifest["versions"])
    assert manifest["git_commit"] and "run" in manifest["command"]
    assert (manifest["years"], manifest["population"], manifest["calibrated"]) == (2.5, 1500,
                                                                                "shipped")
    assert manifest["model_fingerprint"] == model_fingerprint()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_run_shows_progress_off_a_terminal_as_lines_and_points_to_compare(tmp_path, workers):
    """stderr is a pipe here, as in an IDE console or `2>&1 | tee`: progress comes as plain
    lines, if at all (a run done within a few seconds prints none; tests/test_logging.py checks
    when lines come, with a clock of its own)."""
    done = lead_sim("run", "pilot_2011", "--baseline", "system_as_usual", "--reps", "2",
                    "--population", "500", "--years", "0.3", "--workers", workers,
                    "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("simulating: ")]
    assert "\r" not in done.stderr
    assert not lines or lines[-1].startswith("simulating: 440/440 days (100%)"), done.stderr
    assert ("'lead-sim compare system_as_usual pilot_2011 --out outputs/compare' gives 95% "
            "intervals" in done.stdout)


@pytest.mark.parametrize("args, message", [
    (["run", "king_conty"], "Did you mean: king_county"),
    (["run", "pilot_2011", "--set", "caseload_cpa=3"], "Did you mean: caseload_cap"),
    (["run", "pilot_2011", "--set", "caseload_cap=900"], "allowed 5 to 200 participants"),
    (["run", "pilot_2011", "--set", "contact_rate=fast"], "not a number"),
    (["run", "pilot_2011", "--population", "0"], "must be at least 1"),
    (["run", "pilot_2011", "--years", "-1"], "must be positive"),
    (["run", "pilot_2011", "--years", "0.001"], "the minimum is 1 day"),
    (["run", "pilot_2011", "--workers", "0"], "argument --workers: must be at least 1"),
    (["run", "pilot_2011", "--seed", "-1"], "argument --seed: The seed must be from 0 to"),
    (["compare", "system_as_usual", "pilot_2011", "--seed", "-1"], "seed must be from 0 to"),
    (["validate", "--seed", "-1"], "argument --seed: The seed must be from 0 to"),
    (["run", "pilot_2011", "--seed", "4294967295", "--reps", "2", "--population", "100"],
     "lower the seed or the number"),
    (["run", "missing.toml"], "does not exist"),
])
def test_bad_input_exits_2_with_a_message_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "out"
    done = lead_sim(*args, "--out", str(out), cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("args, first", [
    (["run", "pilot_2011", "--reps", "0"], "lead-sim run: error: argument --reps: must be at"),
    (["run", "pilot_2011", "--years", "-2"], "lead-sim run: error: argument --years: must be"),
    (["compare", "a", "b", "--workers", "0"], "lead-sim compare: error: argument --workers"),
    (["sweep", "spec.toml", "--workers", "0"], "lead-sim sweep: error: argument --workers"),
    (["run"], "lead-sim run: error: the following arguments are required"),
    (["bogus"], "lead-sim: error: argument COMMAND: invalid choice: 'bogus'"),
])
def test_argument_errors_are_one_line_without_the_usage_block(capsys, args, first):
    from lead_sim.cli import main

    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(first) and err.count("\n") == 1, err


def test_help_still_shows_the_usage(capsys):
    from lead_sim.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["run", "--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("usage: lead-sim run [-h]")


@pytest.mark.parametrize("verb", [["run", "pilot_2011"],
                                  ["sweep", "morris_screen"]])
def test_out_under_a_file_is_refused_before_any_run(tmp_path, verb):
    blocker = tmp_path / "results.txt"
    blocker.write_text("keep me")
    done = lead_sim(*verb, "--out", str(blocker / "sub"), cwd=ROOT)
    assert done.returncode == 2 and "is a file, not a folder" in done.stderr
    assert "Traceback" not in done.stderr and blocker.read_text() == "keep me"


def test_run_refuses_a_folder_holding_other_files_or_another_run(tmp_path):
    tiny = ["pilot_2011", "--population", "500", "--years", "1"]
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    done = lead_sim("run", *tiny, "--out", str(foreign))
    assert done.returncode == 2 and "holds no lead-sim run" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]

    out = tmp_path / "out"
    assert lead_sim("run", *tiny, "--out", str(out)).returncode == 0
    before = (out / "summary.csv").read_bytes()
    again = lead_sim("run", *tiny, "--out", str(out))  # the same run may rewrite its folder
    assert again.returncode == 0, again.stderr
    other = lead_sim("run", *tiny, "--seed", "7", "--out", str(out))
    assert other.returncode == 2 and "holds a different run (differs in: seeds)" in other.stderr
    assert "Traceback" not in other.stderr
    longer = lead_sim("run", *tiny[:-1], "2", "--reps", "2", "--out", str(out))
    assert "(differs in: reps, scenarios, seeds, years)" in longer.stderr
    assert (out / "summary.csv").read_bytes() == before
    # a folder holding another command's results says which
    (out / "manifest.json").write_text('{"kind": "lead-sim compare", "comparison": {}}')
    done = lead_sim("run", *tiny, "--out", str(out))
    assert "holds results of lead-sim compare, not a run" in done.stderr


def test_malformed_toml_says_where(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nstart_date = 2010-01-01\nend_date = 2012-01-01\n[params\n')
    done = lead_sim("run", str(bad), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "bad.toml" in done.stderr and "line 4" in done.stderr
    assert not (tmp_path / "out").exists()


def test_params_lists_every_parameter_with_source():
    done = lead_sim("params", "--csv")
    table = pd.read_csv(pd.io.common.StringIO(done.stdout))
    from lead_sim.params import REGISTRY

    assert set(table["name"]) == set(REGISTRY)
    assert table["source"].notna().all()


def test_output_into_a_closed_pipe_ends_quietly():
    """`lead-sim params | head`: the reader has gone; no BrokenPipe traceback."""
    read, write = os.pipe()
    os.close(read)  # every write fails with EPIPE, as after `head` has exited
    try:
        done = subprocess.run([sys.executable, "-m", "lead_sim.cli", "params"], stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write)
    assert done.returncode == 1
    assert done.stderr == ""


def test_bench_refuses_a_negative_seed():
    done = lead_sim("bench", "--seed", "-1", "--population", "100", "--years", "0.1")
    assert done.returncode == 2 and "argument --seed" in done.stderr
    assert "Traceback" not in done.stderr


def test_bench_prints_one_json_line():
    done = lead_sim("bench", "--scenario", "pilot_2011", "--population", "1000", "--years", "1",
                    "--json")
    result = json.loads(done.stdout)
    assert result["person_days"] == 1000 * 365
    assert result["person_days_per_s"] > 0 and result["peak_rss_mb"] > 0


def test_every_option_of_every_verb_has_help():
    import argparse

    from lead_sim.cli import build_parser

    verbs = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = [f"{verb} {action.option_strings or action.dest}"
               for verb, sub in verbs.choices.items() for action in sub._actions
               if not action.help]
    assert not missing


def test_run_warns_when_the_timeline_replaces_a_set_value_or_nothing_differs(tmp_path):
    done = lead_sim("run", "king_county", "--baseline", "system_as_usual", "--years", "1",
                    "--population", "500", "--set", "budget_usd_per_year=5000000",
                    "--out", str(tmp_path / "short"))
    assert done.returncode == 0
    assert "first differs from 'system_as_usual' on 2011-10-01, after the run ends" in done.stderr
    assert "is a start value" not in done.stderr  # no dated budget within one year
    done = lead_sim("run", "king_county", "--years", "3", "--population", "500",
                    "--set", "budget_usd_per_year=5000000", "--out", str(tmp_path / "long"))
    assert done.returncode == 0
    assert ("warning: --set budget_usd_per_year is a start value: scenario 'king_county' "
            "changes it on 2011-10-01") in done.stderr


@pytest.mark.parametrize("args, message", [
    (["--set", "caseload_cap=30", "--set", "caseload_cap=40"],
     "--set caseload_cap is given twice (30 and 40)"),
    (["--set", "population=100", "--population", "300"], "population is given twice"),
    (["--baseline", "pilot_2011"], "'pilot_2011' is given twice"),
])
def test_conflicting_run_inputs_are_refused(tmp_path, args, message):
    done = lead_sim("run", "pilot_2011", *args, "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not (tmp_path / "out").exists()


def test_a_file_reusing_a_builtin_name_is_named_in_the_error(tmp_path):
    kc = tmp_path / "kc.toml"
    kc.write_text('name = "king_county"\nextends = "king_county"\n')
    done = lead_sim("compare", "system_as_usual", "king_county", str(kc), "--out",
                    str(tmp_path / "out"))
    assert done.returncode == 2, done.stderr
    assert f"'king_county' and '{kc}' are both named 'king_county'" in done.stderr


def test_an_interrupt_python_drops_is_raised_again():
    """A KeyboardInterrupt raised where Python drops exceptions (here a ``__del__``; in a
    sweep, Dask's garbage-collection callback) must still stop the command."""
    from lead_sim.cli import StopSignals

    saved = {sig: signal.getsignal(sig) for sig in StopSignals.SIGNALS}
    stop = StopSignals()

    class Dropper:
        def __del__(self):
            stop._stop(signal.SIGINT, None)  # as if Ctrl-C arrived while this ran

    try:
        with pytest.raises(KeyboardInterrupt), stop:
            Dropper()  # collected at once: its KeyboardInterrupt is printed and dropped
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # the command's work going on
                time.sleep(0.01)
        assert stop.retries == 1 and sys.unraisablehook is not stop._lost
    finally:
        for sig, handler in saved.items():  # a stopped command leaves them ignored
            signal.signal(sig, handler)
