"""Cold start: the compile notice, the optimisation levels, and the warm-up API.

(How long a cold compile takes is measured by benchmarks/bench_cold_start.py, not here.)
"""

import ast
import importlib
import inspect
import io
import json
import logging
import sys
import textwrap

import numba
from numba.core import event

from lead_sim import model
from lead_sim.engine import compile_notice, jit
from lead_sim.runs import warmup


def _fresh(source_module: str):
    """A new function whose module looks like ``source_module`` (numba compiles it anew)."""
    namespace: dict = {}
    exec("def inner(x):\n    return x + 1\n", namespace)  # a function defined anew each time
    inner = namespace["inner"]
    inner.__module__ = source_module
    return inner


def test_the_notice_says_compiling_once_then_counts_and_is_silent_when_warm(caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="lead_sim")  # as the CLI shows it
    monkeypatch.setattr(compile_notice.NOTICE, "quiet", True)  # the process's own notice
    notice = compile_notice.CompileNotice()
    inner = numba.njit(_fresh("lead_sim.fake"))
    with event.install_listener("numba:compile", notice):
        assert inner(1) == 2  # compiles
        first = caplog.text
        caplog.clear()
        assert inner(2) == 3  # the same types: nothing compiles
        notice.finish()
        again = caplog.text
    assert first.count("compiling the simulation core (first use on this machine, about") == 1
    assert notice.done == 0 and "compiled in" in again  # finish() reports and starts over
    assert "compiling the simulation core" not in again


def test_on_a_terminal_the_notice_shows_a_bar_of_functions_compiled(caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="lead_sim")
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(compile_notice.NOTICE, "quiet", True)
    notice = compile_notice.CompileNotice()
    with event.install_listener("numba:compile", notice):
        assert numba.njit(_fresh("lead_sim.fake"))(1) == 2
        bar = terminal.getvalue()
        notice.finish()
    assert f"/{compile_notice.EXPECTED_COMPILES} [" in bar  # a tqdm bar
    assert "about" in caplog.text  # the announcement, through the lead_sim logger


def test_the_notice_ignores_functions_of_other_packages(caplog):
    caplog.set_level(logging.INFO, logger="lead_sim")
    notice = compile_notice.CompileNotice()
    with event.install_listener("numba:compile", notice):
        assert numba.njit(_fresh("somebody_else"))(1) == 2
        notice.finish()
    assert caplog.text == "" and notice.done == 0


def test_expected_seconds_is_the_last_measured_compile_or_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert compile_notice.expected_seconds() == compile_notice.DEFAULT_SECONDS
    compile_notice.record_seconds(37.26)
    assert json.loads((tmp_path / "compile_seconds.json").read_text()) == {"seconds": 37.3}
    assert compile_notice.expected_seconds() == 37.3
    (tmp_path / "compile_seconds.json").write_text("not json")
    assert compile_notice.expected_seconds() == compile_notice.DEFAULT_SECONDS


def _levels_while_compiling(call) -> dict[str, int]:
    """The LLVM optimisation level each function compiled by ``call()`` got, by name."""
    levels: dict[str, int] = {}

    class Probe(event.Listener):  # registered after jit's listener: sees the level it set
        def on_start(self, ev):
            levels[ev.data["dispatcher"].py_func.__name__] = int(numba.config.OPT)

        def on_end(self, ev):
            pass

    with event.install_listener("numba:compile", Probe()):
        call()
    return levels


def _outer_calling_inner(module: str):
    """A new ``outer(x)`` calling a new ``inner(x)``, both as if defined in ``module``."""
    inner = numba.njit(_fresh(module))
    namespace = {"inner": inner}
    exec("def outer(x):\n    return inner(x) * 2\n", namespace)
    namespace["outer"].__module__ = module
    return numba.njit(namespace["outer"])


def test_only_the_day_loop_is_optimised_fully_and_a_users_code_keeps_numbas_level():
    full, quick = int(numba.config.OPT), min(int(numba.config.OPT), jit.QUICK_OPT)
    assert quick < full  # else this test shows nothing (NUMBA_OPT set low)

    ours = _outer_calling_inner("lead_sim.fake")
    assert _levels_while_compiling(lambda: ours(3)) == {"outer": quick, "inner": quick}

    hot = jit.optimise_fully(_outer_calling_inner("lead_sim.fake"))
    assert _levels_while_compiling(lambda: hot(3)) == {"outer": full, "inner": quick}
    assert model.simulate_days.py_func in jit._FULLY_OPTIMISED

    theirs = _outer_calling_inner("somebody_else")
    assert _levels_while_compiling(lambda: theirs(3)) == {"outer": full, "inner": full}
    assert int(numba.config.OPT) == full  # restored after each compile


def test_the_warm_up_lists_every_stage_of_the_day_once():
    # a stage left out would still compile (with the day), only not in the helper process
    source = textwrap.dedent(inspect.getsource(model.simulate_days.py_func))
    day_loop = ast.parse(source).body[0].body[-1]
    called = {ast.unparse(node.value.func) for node in day_loop.body
              if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)}
    stages = {eval(name, vars(model)) for name in called}
    listed = [getattr(importlib.import_module(module), name)
              for group in warmup.STAGES.values() for module, name in group]
    assert len(listed) == len(set(listed)) and set(listed) == stages


def test_a_warm_cache_compiles_nothing_and_reports_no_progress():
    warmup.warm_up()  # compiles now if the cache is cold
    calls = []
    warmup.warm_up(progress=lambda done, total: calls.append(done))
    assert calls == [] and warmup.is_warm() and warmup.expected_seconds() == 0.0


def test_runs_compile_the_core_first_when_it_is_cold_except_for_a_remote_scheduler(monkeypatch):
    from lead_sim.runs import executors

    warmed = []
    monkeypatch.setattr(executors, "is_warm", lambda: False)
    monkeypatch.setattr(executors, "warm_up", lambda: warmed.append(True))
    assert list(executors.run_tasks(abs, [-1, -2], "serial")) == [(0, 1), (1, 2)]
    with executors.Session("serial") as session:
        assert list(session.run(abs, [-3])) == [(0, 3)]
    assert warmed == [True, True]
    executors.compile_first("dask", "tcp://elsewhere:8786")
    assert warmed == [True, True]
