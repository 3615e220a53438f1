"""Compiling the simulation core before it is needed, and telling whether it must be.

The core is compiled by numba on first use and cached on disk (:mod:`lead_sim.engine.jit`).
A command or page that wants to say "preparing the simulation (first use, about N s)" instead
of freezing asks :func:`is_warm` and :func:`expected_seconds`, then calls :func:`warm_up`
(with a progress callback if it shows its own progress). ``scripts/bootstrap.sh`` and
``lead-sim bench`` call :func:`warm_up` too.

:func:`warm_up` simulates a few days of a tiny population: that compiles every function a run
calls, with the argument types a run passes (a compile per type), and fills the cache; it
then records how long compiling took on this machine, which later estimates use.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import time
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager, ExitStack

import numba
from numba.core import event

from lead_sim.engine import compile_notice
from lead_sim.engine.compile_notice import Progress
from lead_sim.model import LeadModel, simulate_days

logger = logging.getLogger(__name__)

WARM_UP_SCENARIO, WARM_UP_POPULATION, WARM_UP_YEARS = "king_county", 100, 0.1


def is_warm() -> bool:
    """Whether the compiled core of this version of the code is in the on-disk cache, so a
    run starts at once. With the JIT disabled (``NUMBA_DISABLE_JIT=1``) nothing compiles, so
    it is True then too."""
    if numba.config.DISABLE_JIT:
        return True
    if simulate_days.signatures:  # compiled or loaded in this process already
        return True
    try:  # the day's entry point has an entry in numba's index of its cache
        return bool(simulate_days._cache._cache_file._load_index())
    except (AttributeError, OSError):  # numba's internals moved: assume it must compile
        return False


def expected_seconds() -> float:
    """Wall seconds a cold :func:`warm_up` is expected to take on this machine (0 if warm)."""
    return 0.0 if is_warm() else compile_notice.expected_seconds()


def warm_up(progress: Progress | None = None, *, parallel: bool = True) -> float:
    """Compile the core (or load it from the cache) now; return the seconds it took.

    ``progress(done, total)`` is called as compiled functions are ready (not at all when the
    cache is warm). The terminal shows progress on stderr either way. With ``parallel`` and
    two or more cores, a cold compile shares the day's stages with a helper process
    (:class:`_SharedCompile`).
    """
    cold = not is_warm()
    start = time.monotonic()
    compile_notice.NOTICE.follow(progress)
    try:
        with ExitStack() as stack:
            shared = (stack.enter_context(_SharedCompile())
                      if cold and parallel and _cores() > 1 else None)
            model_class = shared.model_class() if shared else LeadModel
            model = model_class(WARM_UP_SCENARIO, 0, years=WARM_UP_YEARS, keep_events=False,
                                population=WARM_UP_POPULATION)  # compiles the set-up
            if shared:
                shared.compile_stages()
        model.run()  # compiles the day, with its stages loaded from the cache
        model.finish()
        seconds = time.monotonic() - start
        if cold and compile_notice.NOTICE.done:
            compile_notice.record_seconds(seconds)
    finally:
        compile_notice.NOTICE.follow(None)
        compile_notice.NOTICE.finish()
    return seconds


STAGES = {  # the day's stages by the process compiling them, balanced by measured compile time
    # (benchmarks/bench_cold_start.py). The helper starts early (as soon as the world exists)
    # with the functions the stages share (in violations), so the other finds them cached.
    "helper": (("lead_sim.justice.supervision", "violations"),
               ("lead_sim.agents.police", "police_contacts"), ("lead_sim.model", "account")),
    "main": (("lead_sim.agents.services", "step"), ("lead_sim.model", "turnover"),
             ("lead_sim.agents.population", "redraw_marked"),
             ("lead_sim.justice.custody", "release"), ("lead_sim.agents.case_management", "step"),
             ("lead_sim.justice.court", "dispose")),
}


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _SharedCompile(AbstractContextManager):
    """The day's stages (each ``stage(w, p, day)``) compiled in two processes at once, this
    one and a helper (a clean process started with "spawn": no copied compiler state), both
    filling the on-disk cache, so that compiling the day itself then only loads them.

    The helper starts on its share as soon as the warm-up model's world exists (the stages'
    argument types), while this process is still compiling the rest of the set-up. A failure
    of the helper only costs time: what it did not compile is compiled when the day is.
    """

    def __enter__(self) -> _SharedCompile:
        self.pool = ProcessPoolExecutor(max_workers=1,
                                        mp_context=multiprocessing.get_context("spawn"))
        self.share: Future | None = None
        try:
            self.pool.submit(_ready)  # it starts and imports lead_sim meanwhile
        except RuntimeError as exc:  # e.g. a script without a __main__ guard
            logger.info("no helper process for compiling the core (%s)", exc)
        return self

    def __exit__(self, *exc_info) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)  # it exits in its own time

    def model_class(self) -> type[LeadModel]:
        """A LeadModel that hands its stages' argument types to the helper once it has them."""
        shared = self

        class HandsOverItsWorld(LeadModel):
            @property
            def world(self):
                return self.__dict__["world"]

            @world.setter
            def world(self, world) -> None:
                self.__dict__["world"] = world
                if shared.share is None:
                    shared.start(world, self.values)

        return HandsOverItsWorld

    def start(self, world, values) -> None:
        signature = (numba.typeof(world), numba.typeof(values), numba.types.int64)
        self.signature = signature
        try:
            self.share = self.pool.submit(_compile_in_helper, STAGES["helper"], signature)
        except RuntimeError as exc:  # BrokenProcessPool: the helper did not start
            logger.info("no helper process for compiling the core (%s)", exc)

    def compile_stages(self) -> None:
        """Compile this process's share, then wait for the helper's."""
        for module, name in STAGES["main"]:
            getattr(importlib.import_module(module), name).compile(self.signature)
        if self.share is None:
            return
        try:
            compile_notice.NOTICE.advance(self.share.result())
        except Exception as exc:  # any failure there only costs time here
            logger.warning("the helper process compiling the core failed (%s); compiling its "
                           "part here", exc)


def _ready() -> None:
    """Nothing: submitted first, so the helper process starts (and imports) early."""


def _compile_in_helper(stages: tuple[tuple[str, str], ...], signature: tuple) -> int:
    """In the helper process: compile ``stages`` for ``signature``; return how many lead_sim
    functions were compiled."""
    notice = compile_notice.NOTICE
    notice.quiet = True
    compiled = 0

    class Count(event.Listener):
        def on_start(self, ev: event.Event) -> None:
            pass

        def on_end(self, ev: event.Event) -> None:
            nonlocal compiled
            compiled += ev.data["dispatcher"].py_func.__module__.startswith("lead_sim")

    event.register("numba:compile", Count())
    for module, name in stages:
        getattr(importlib.import_module(module), name).compile(signature)
    return compiled
