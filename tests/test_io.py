"""Writing outputs: all files or none, a clear error before any work, and nothing computed lost."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lead_sim.errors import LeadSimError
from lead_sim.runs import atomic, io


def _writers():
    return {"a.csv": lambda p: p.write_text("x\n1\n"), "sub/b.json": lambda p: p.write_text("{}")}


def test_a_folder_that_cannot_be_created_is_refused_before_any_work():
    if not Path("/proc/self").exists():
        pytest.skip("needs Linux /proc, a folder no one (not even root) can create files in")
    with pytest.raises(LeadSimError, match=r"cannot write in '/proc'.*Nothing was run"):
        io.check_writable("/proc/lead-sim-out/run")


def test_the_probe_leaves_nothing_behind(tmp_path):
    io.check_writable(tmp_path / "new" / "out")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_saves_the_results_elsewhere_and_says_where(tmp_path, monkeypatch):
    """A disk that fills up after hours of runs must not cost the results."""
    real_rename = os.rename
    target = tmp_path / "out"

    def rename(src, dst):
        if Path(dst) == target:
            raise OSError(28, "No space left on device", str(dst))
        return real_rename(src, dst)

    monkeypatch.setattr(atomic.os, "rename", rename)
    with pytest.raises(LeadSimError, match="No space left on device") as err:
        io.write_folder(target, _writers())
    rescue = Path(str(err.value).split("saved to '")[1].split("'")[0])
    try:
        assert rescue.name.startswith("lead-sim-rescue-out-")  # named after --out: findable
        assert (rescue / "a.csv").read_text() == "x\n1\n"
        assert (rescue / "sub" / "b.json").read_text() == "{}"
    finally:
        monkeypatch.undo()
        io.write_folder(target, _writers())  # written at last: the rescue is not needed
    assert not rescue.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging or lock left


def test_a_folder_of_another_command_is_named_even_when_it_records_the_same_key(tmp_path):
    # a validation records a run_key too: a run with that key must not write into it
    (tmp_path / "manifest.json").write_text(
        json.dumps({"kind": "lead-sim validate", "run_key": "abc"}))
    with pytest.raises(LeadSimError, match="holds results of lead-sim validate, not a run"):
        io.check_out_dir(tmp_path, "abc", field="run_key", what="run")
    io.check_out_dir(tmp_path, "abc", field="run_key", what="validation")  # its own: accepted
