"""The house rules of docs/architecture.md: imports point down the layers, no module imports
itself round a cycle, and no module grows past 450 lines.

Imports inside functions count (a cycle hidden in a function is still a cycle); imports under
``if TYPE_CHECKING:`` do not, since they never run.
"""

from __future__ import annotations

import logging
from pathlib import Path

import grimp
import networkx as nx
from importlinter import cli as importlinter_cli

import lead_sim

PACKAGE = Path(lead_sim.__file__).parent
ROOT = PACKAGE.parent
MAX_LINES = 450


def test_the_layers_contract_is_kept():
    # the contract is [tool.importlinter] in pyproject.toml; 0 means every contract is kept
    loggers = logging.root.manager.loggerDict
    enabled = [lg for lg in loggers.values() if isinstance(lg, logging.Logger) and not lg.disabled]
    try:
        assert importlinter_cli.lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0
    finally:  # import-linter's logging.config.dictConfig disables every logger that exists
        for logger in enabled:
            logger.disabled = False


def _module_graph() -> nx.DiGraph:
    graph = grimp.build_graph("lead_sim", exclude_type_checking_imports=True, cache_dir=None)
    edges = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            # a module's own package __init__ is imported on the way in, not a dependency
            if not module.startswith(imported + "."):
                edges.add_edge(module, imported)
    return edges


def test_no_import_cycles_between_modules():
    cycles = [" -> ".join([*cycle, cycle[0]]) for cycle in nx.simple_cycles(_module_graph())]
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))


def test_the_cycle_check_sees_imports_inside_functions():
    # the check must fail on a cycle that only a function-level import closes
    edges = _module_graph()
    assert edges.has_edge("lead_sim.commands.viz", "lead_sim.viz.app")  # imported in a function


def test_no_module_is_over_450_lines():
    long = {path.relative_to(ROOT).as_posix(): n for path in PACKAGE.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them by job): {long}"
