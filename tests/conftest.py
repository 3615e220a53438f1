"""Shared fixtures: small, fast runs of the built-in scenarios."""

from __future__ import annotations

import functools

import pytest

from lead_sim import prepare, simulate

SMALL = dict(population=3_000, years=4.0)  # through the 2011 launch and the pilot years


@functools.cache
def small_run(name: str, seed: int = 1, **overrides):
    """One replicate of a built-in scenario at test size (cached across tests)."""
    scenario = prepare(name, overrides=overrides or None, **SMALL)
    return simulate(scenario, seed, keep_events=True)


@pytest.fixture(scope="session")
def pilot_run():
    return small_run("pilot_2011")
