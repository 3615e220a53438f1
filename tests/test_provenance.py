"""Provenance: the commit recorded is lead_sim's own, never that of a repository an installed copy
sits in; outputs name files relative to the working folder, not by paths of the user's machine."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lead_sim.runs import manifest
from lead_sim.runs.manifest import build_manifest, checkout_commit, command_line, display_path


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t",
                           *args], check=True, capture_output=True, text=True).stdout.strip()


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q")
    (path / "README").write_text("a project\n")
    git(path, "add", "README")
    git(path, "commit", "-q", "-m", "first")
    return path


def fake_package(folder: Path) -> Path:
    package = folder / "lead_sim"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    return package


def test_a_copy_installed_in_a_venv_inside_another_repository_is_not_that_repository(tmp_path):
    project = new_repo(tmp_path / "myproject")
    package = fake_package(project / ".venv" / "lib" / "python3.12" / "site-packages")
    git(project, "add", "-f", ".venv")  # even tracked by the other project: still not ours
    git(project, "commit", "-q", "-m", "vendored venv")
    assert checkout_commit(package) is None


def test_an_untracked_package_at_the_top_of_another_repository_is_not_a_checkout(tmp_path):
    project = new_repo(tmp_path / "myproject")
    assert checkout_commit(fake_package(project)) is None


def test_an_editable_checkout_records_its_commit_and_whether_it_is_dirty(tmp_path):
    repo = new_repo(tmp_path / "lead_sim_checkout")
    package = fake_package(repo)
    git(repo, "add", "lead_sim")
    git(repo, "commit", "-q", "-m", "package")
    head = git(repo, "rev-parse", "HEAD")
    assert checkout_commit(package) == head
    (package / "__init__.py").write_text("x = 1\n")
    assert checkout_commit(package) == f"{head}-dirty"
    (package / "new.py").write_text("")  # untracked files do not make it dirty
    (package / "__init__.py").write_text("")
    assert checkout_commit(package) == head


def test_outside_a_checkout_the_commit_is_the_one_recorded_at_build_time(monkeypatch):
    monkeypatch.setattr(manifest, "checkout_commit", lambda package_dir: None)
    manifest._commit.cache_clear()
    try:
        recorded = manifest.build_commit()
        assert manifest.git_commit() == (recorded or "unknown")
    finally:
        manifest._commit.cache_clear()


def test_paths_are_named_relative_to_the_working_folder_or_by_file_name(tmp_path, monkeypatch):
    work = tmp_path / "work"
    (work / "specs").mkdir(parents=True)
    monkeypatch.chdir(work)
    assert display_path(work / "specs" / "a.toml") == str(Path("specs") / "a.toml")
    assert display_path(tmp_path / "elsewhere" / "b.toml") == "b.toml"
    assert display_path("specs/a.toml") == "specs/a.toml"
    assert display_path(work) == "."


def test_a_manifest_holds_no_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    program = str(tmp_path.parent / "venv" / "bin" / "lead-sim")
    monkeypatch.setattr("sys.argv", [program, "sweep", str(tmp_path / "spec.toml"),
                                     f"--out={tmp_path / 'out'}", "--out2", "/srv/x/y"])
    made = build_manifest(spec=str(tmp_path / "spec.toml"),
                          files={"calibrated": [str(tmp_path.parent / "c.toml")]},
                          path=tmp_path / "p.toml")
    assert made["command"] == "lead-sim sweep spec.toml --out=out --out2 y"
    assert made["spec"] == "spec.toml" and made["files"] == {"calibrated": ["c.toml"]}
    assert made["path"] == "p.toml"
    assert str(tmp_path) not in repr(made)


@pytest.mark.parametrize("argv, expected", [
    (["lead-sim", "run", "pilot_2011"], "lead-sim run pilot_2011"),
    (["/usr/bin/lead-sim", "--set", "population=500"], "lead-sim --set population=500"),
])
def test_the_command_keeps_what_was_typed(argv, expected):
    assert command_line(argv) == expected
