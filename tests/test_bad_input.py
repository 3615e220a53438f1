"""Every bad input a clear message: exit status 2, one paragraph naming the file or argument,
no traceback, nothing written to --out (issue 19)."""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lead_sim import cli
from lead_sim.errors import LeadSimError

ROOT = Path(__file__).resolve().parents[1]
BUILTIN = ROOT / "lead_sim" / "scenarios" / "builtin"
SHIPPED = ROOT / "lead_sim" / "data" / "calibrated.toml"
SWEEP = ROOT / "lead_sim" / "data" / "sweeps" / "morris_screen.toml"


def refused(capsys, out: Path | None, *argv: str) -> str:
    """Run the CLI in-process; check it exits 2 with one message, no traceback, no --out."""
    code = cli.main(list(argv))
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and err.startswith("lead-sim ") and ": error: " in err
    assert err.strip().count("\n") == 0, err  # one paragraph
    if out is not None:
        assert not out.exists()
    return err


def scenario(tmp_path: Path, text: str | bytes, name: str = "s.toml") -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


@pytest.mark.parametrize("assignment", ["caseload_cap=inf", "caseload_cap=nan",
                                        "population=-inf"])
def test_set_refuses_nan_and_inf_for_a_number(capsys, tmp_path, assignment):
    out = tmp_path / "x"
    err = refused(capsys, out, "run", "pilot_2011", "--set", assignment, "--out", str(out))
    assert "finite number" in err and assignment.split("=")[0] in err


@pytest.mark.parametrize("text", [
    'extends = "pilot_2011"\n[params]\npopulation = nan\n',
    'extends = "pilot_2011"\n[[timeline]]\ndate = 2013-01-01\nset = { caseload_cap = inf }\n',
])
def test_scenario_files_refuse_nan_and_inf(capsys, tmp_path, text):
    out = tmp_path / "x"
    err = refused(capsys, out, "run", scenario(tmp_path, text), "--out", str(out))
    assert "finite number" in err and "s.toml" in err


@pytest.mark.parametrize("years", ["inf", "8000", "61"])
def test_years_has_a_cap(capsys, tmp_path, years):
    out = tmp_path / "x"
    err = refused(capsys, out, "run", "pilot_2011", "--years", years, "--out", str(out))
    assert "--years" in err and "at most 60" in err


@pytest.mark.parametrize("date", ["9999-01-01", "1900-01-01"])
def test_scenario_dates_have_a_range(capsys, tmp_path, date):
    out = tmp_path / "x"
    path = scenario(tmp_path, f'name = "far"\nstart_date = {date}\nend_date = 9999-12-01\n')
    err = refused(capsys, out, "run", path, "--years", "2", "--out", str(out))
    assert "start_date" in err and "1990-01-01 to 2100-12-31" in err


def test_a_scenario_object_far_in_the_future_is_refused():
    import dataclasses
    import datetime as dt

    from lead_sim.scenarios import load_scenario
    scn = dataclasses.replace(load_scenario("pilot_2011"), start_date=dt.date(9999, 1, 1))
    with pytest.raises(LeadSimError, match="runs past"):
        scn.with_horizon(2)


def test_non_utf8_files_are_refused(capsys, tmp_path):
    out = tmp_path / "x"
    bad = b'extends = "pilot_2011"\nname = "caf\xe9"\n'
    err = refused(capsys, out, "run", scenario(tmp_path, bad), "--out", str(out))
    assert "not UTF-8" in err and "0xe9" in err and "s.toml" in err
    err = refused(capsys, out, "run", "pilot_2011", "--calibrated",
                  scenario(tmp_path, bad, "c.toml"), "--out", str(out))
    assert "not UTF-8" in err and "c.toml" in err
    err = refused(capsys, out, "sweep", scenario(tmp_path, bad, "w.toml"), "--out", str(out))
    assert "not UTF-8" in err and "w.toml" in err


def test_toml_nested_thousands_deep_is_refused(capsys, tmp_path):
    out = tmp_path / "x"
    deep = "a = " + "[" * 5000 + "]" * 5000 + "\n"
    err = refused(capsys, out, "run", scenario(tmp_path, deep), "--out", str(out))
    assert "too deeply" in err and "s.toml" in err


def test_cover_takes_strings_only(capsys, tmp_path):
    out = tmp_path / "x"
    text = 'extends = "pilot_2011"\n[[timeline]]\ndate = 2013-01-01\ncover = [["west"]]\n'
    err = refused(capsys, out, "run", scenario(tmp_path, text), "--out", str(out))
    assert "'cover'" in err and "strings" in err


@pytest.mark.parametrize("parent, words", [('""', "must name a parent scenario"),
                                           ('"."', "is a folder")])
def test_extends_empty_or_a_folder_says_what_is_wrong(capsys, tmp_path, parent, words):
    out = tmp_path / "x"
    err = refused(capsys, out, "run", scenario(tmp_path, f"extends = {parent}\n"),
                  "--out", str(out))
    assert words in err and "does not exist" not in err


def test_a_folder_given_as_a_scenario(capsys, tmp_path):
    out = tmp_path / "x"
    err = refused(capsys, out, "run", str(tmp_path), "--out", str(out))
    assert "is a folder" in err


@pytest.mark.parametrize("verb, given, kind, other", [
    (["run", "pilot_2011", "--calibrated"], BUILTIN / "pilot_2011.toml",
     "not a calibrated parameter file", "is a scenario file"),
    (["sweep"], SHIPPED, "not a sweep spec", "is a calibrated parameter file"),
    (["run"], SWEEP, "not a scenario file", "is a sweep spec"),
    (["calibrate"], SWEEP, "not a calibration config", "is a sweep spec"),
])
def test_each_loader_names_a_file_of_another_kind(capsys, tmp_path, verb, given, kind, other):
    out = tmp_path / "x"
    err = refused(capsys, out, *verb, str(given), "--out", str(out))
    assert kind in err and other in err


@pytest.mark.parametrize("length", [300, 250])
def test_an_out_name_too_long_is_refused_before_running(capsys, tmp_path, length):
    """300 bytes is beyond any name; 250 fits, but its staging folder beside it would not (the
    run used to finish first and then fail on that name)."""
    out = tmp_path / ("y" * length)
    err = refused(capsys, None, "run", "pilot_2011", "--out", str(out))
    assert "too long" in err and "255" in err and "233" in err and not any(tmp_path.iterdir())


def test_an_out_name_that_fits_with_its_staging_folder_is_written(tmp_path):
    from lead_sim.runs.io import check_out_name, write_folder

    out = tmp_path / ("y" * 233)  # the longest allowed: staging and lock names still fit
    check_out_name(out)
    write_folder(out, {"a.txt": lambda p: p.write_text("x")})
    assert (out / "a.txt").read_text() == "x"


def test_a_damaged_sweep_record_is_a_clean_message(capsys, tmp_path):
    out = tmp_path / "sweep"
    out.mkdir()
    (out / "sweep.json").write_text("{not json")
    code = cli.main(["sweep", str(SWEEP), "--samples", "4", "--population", "200",
                     "--years", "0.1", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "sweep.json" in err and "cannot be read" in err
    assert sorted(p.name for p in out.iterdir()) == ["sweep.json"]


def test_a_full_disk_on_stdout_is_a_clean_message():
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "lead_sim.cli", "params"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "No space left on device" in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0


def _args(exc: BaseException, debug: bool = False) -> argparse.Namespace:
    def handler(args):
        raise exc
    return argparse.Namespace(verb="run", handler=handler, debug=debug)


@pytest.mark.parametrize("exc", [
    OSError(13, "Permission denied", "/some/file"), UnicodeDecodeError("utf-8", b"\xff", 0, 1,
                                                                        "invalid start byte"),
    RecursionError("maximum recursion depth exceeded"), OverflowError("date value out of range"),
    json.JSONDecodeError("Expecting value", "{", 1),
])
def test_expected_failures_are_one_paragraph_without_traceback(capsys, exc):
    assert cli._handle(_args(exc)) == 2
    err = capsys.readouterr().err
    assert err.startswith("lead-sim run: error: ") and "Traceback" not in err
    assert "--debug" in err
    if isinstance(exc, OSError):
        assert "/some/file" in err and "Permission denied" in err


def test_parquet_errors_are_expected_failures():
    pa = pytest.importorskip("pyarrow")
    assert cli.expected_failure(pa.lib.ArrowInvalid("bad parquet"))


def test_a_bug_keeps_its_traceback():
    with pytest.raises(ZeroDivisionError):
        cli._handle(_args(ZeroDivisionError("a bug")))


def test_debug_shows_the_traceback_always(capsys):
    assert cli._handle(_args(LeadSimError("bad value"), debug=True)) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "lead-sim run: error: bad value" in err
    assert cli.build_parser().parse_args(["--debug", "params"]).debug
