"""The service table (lead_sim/service_table.py): a pool added in a test-only table runs, the
built-in pools keep the names users' files have, and a table that cannot work is refused."""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from lead_sim import service_table
from lead_sim.engine.recorder import STOCKS
from lead_sim.params import PAYERS, REGISTRY, Params
from lead_sim.service_table import HOUSING, SERVICES, TREATMENT, check_table

ROOT = Path(__file__).resolve().parents[1]


def test_a_service_added_in_a_test_only_table_runs():
    # a fresh process, since compiled code reads the table at import (tests/extra_service.py);
    # its first run compiles the core for that table (about two minutes)
    done = subprocess.run([sys.executable, "-m", "tests.extra_service"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("employment:")


def test_treatment_and_housing_keep_their_columns_payers_and_parameters():
    assert SERVICES == (TREATMENT, HOUSING)
    assert PAYERS[-2:] == ("treatment", "housing")
    assert STOCKS[6:10] == ("in_treatment", "treatment_waitlist", "housed", "housing_waitlist")
    values = Params().numbers()
    assert values.service_day_cost == (REGISTRY["treatment_day_cost"].default,
                                       REGISTRY["housing_day_cost"].default)
    assert values.service_completion == (REGISTRY["treatment_completion"].default, 0.0)


def test_the_table_imports_nothing_of_lead_sim():
    # a process loads it before lead_sim to run with another table (tests/extra_service.py)
    tree = ast.parse(Path(service_table.__file__).read_text(encoding="utf-8"))
    imported = [node.module if isinstance(node, ast.ImportFrom) else alias.name
                for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in node.names]
    assert not [name for name in imported if name and name.startswith("lead_sim")]


@pytest.mark.parametrize(("table", "message"), [
    ((TREATMENT, replace(HOUSING, name="treatment")), "share a name"),
    ((TREATMENT, replace(HOUSING, need="TREATMENT")), "share a need"),
    ((TREATMENT, replace(HOUSING, budget_share=0.6)), "more than 1"),
    ((TREATMENT, replace(HOUSING, prison="interrupt")), "custody"),
])
def test_a_table_that_cannot_work_is_refused(table, message):
    with pytest.raises(ValueError, match=message):
        check_table(table)
