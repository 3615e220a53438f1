"""Warnings and information are records of the ``lead_sim`` logger: the command prints them on
stderr at the level -q/-v ask for, and a library user routes or silences them with logging."""

from __future__ import annotations

import io
import logging

import pytest

import lead_sim
from lead_sim.cli import main
from lead_sim.runs.progress import LineProgress, progress_bar, quiet

START_VALUE = ("--set budget_usd_per_year is a start value: scenario 'king_county' changes it "
               "on 2011-10-01")
RUN = ["run", "king_county", "--years", "3", "--population", "500",
       "--set", "budget_usd_per_year=5000000"]


def test_the_library_prints_nothing_by_itself():
    """A NullHandler only: where records go is the application's choice (logging HOWTO,
    'Configuring Logging for a Library')."""
    handlers = logging.getLogger("lead_sim").handlers
    assert [type(h) for h in handlers] == [logging.NullHandler]
    assert lead_sim.__version__


def test_a_warning_is_a_record_a_caller_can_capture(tmp_path, caplog, capsys):
    with caplog.at_level(logging.WARNING, logger="lead_sim"):
        assert main([*RUN, "--out", str(tmp_path / "out")]) == 0
    records = [r for r in caplog.records if START_VALUE in r.getMessage()]
    assert len(records) == 1 and records[0].levelno == logging.WARNING
    assert records[0].name.startswith("lead_sim.")
    assert f"lead-sim run: warning: {START_VALUE}" in capsys.readouterr().err
    logger = logging.getLogger("lead_sim")  # the command leaves the logger as it found it
    assert logger.level == logging.NOTSET and len(logger.handlers) == 1


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_keeps_warnings_and_verbose_adds_debugging_detail(tmp_path, capsys, where):
    def command(flag: str, out: str) -> list[str]:
        args = [*RUN, "--out", str(tmp_path / out)]
        return [flag, *args] if where == "before" else [*args, flag]

    assert main(command("-q", "quiet")) == 0
    err = capsys.readouterr().err
    assert START_VALUE in err and "debug:" not in err
    assert main(command("-v", "verbose")) == 0
    err = capsys.readouterr().err
    assert START_VALUE in err and "lead-sim run: debug: commit " in err


def test_quiet_and_verbose_together_are_refused(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["run", "pilot_2011", "-q", "-v"])
    assert exited.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_progress_follows_the_lead_sim_loggers_level():
    logger = logging.getLogger("lead_sim")
    assert not quiet()  # nothing configured: a library user still sees progress
    logger.setLevel(logging.WARNING)
    try:
        assert quiet()
        assert progress_bar(100, "x", "run", file=io.StringIO()).disable
    finally:
        logger.setLevel(logging.NOTSET)


def test_piped_progress_is_silent_for_short_work_then_every_tenth():
    now = [0.0]
    out = io.StringIO()
    bar = LineProgress(100, "sweep", "run", out, clock=lambda: now[0])
    for _ in range(100):  # 100 runs in 4 s: nothing
        now[0] += 0.04
        bar.update(1)
    assert out.getvalue() == ""
    now[0] = 0.0
    bar = LineProgress(100, "sweep", "run", out, clock=lambda: now[0])
    for _ in range(100):  # 100 runs in 20 s: a line per 10% once 5 s have passed
        now[0] += 0.2
        bar.update(1)
    lines = out.getvalue().splitlines()
    assert [line.split(" (")[1].split(")")[0] for line in lines] == [
        "25%", "30%", "40%", "50%", "60%", "70%", "80%", "90%", "100%"]
