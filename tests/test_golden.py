"""Golden numbers: every built-in scenario gives exactly the committed fingerprint.

A failure here means a change moved the model's numbers. If that was the intent, rewrite the
fingerprint (`.venv/bin/python -m tests.golden.fingerprint`) and say why in the commit message;
if not (a refactor, a move, a speed-up), the change has a bug.
"""

from __future__ import annotations

import json

import pytest

from tests.golden.fingerprint import GOLDEN, scenario_fingerprint

EXPECTED = json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_scenario_matches_its_golden_fingerprint(name):
    expected = EXPECTED[name]
    got = scenario_fingerprint(name, expected["seed"])
    moved = {key: (want, got["summary"].get(key))
             for key, want in expected["summary"].items() if got["summary"].get(key) != want}
    assert not moved, f"{name}: summary values moved (golden, now): {moved}"
    assert set(got["summary"]) == set(expected["summary"]), f"{name}: summary keys changed"
    for series in ("timeseries", "events", "timeseries_without_log"):
        assert got[series] == expected[series], f"{name}: the {series} changed"


def test_every_builtin_scenario_has_a_golden_fingerprint():
    from lead_sim import builtin_names

    assert sorted(builtin_names()) == sorted(EXPECTED)
