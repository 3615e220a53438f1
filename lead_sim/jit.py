"""Compiling the daily step with numba: the decorator, its cache, and scipy functions it calls.

The model's day is a few dozen small operations on a handful of people; in numpy each costs a
microsecond of call overhead, which made a sweep of thousands of runs take hours. Compiled, the
same operations cost nanoseconds. Every compiled function is declared with :data:`compiled`.

numba caches compiled code on disk, but it only notices a change to the file a function is
defined in, not to the functions it calls from other files. So the cache lives in a folder named
after a hash of every module with compiled code (:data:`COMPILED_MODULES`): editing any of them
starts a fresh cache instead of running stale code.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import numba
from llvmlite import binding
from numba import types
from numba.core import event
from numba.extending import get_cython_function_address

_PACKAGE = Path(__file__).resolve().parent
# Modules defining compiled functions (tests/test_jit.py checks that the list is complete).
COMPILED_MODULES = (
    "jit.py", "streams.py", "events.py", "recorder.py", "ledger.py", "world.py", "legal.py",
    "model.py", "params.py", "agents/population.py", "agents/officer.py", "agents/case_manager.py",
    "agents/services.py", "agents/waitlist.py", "agents/states.py",
)


def _cache_dir() -> str:
    digest = hashlib.sha1()
    for name in COMPILED_MODULES:
        digest.update((_PACKAGE / name).read_bytes())
    root = os.environ.get("NUMBA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "lead_sim", "numba")
    return os.path.join(root, digest.hexdigest()[:16])


numba.config.CACHE_DIR = _cache_dir()


class _CompileNotice(event.Listener):
    """Says, once per process, that compiling has started: it takes minutes, and a silent
    first run would look hung. numba announces only real compiles, not loads from the cache."""

    def __init__(self) -> None:
        self.told = False

    def on_start(self, ev: event.Event) -> None:
        if not self.told and ev.data["dispatcher"].py_func.__module__.startswith("lead_sim"):
            self.told = True
            print("lead_sim: compiling the simulation core for this version of the code "
                  f"(about 5 minutes on two cores, once; cached in {numba.config.CACHE_DIR})",
                  file=sys.stderr, flush=True)

    def on_end(self, ev: event.Event) -> None:
        pass


event.register("numba:compile", _CompileNotice())

compiled = numba.njit(cache=True)
"""Decorator of every compiled function: nopython mode, cached on disk."""

compiled_inline = numba.njit(cache=True, inline="always")
"""Decorator of small compiled helpers called many times a day with the model's state: they
are inlined where they are called, since passing the state (dozens of arrays, each several
words) to a function costs more than their work."""


class Direct:
    """A compiled function called from Python through its compiled entry point.

    On every call from Python numba works out the type of each argument; for the model's state
    (dozens of arrays in nested tuples) that takes a few milliseconds, as long as simulating
    ten days. The functions wrapped here are always called with arguments of the same types,
    so after the first call (compiled, or loaded from the cache, as usual) the one compiled
    version is called directly. An argument of another type is refused by its unboxing.
    """

    def __init__(self, function) -> None:
        self.function = function
        self._entry = None
        self.__doc__ = function.__doc__

    def __call__(self, *args):
        if self._entry is not None:
            return self._entry(*args)
        result = self.function(*args)
        if len(self.function.signatures) == 1:
            self._entry = self.function.overloads[self.function.signatures[0]].entry_point
        return result


def _bind_scipy(function: str, symbol: str, args: int):
    """scipy.special's own C routine ``function`` of ``args`` doubles as a function compiled
    code can call, so results equal scipy.special's bit for bit.

    It is bound by symbol name rather than as a ctypes pointer: numba refuses to cache a
    function that embeds a pointer, and would then recompile every caller in every process.
    """
    binding.add_symbol(symbol, get_cython_function_address("scipy.special.cython_special",
                                                           function))
    return types.ExternalFunction(symbol, types.float64(*[types.float64] * args))


_ndtri = _bind_scipy("ndtri", "lead_sim_ndtri", 1)
_pdtrik = _bind_scipy("__pyx_fuse_0pdtrik", "lead_sim_pdtrik", 2)  # the double version


@compiled
def ndtri(p: float) -> float:
    """The standard normal quantile of ``p`` (scipy.special.ndtri)."""
    return _ndtri(p)


@compiled
def pdtrik(p: float, mean: float) -> float:
    """The Poisson count whose CDF is ``p`` at ``mean``, as a real (scipy.special.pdtrik)."""
    return _pdtrik(p, mean)
