"""lead_sim: an agent-based simulation of police pre-booking diversion (LEAD), built on Mesa.

Public API::

    from lead_sim import run, load_scenario
    results = run("king_county", seed=1, reps=3)
    results.summary        # one row per replicate
    results.timeseries     # one row per replicate and day

    model = LeadModel("pilot_2011", seed=1, population=2_000, caseload_cap=25)
    model.run().series("jail_population")   # a daily series, indexed by date
"""

import logging
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

from lead_sim.errors import LeadSimError
from lead_sim.model import LeadModel
from lead_sim.params import REGISTRY, Param, Params
from lead_sim.runs.runner import Results, RunResult, prepare, run, simulate
from lead_sim.scenarios import Scenario, builtin_names, load_scenario

# Warnings and information go to the "lead_sim" logger; an application (the lead-sim command,
# or a user's own logging set-up) decides where they are shown.
logging.getLogger("lead_sim").addHandler(logging.NullHandler())

try:  # written by setuptools-scm when the package is built or installed
    from lead_sim._version import version as __version__
except ImportError:
    try:
        __version__ = _version("lead_sim")
    except PackageNotFoundError:  # run from a source tree that was never installed
        __version__ = "0+unknown"

__all__ = [
    "REGISTRY", "LeadModel", "LeadSimError", "Param", "Params", "Results", "RunResult",
    "Scenario", "builtin_names", "compare", "load_scenario", "prepare", "run", "simulate",
]


def __getattr__(name: str):
    """Import the comparison layer (scipy.stats, reports) only when it is asked for."""
    if name == "compare":
        from lead_sim.runs.comparison import compare

        return compare
    raise AttributeError(f"module 'lead_sim' has no attribute {name!r}")
