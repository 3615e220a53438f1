"""Telling the user that the simulation core is being compiled, and how far it has got.

The first run on a machine (or after the compiled code changes) compiles the core, which takes
a minute or more; a silent first run would look hung. numba announces each real compile (not a
load from its on-disk cache) as a ``numba:compile`` event, so a listener can tell: it prints
"compiling the simulation core (first use on this machine, about N s)" once, then shows how
many of the core's functions are compiled (a tqdm bar on a terminal, a line or two when stderr
goes to a file or CI). With a warm cache there is no event and nothing is printed.

The expected time is the last cold compile measured on this machine (kept next to the cache,
see :func:`record_seconds`), else :data:`DEFAULT_SECONDS`. The expected count of compiled
functions is :data:`EXPECTED_COMPILES`: a wrong count only makes the bar end early or late.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from numba.core import event
from tqdm import tqdm

logger = logging.getLogger(__name__)

DEFAULT_SECONDS = 45.0
"""Cold compile on a two-core machine (benchmarks/bench_cold_start.py measured 37 to 48 s),
before any record."""
EXPECTED_COMPILES = 76
"""lead_sim functions numba compiles in a cold run (benchmarks/bench_cold_start.py counts them)."""

Progress = Callable[[int, int], None]
"""A progress callback: (functions compiled so far, functions expected)."""


def cache_root() -> Path:
    """The folder holding every version's numba cache (``$NUMBA_CACHE_DIR`` or
    ``~/.cache/lead_sim/numba``)."""
    return Path(os.environ.get("NUMBA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "lead_sim", "numba"))


def _record_path() -> Path:
    return cache_root() / "compile_seconds.json"


def expected_seconds() -> float:
    """Wall seconds a cold compile is expected to take here: the last one measured on this
    machine, or :data:`DEFAULT_SECONDS`."""
    try:
        seconds = float(json.loads(_record_path().read_text(encoding="utf-8"))["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_SECONDS
    return seconds if 0 < seconds < 3600 else DEFAULT_SECONDS


def record_seconds(seconds: float) -> None:
    """Keep the wall seconds of a cold compile just measured, for :func:`expected_seconds`
    (best effort: a read-only cache folder only loses the estimate)."""
    try:
        _record_path().parent.mkdir(parents=True, exist_ok=True)
        _record_path().write_text(json.dumps({"seconds": round(seconds, 1)}), encoding="utf-8")
    except OSError:
        pass


class CompileNotice(event.Listener):
    """Announces the first compile of a lead_sim function in this process, then counts the
    compiles that finish, on stderr and to any callbacks added with :meth:`follow`."""

    def __init__(self) -> None:
        self.started: float | None = None
        self.done = 0
        self.depth = 0
        self.bar: tqdm | None = None
        self.halfway_told = False
        self.quiet = False  # a helper process compiling for another one says nothing
        self.callbacks: list[Progress] = []

    def follow(self, callback: Progress | None) -> None:
        """Also report progress to ``callback`` (None: stop reporting to any)."""
        self.callbacks = [callback] if callback else []

    def on_start(self, ev: event.Event) -> None:
        if self.quiet or not ev.data["dispatcher"].py_func.__module__.startswith("lead_sim"):
            return
        self.depth += 1
        if self.started is None:
            self.started = time.monotonic()
            self._announce()

    def on_end(self, ev: event.Event) -> None:
        if self.quiet or not ev.data["dispatcher"].py_func.__module__.startswith("lead_sim"):
            return
        self.depth -= 1
        self.advance(1)

    def advance(self, n: int) -> None:
        """Count ``n`` more compiled functions (compiled here, or by a helper process)."""
        if self.started is None:
            return
        self.done += n
        total = max(EXPECTED_COMPILES, self.done)
        for callback in self.callbacks:
            callback(self.done, total)
        if self.bar is not None:
            self.bar.total = total
            self.bar.update(n)
            if self.done == EXPECTED_COMPILES:
                self.bar.close()
        elif not self.halfway_told and self.done >= EXPECTED_COMPILES // 2:
            self.halfway_told = True
            self._say(f"compiling: {self.done} of about {EXPECTED_COMPILES} functions, "
                      f"{time.monotonic() - (self.started or 0):.0f} s")

    def finish(self) -> None:
        """Say that compiling is over (nothing if nothing compiled since the last finish)."""
        if self.started is None:
            return
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self._say(f"simulation core compiled in {self.elapsed():.0f} s "
                  f"({self.done} functions)")
        self.started, self.done, self.halfway_told = None, 0, False

    def elapsed(self) -> float:
        """Wall seconds since the first compile of this process (0 if none)."""
        return 0.0 if self.started is None else time.monotonic() - self.started

    def _announce(self) -> None:
        import numba  # the cache folder of this version of the code (set by engine.jit)

        self._say("compiling the simulation core (first use on this machine, about "
                  f"{expected_seconds():.0f} s; cached in {numba.config.CACHE_DIR})")
        if (logger.isEnabledFor(logging.INFO) and sys.stderr is not None
                and getattr(sys.stderr, "isatty", lambda: False)()):
            self.bar = tqdm(total=EXPECTED_COMPILES, desc="compiling", unit="function",
                            file=sys.stderr, leave=False)

    @staticmethod
    def _say(message: str) -> None:
        """Through the ``lead_sim`` logger: the CLI shows it (not with -q); a library user
        decides with :mod:`logging`."""
        logger.info(message)


NOTICE = CompileNotice()
"""The process's one listener (registered by :mod:`lead_sim.engine.jit`)."""
