"""Sensitivity sweeps: SALib sampling and analysis over lead_sim runs, stored resumably.

Modules, in the order data flows through them: :mod:`~.spec` (read and check a sweep TOML),
:mod:`~.sampling` (SALib sample and run design), :mod:`~.targets` (what one run computes),
:mod:`~.engine` (run what is missing on an executor), :mod:`~.store` (shards on disk, resume),
:mod:`~.analysis` (SALib indices), :mod:`~.discovery` (threshold regions), :mod:`~.report`.
"""

from lead_sim.sensitivity.engine import SweepRun, run_sweep
from lead_sim.sensitivity.spec import Factor, Rule, SweepSpec, load_spec

__all__ = ["Factor", "Rule", "SweepRun", "SweepSpec", "load_spec", "run_sweep"]
