"""Compiling the daily step with numba: the decorator, its cache, and scipy functions it calls.

The model's day is a few dozen small operations on a handful of people; in numpy each costs a
microsecond of call overhead, which made a sweep of thousands of runs take hours. Compiled, the
same operations cost nanoseconds. Every compiled function is declared with :data:`compiled`.
The model's state and parameter values reach compiled code as bundles held by reference
(:func:`by_reference`), so a call costs nanoseconds too.

numba caches compiled code on disk, but it only notices a change to the file a function is
defined in, not to the functions it calls from other files. So the cache lives in a folder named
after a hash of every module with compiled code (:data:`COMPILED_MODULES`) and of the service
table compiled code reads as constants (:data:`lead_sim.service_table.SERVICES`, which a process
may replace before it imports the rest): editing any of them starts a fresh cache instead of
running stale code.

Compiling is most of a fresh machine's first run, so compiled code keeps to constructs that
compile quickly: a loop rather than ``np.where`` (numba compiles its broadcasting and the
formatting of its error message, seconds in every process that compiles the core), and
arguments of one type where a function is called with several (each mix is a compile).

With ``NUMBA_DISABLE_JIT=1`` every compiled function runs as the plain Python it is written in,
so a debugger can step through a day: :func:`by_reference` then hands over the named tuple
itself, and :func:`ndtri` and :func:`pdtrik` call scipy.special (:data:`JIT_DISABLED`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba
import scipy.special
from llvmlite import binding
from numba import types
from numba.core import cgutils, event
from numba.experimental import structref
from numba.experimental.jitclass.base import imp_dtor
from numba.extending import get_cython_function_address, intrinsic

from lead_sim.engine import cache_lock
from lead_sim.engine.compile_notice import NOTICE, cache_root
from lead_sim.service_table import SERVICES

_PACKAGE = Path(__file__).resolve().parents[1]
# Modules defining compiled functions (tests/test_jit.py checks that the list is complete), and the
# service table and race/ethnicity groups they read as constants.
COMPILED_MODULES = (
    "engine/jit.py", "engine/streams.py", "engine/events.py", "engine/recorder.py",
    "engine/ledger.py", "engine/world.py", "engine/codes.py", "model.py", "params.py",
    "justice/charging.py", "justice/booking.py", "justice/custody.py", "justice/court.py",
    "justice/supervision.py", "agents/population.py", "agents/officer.py", "agents/police.py",
    "agents/case_manager.py", "agents/case_management.py", "agents/services.py",
    "agents/waitlist.py", "agents/states.py", "service_table.py", "groups.py",
)


def _cache_dir() -> str:
    digest = hashlib.sha1()
    for name in COMPILED_MODULES:
        digest.update((_PACKAGE / name).read_bytes())
    digest.update(repr(SERVICES).encode())
    return os.path.join(cache_root(), digest.hexdigest()[:16])


numba.config.CACHE_DIR = _cache_dir()
cache_lock.install()  # processes compiling at once must not file code under wrong types

JIT_DISABLED = bool(numba.config.DISABLE_JIT)
"""``NUMBA_DISABLE_JIT=1``: compiled functions run as Python (slowly; to step through a day)."""


event.register("numba:compile", NOTICE)  # says so while the core compiles

QUICK_OPT = 1
"""LLVM optimisation level of lead_sim's compiled functions, except the day loop's."""

_FULLY_OPTIMISED: set = set()  # the Python functions of optimise_fully's dispatchers


class _OptimiseOnce(event.Listener):
    """Optimises fully (LLVM -O3, or ``NUMBA_OPT``) only the day loop (:func:`optimise_fully`);
    every other lead_sim function, and everything compiled on the way as its callee, gets
    :data:`QUICK_OPT` (-O1).

    numba links a callee's optimised code into its caller's module and optimises the whole
    module again, so every level of the call tree (the day loop, its stages, their helpers...)
    redid the full optimisation of everything below it: most of the compile time. What runs
    is the day loop's code, optimised once at full level with all its callees inside; that
    their own copies get less makes no difference to it, nor to any number (no fast-math: LLVM
    keeps IEEE arithmetic at every level). Functions called from Python only to set up a run
    lose nothing measurable at -O1. Compiles outside lead_sim (a user's own numba code in the
    same process) keep numba's level.
    """

    def __init__(self) -> None:
        self.full = numba.config.OPT
        self.quick = type(self.full)(min(int(self.full), QUICK_OPT))
        self.levels: list = []  # the level of each compile in progress, outermost first
        self.ours = False  # the outermost compile in progress is a lead_sim function

    def on_start(self, ev: event.Event) -> None:
        if not self.levels:
            func = ev.data["dispatcher"].py_func
            self.ours = func.__module__.startswith("lead_sim.")
            hot = func in _FULLY_OPTIMISED
            level = self.quick if self.ours and not hot else self.full
        else:
            level = self.quick if self.ours else self.full
        self.levels.append(level)
        numba.config.OPT = level

    def on_end(self, ev: event.Event) -> None:
        self.levels.pop()
        numba.config.OPT = self.levels[-1] if self.levels else self.full


event.register("numba:compile", _OptimiseOnce())


def optimise_fully(dispatcher):
    """Mark the compiled function ``dispatcher`` (applied above :data:`compiled`) as the loop
    whose code is what runs, to be optimised fully (:class:`_OptimiseOnce`)."""
    _FULLY_OPTIMISED.add(getattr(dispatcher, "py_func", dispatcher))  # a function, JIT off
    return dispatcher


compiled = numba.njit(cache=True)
"""Decorator of every compiled function: nopython mode, cached on disk."""

compiled_inline = numba.njit(cache=True, inline="always")
"""Decorator of compiled functions inlined where they are called (before numba compiles the
caller): small helpers called many times a day (a count, a cost, an event), whose call would
cost about as much as their work, and parts of the day with a single caller (a stage's steps),
which inlined add no level to the call tree numba optimises level by level
(:class:`_OptimiseOnce`). A function called from several places stays :data:`compiled` (it
would be compiled again inside each caller), and so does one called inside a loop: inlined
there, it can take stack space on every pass (spawning 20,000 people crashed so)."""


@structref.register
class Bundle(types.StructRef):
    """numba type of a named tuple's fields held by reference (see :func:`by_reference`)."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(kind)) for name, kind in fields)


class BundleRef(structref.StructRefProxy):
    """What Python holds of a :class:`Bundle`: only passed back to compiled code."""


structref.define_boxing(Bundle, BundleRef)


@intrinsic
def _pack(typingctx, bundle):
    """A :class:`Bundle` holding the fields of the named tuple ``bundle``."""
    if not isinstance(bundle, types.BaseNamedTuple):
        return None
    struct = Bundle(list(zip(bundle.fields, bundle.types, strict=True)))

    def codegen(context, builder, signature, args):
        data_type = struct.get_data_type()
        alloc_type = context.data_model_manager[data_type].get_value_type()
        meminfo = context.nrt.meminfo_alloc_dtor(
            builder, context.get_constant(types.uintp, context.get_abi_sizeof(alloc_type)),
            imp_dtor(context, builder.module, struct))
        pointer = builder.bitcast(context.nrt.meminfo_data(builder, meminfo),
                                  alloc_type.as_pointer())
        builder.store(cgutils.get_null_value(alloc_type), pointer)
        data = cgutils.create_struct_proxy(data_type)(context, builder, ref=pointer)
        for k, (name, kind) in enumerate(zip(bundle.fields, bundle.types, strict=True)):
            value = builder.extract_value(args[0], k)
            context.nrt.incref(builder, kind, value)  # the bundle holds its own references
            setattr(data, name, value)
        ref = context.make_helper(builder, struct)
        ref.meminfo = meminfo
        return ref._getvalue()

    return struct(bundle), codegen


@compiled
def by_reference(bundle):
    """The fields of the named tuple ``bundle`` (the same arrays, not copies), passed to compiled
    functions by reference.

    numba passes a tuple by value: every call with the model's state copied its hundreds of
    words and counted a reference to each of its arrays: about a microsecond per call, most of
    the time of a simulated day. A bundle is one pointer, and a function reads only the fields it
    uses. Compiled code reads it as it would the tuple (``w.people.state``).

    With the JIT disabled it is the named tuple itself, which Python reads the same way.
    """
    if JIT_DISABLED:
        return bundle
    return _pack(bundle)


def _bind_scipy(function: str, symbol: str, args: int):
    """scipy.special's own C routine ``function`` of ``args`` doubles as a function compiled
    code can call, so results equal scipy.special's bit for bit.

    It is bound by symbol name rather than as a ctypes pointer: numba refuses to cache a
    function that embeds a pointer, and would then recompile every caller in every process.
    """
    binding.add_symbol(symbol, get_cython_function_address("scipy.special.cython_special",
                                                           function))
    return types.ExternalFunction(symbol, types.float64(*[types.float64] * args))


if JIT_DISABLED:  # plain Python calls scipy.special's ufuncs, which wrap the same routines
    _ndtri, _pdtrik = scipy.special.ndtri, scipy.special.pdtrik
else:
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
