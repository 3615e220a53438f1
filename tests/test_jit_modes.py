"""The compiled core in numba's debugging mode, in a subprocess (numba reads its settings once,
at import): with the JIT disabled it runs as plain Python, and must give the compiled run's
numbers, to the last bit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.golden.fingerprint import scenario_fingerprint

ROOT = Path(__file__).resolve().parents[1]


def _run(script: str, **env: str) -> subprocess.CompletedProcess:
    """``script`` run by this Python in a fresh process with ``env`` added, importing lead_sim
    and the tests from this checkout (first on the path, ahead of any installed copy)."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=900, env={**os.environ, "PYTHONPATH": path, **env})


def _fingerprints(done: subprocess.CompletedProcess) -> dict:
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


# full_capacity: LEAD from 2011 with staff following demand, so within a few years a small
# sample goes through most stages (diversions, referrals, intake, caseloads, treatment)
DEBUG_RUN = dict(name="full_capacity", seed=1, population=400, years=6.0)


def test_a_small_scenario_runs_as_plain_python_with_the_compiled_numbers():
    # NUMBA_DISABLE_JIT=1 is how a developer steps through a day in a debugger (docs/model.md,
    # "Scale and speed"): by_reference hands over the named tuples themselves, ndtri and pdtrik
    # call scipy.special, numba's typed List is a Python list. It takes a few seconds here.
    script = ("import json; from tests.golden.fingerprint import scenario_fingerprint; "
              f"print(json.dumps(scenario_fingerprint(**{DEBUG_RUN!r})))")
    done = _run(script, NUMBA_DISABLE_JIT="1")
    assert "RuntimeWarning" not in done.stderr, done.stderr[-3000:]
    assert _fingerprints(done) == scenario_fingerprint(**DEBUG_RUN)
