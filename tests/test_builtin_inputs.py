"""Built-in sweep specs and calibration configs are package data, found by name; a path still
works, and a name that is not built in is refused with the built-in names listed."""

from __future__ import annotations

import pytest

from lead_sim.errors import LeadSimError
from lead_sim.fitting.config import load_config
from lead_sim.inputfiles import (
    CALIBRATION_CONFIG,
    DATA_DIR,
    OPTIMIZE_CONFIG,
    SWEEP_SPEC,
    builtin_names,
    builtin_path,
    locate,
    shown_name,
)
from lead_sim.sensitivity.spec import load_spec


def test_the_built_ins_are_listed_and_found_by_name():
    assert builtin_names(SWEEP_SPEC) == ["equity_drivers", "lhs_savings", "morris_screen",
                                         "sobol_core"]
    assert builtin_names(CALIBRATION_CONFIG) == ["pilot"]
    assert builtin_names(OPTIMIZE_CONFIG) == ["budget_mix"]
    assert locate(SWEEP_SPEC, "morris_screen") == DATA_DIR / "sweeps" / "morris_screen.toml"
    assert shown_name(builtin_path(CALIBRATION_CONFIG, "pilot")) == "pilot"


def test_a_name_not_built_in_is_refused_with_the_names_and_the_closest():
    with pytest.raises(LeadSimError, match=r"no built-in sweep spec called 'sobol_cor'\. "
                                           r"Did you mean 'sobol_core'\? Built in: "
                                           r"equity_drivers, lhs_savings"):
        locate(SWEEP_SPEC, "sobol_cor")


def test_a_path_still_works_and_a_missing_one_names_the_built_in(tmp_path, monkeypatch):
    own = tmp_path / "mine.toml"
    own.write_text((DATA_DIR / "sweeps" / "morris_screen.toml").read_text())
    assert load_spec(own, samples=4).source == str(own)
    monkeypatch.chdir(tmp_path)
    assert load_spec("mine.toml", samples=4).name == "morris_screen"
    with pytest.raises(LeadSimError, match="'morris_screen' is built in: give its name"):
        load_spec("configs/sweeps/morris_screen.toml")
    with pytest.raises(LeadSimError, match="Built-in calibration configs, run by name: pilot"):
        load_config("nowhere/own.toml")


def test_a_built_in_is_named_by_its_name_in_what_it_records():
    assert load_spec("morris_screen", samples=4).source == "morris_screen"
    assert load_config("pilot").path == "pilot"
