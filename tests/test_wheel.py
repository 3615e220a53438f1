"""The installed package is complete: a wheel built from this checkout, installed apart from it
and run from a temporary folder, runs a scenario, a built-in sweep by name, and serves the
visualizer's page with its front-end files, with no file of the checkout on the path.

The core runs with numba's JIT disabled (NUMBA_DISABLE_JIT=1): numba's cache is keyed by the
source files' paths, so a fresh install would compile for minutes first; the compiled core is
tested elsewhere (tests/test_jit_modes.py shows both modes give the same numbers).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from lead_sim.viz.assets import PAGE_FILES

ROOT = Path(__file__).resolve().parents[1]


def _build_backend_missing() -> str | None:
    try:
        import setuptools  # noqa: F401
        import setuptools_scm  # noqa: F401
    except ImportError as exc:
        return f"building the wheel needs {exc.name} (the [dev] extra installs it)"
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return "building the wheel needs git and a git checkout (setuptools-scm)"
    return None


pytestmark = pytest.mark.skipif(_build_backend_missing() is not None,
                                reason=str(_build_backend_missing()))


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """The wheel, installed into a folder of its own; the environment and folder to run in."""
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "--wheel-dir", str(tmp / "dist"), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=600)
    (wheel,) = (tmp / "dist").glob("lead_sim-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet",
                    "--target", str(tmp / "site"), str(wheel)],
                   check=True, capture_output=True, text=True, timeout=600)
    work = tmp / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "NUMBA"))}
    env.update(PYTHONPATH=str(tmp / "site"), NUMBA_DISABLE_JIT="1", PYTHONUNBUFFERED="1")
    return {"site": tmp / "site", "work": work, "env": env,
            "lead_sim": [str(tmp / "site" / "bin" / "lead-sim")]}


def lead_sim(installed: dict, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([*installed["lead_sim"], *args], cwd=installed["work"],
                          env=installed["env"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_the_installed_copy_is_imported_not_the_checkout(installed):
    done = subprocess.run([sys.executable, "-c", "import lead_sim; print(lead_sim.__file__)"],
                          cwd=installed["work"], env=installed["env"], capture_output=True,
                          text=True, check=True)
    assert Path(done.stdout.strip()).is_relative_to(installed["site"])


def test_run_records_the_commit_it_was_built_from(installed):
    lead_sim(installed, "run", "pilot_2011", "--population", "400", "--years", "0.1",
             "--out", "run")
    text = (installed["work"] / "run" / "manifest.json").read_text()
    manifest = json.loads(text)
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    assert manifest["git_commit"].removesuffix("-dirty") == head
    assert manifest["command"] == ("lead-sim run pilot_2011 --population 400 --years 0.1 "
                                   "--out run")
    assert str(installed["site"].parent) not in text  # no path of this machine


def test_a_built_in_sweep_runs_by_name(installed):
    done = lead_sim(installed, "sweep", "morris_screen", "--samples", "4", "--population",
                    "300", "--years", "0.1", "--executor", "serial", "--out", "sweep")
    assert "Sweep 'morris_screen'" in done.stdout
    report = (installed["work"] / "sweep" / "report.html").read_text()
    assert '"spec_file": "morris_screen"' in report
    assert str(installed["site"].parent) not in report


def test_the_visualizer_serves_its_page_and_front_end_files_offline(installed):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([*installed["lead_sim"], "viz", "--port", str(port)],
                              cwd=installed["work"], env=installed["env"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        page = _get(server, f"{base}/")
        assert "_solara/cdn/@widgetti/solara-vuetify-app@" in page.decode()
        for name in PAGE_FILES:
            assert _get(server, f"{base}/_solara/cdn/{name}"), name
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(server: subprocess.Popen, url: str, timeout: float = 120.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise AssertionError(f"lead-sim viz exited:\n{server.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read()
        except ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
        except urllib.error.URLError as exc:
            if not isinstance(exc.reason, ConnectionError) or time.monotonic() > deadline:
                raise
            time.sleep(0.3)
