"""The compiled core in numba's two debugging modes, each in a subprocess (numba reads its
settings once, at import): with the JIT disabled it runs as plain Python, and with bounds checks
every array index is checked. Both must give the compiled run's numbers, to the last bit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.golden.fingerprint import GOLDEN, scenario_fingerprint

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


def _boundscheck_cache() -> Path:
    return (Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
            / "lead_sim" / "boundscheck")


# every dated change of the pilot and its expansions, and staff hired to demand
BOUNDSCHECKED = ("king_county", "full_capacity")


def test_bounds_checked_runs_give_the_golden_numbers():
    """With every array index checked (NUMBA_BOUNDSCHECK=1), an index out of bounds raises
    IndexError instead of reading or writing memory silently. Two scenarios, at the golden size
    over the whole horizon, with and without the event log, must complete and give their
    golden fingerprints.

    The checked code is compiled into a cache of its own: numba's cache key does not include
    the bounds-check setting, so sharing the normal cache would load unchecked code (or leave
    checked code for normal runs). Compiling takes about two minutes on two cores, so the cache
    is kept between test runs, in ``~/.cache/lead_sim/boundscheck/``, rather than compiled
    afresh in a temporary folder each time; as in the normal cache (``engine/jit.py``), the code
    sits in a subfolder named after a hash of every compiled module, so an edit to any of them
    compiles anew. The test takes seconds, and minutes after such an edit. Its first call makes
    sure that what runs was compiled with the checks.
    """
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    seeds = {name: expected[name]["seed"] for name in BOUNDSCHECKED}
    script = (
        "import json\n"
        "from lead_sim.agents.case_manager import new_staff, places\n"
        "from tests.golden.fingerprint import scenario_fingerprint\n"
        "try:\n"
        "    places(new_staff(2), 5, 10.0)  # case manager 5 of 2\n"
        "    raise SystemExit('an index out of bounds went unchecked')\n"
        "except IndexError:\n"
        "    pass\n"
        f"seeds = {seeds!r}\n"
        "print(json.dumps({name: scenario_fingerprint(name, seed) "
        "for name, seed in seeds.items()}))\n")
    done = _run(script, NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=str(_boundscheck_cache()))
    assert _fingerprints(done) == {name: expected[name] for name in BOUNDSCHECKED}
