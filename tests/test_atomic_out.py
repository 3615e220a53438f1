"""All-or-nothing --out folders (issue 19): complete or absent, one writer at a time, and what a
killed writer leaves repaired by the next."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lead_sim import cli
from lead_sim.errors import LeadSimError
from lead_sim.runs import atomic, io

ROOT = Path(__file__).resolve().parents[1]


def _writers(version: str, key: str = "k") -> dict:
    return {"a.csv": lambda p: p.write_text(f"a {version}\n"),
            "sub/b.csv": lambda p: p.write_text(f"b {version}\n"),
            "manifest.json": io.json_writer({"kind": "lead-sim run", "run_key": key,
                                             "version": version})}


def _contents(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _old_folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    io.write_folder(out, _writers("old"))
    return out


def _python(code: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get(
        "PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, **kwargs)


def test_a_writer_that_fails_leaves_the_folder_absent_or_as_it_was(tmp_path):
    def broken(path):
        raise ValueError("writer failed")

    new = tmp_path / "new"
    with pytest.raises(ValueError, match="writer failed"):
        io.write_folder(new, {**_writers("new"), "c.csv": broken})
    assert list(tmp_path.iterdir()) == []  # no folder, no staging, no lock

    out = _old_folder(tmp_path)
    before = _contents(out)
    with pytest.raises(ValueError, match="writer failed"):
        io.write_folder(out, {"a.csv": _writers("new")["a.csv"], "c.csv": broken})
    assert _contents(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_the_manifest_is_written_last_and_other_files_are_kept(tmp_path):
    out = _old_folder(tmp_path)
    (out / "evaluations.jsonl").write_text("{}\n")  # e.g. a calibration's finished candidates
    order = []
    writers = {name: (lambda p, w=w: (order.append(p.name), w(p)))
               for name, w in _writers("new").items()}
    io.write_folder(out, dict(reversed(writers.items())))
    assert order[-1] == "manifest.json"
    assert _contents(out) == {"a.csv": "a new\n", "evaluations.jsonl": "{}\n",
                              "manifest.json": json.dumps({"kind": "lead-sim run",
                                                           "run_key": "k", "version": "new"},
                                                          indent=2) + "\n",
                              "sub/b.csv": "b new\n"}


@pytest.mark.parametrize("killed_at", [1, 2])
def test_a_kill_during_the_swap_leaves_the_old_folder_or_the_new_one(tmp_path, killed_at):
    """Killed (os._exit) at the first rename (old folder aside) or the second (new one in):
    --out then holds the old complete folder, or after the next start's repair."""
    out = _old_folder(tmp_path)
    before = _contents(out)
    child = _python(f"""
        import os
        from lead_sim.runs import atomic, io
        real, calls = os.rename, []
        def rename(src, dst):
            calls.append(dst)
            if len(calls) == {killed_at}:
                os._exit(9)
            return real(src, dst)
        atomic.os.rename = rename
        io.write_folder({str(out)!r}, {{"a.csv": lambda p: p.write_text("a new"),
                                       "manifest.json": lambda p: p.write_text("{{}}")}})
        """)
    assert child.wait(timeout=120) == 9
    names = sorted(p.name for p in tmp_path.iterdir())
    assert any(n.startswith(".out.staging-") for n in names)  # left by the kill
    assert (out.exists() and _contents(out) == before) or killed_at == 2
    io.check_out_dir(out, "k", field="run_key", what="run")  # the next start repairs
    assert _contents(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    io.write_folder(out, _writers("new"))
    assert _contents(out)["a.csv"] == "a new\n"


def test_a_swap_that_fails_puts_the_old_folder_back(tmp_path, monkeypatch):
    out = _old_folder(tmp_path)
    before = _contents(out)
    real = os.rename

    def rename(src, dst):
        if Path(src).name.startswith(".out.staging-"):
            raise OSError(5, "Input/output error", str(dst))
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "rename", rename)
    with pytest.raises(LeadSimError, match=r"saved to '.*' instead") as err:
        io.write_folder(out, _writers("new"))
    assert _contents(out) == before
    rescue = Path(str(err.value).split("saved to '")[1].split("'")[0])
    assert _contents(rescue)["a.csv"] == "a new\n"
    monkeypatch.undo()
    io.write_folder(out, _writers("new"))
    assert not rescue.exists()


def test_stale_staging_folders_are_removed_on_the_next_write(tmp_path):
    out = _old_folder(tmp_path)
    stale = [tmp_path / ".out.staging-0123abcd", tmp_path / ".out.k3j_x9q2"]  # older naming
    for folder in stale:
        (folder / "sub").mkdir(parents=True)
        (folder / "sub" / "a.csv").write_text("partial")
        os.utime(folder, (1, 1))
    mine = tmp_path / ".out.notes"  # not a name lead-sim makes: kept
    mine.mkdir()
    io.write_folder(out, _writers("new"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.notes", "out"]


CLI_WRITERS = [["run", "pilot_2011"], ["compare", "system_as_usual", "pilot_2011"],
               ["validate"], ["calibrate", "configs/calibration/none.toml"]]


def test_a_second_process_is_refused_while_the_first_holds_the_folder(tmp_path, capsys):
    out = tmp_path / "out"
    holder = _python(f"""
        import sys
        from lead_sim.runs.atomic import out_lock
        with out_lock({str(out)!r}):
            print("locked", flush=True)
            sys.stdin.readline()
        """)
    try:
        assert holder.stdout.readline().strip() == "locked"
        for argv in CLI_WRITERS:
            assert cli.main([*argv, "--out", str(out)]) == 2
            err = capsys.readouterr().err
            assert (f"Another lead-sim process is writing to --out '{out}' (pid {holder.pid}); "
                    "wait for it or choose another folder") in err, err
            assert "Traceback" not in err
        with pytest.raises(LeadSimError, match="Another lead-sim process"):
            io.write_folder(out, _writers("new"))  # the library refuses too
        assert not out.exists()
    finally:
        holder.communicate("\n", timeout=60)
    assert holder.returncode == 0
    assert list(tmp_path.iterdir()) == []  # the lock file goes with the lock
    io.write_folder(out, _writers("new"))  # free again


def test_the_lock_is_reentrant_and_leaves_no_folders_it_made(tmp_path):
    out = tmp_path / "a" / "b" / "out"
    with atomic.out_lock(out):
        assert atomic.lock_path(out).read_text() == f"{os.getpid()}\n"
        with atomic.out_lock(tmp_path / "a" / "b" / "." / "out"):
            io.write_folder(out, _writers("new"))
        assert (out / "a.csv").exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]
    with atomic.out_lock(tmp_path / "x" / "y"):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]
