"""Scenarios: a dated policy timeline on top of the parameter defaults.

A scenario is plain data (:class:`Scenario`), read from TOML by :func:`load_scenario`. Built-in
scenarios live in ``lead_sim/scenarios/builtin/``; a user's own file may ``extends`` one of them.
"""

from lead_sim.scenarios.loader import builtin_names, load_scenario
from lead_sim.scenarios.schema import Scenario, TimelineEntry

__all__ = ["Scenario", "TimelineEntry", "builtin_names", "load_scenario"]
