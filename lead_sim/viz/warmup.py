"""Load (or, on first use, compile) the simulation's compiled core in the background when the
page opens, so the page can say what is happening instead of freezing on the first Step.

The first simulated day of a process loads the numba-compiled core from its cache, or compiles
it when the cache is empty (first use after installing or upgrading). One warm-up per server
process: every session waits on the same one.
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)

#: Seconds a first-use compile takes on an idle 2-core machine: 161 s measured (rounded up to
#: 3 minutes in the message). Measured here under load: 291 s for the first model step with a
#: load average near 7, 705 s from opening the page to Step with a load average near 13.
#: Loading an already compiled core takes a few seconds.
FIRST_USE_SECONDS = 180


class Warmup:
    """A one-off background run of a tiny model for one day; :attr:`ready` once it returns."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.started_at: float | None = None
        self.error: str = ""
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the warm-up thread unless it has been started already."""
        with self._lock:
            if self.started_at is not None:
                return
            self.started_at = time.monotonic()
        threading.Thread(target=self._run, name="lead-sim-warmup", daemon=True).start()

    def _run(self) -> None:
        try:
            from lead_sim.model import LeadModel
            from lead_sim.viz.levers import BASELINE, build_scenario

            LeadModel(build_scenario(BASELINE, population=100), 0).step()
            logger.info("simulation core ready after %.0f s", self.elapsed())
        except Exception as exc:  # shown in the page; the server keeps running
            logger.exception("warming up the simulation core failed")
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.ready.set()

    def elapsed(self) -> float:
        return 0.0 if self.started_at is None else time.monotonic() - self.started_at

    def message(self) -> str:
        """What the page says while the core is prepared ('' once ready)."""
        if self.error:
            return f"Preparing the simulation failed: {self.error}"
        if self.ready.is_set():
            return ""
        return (f"Preparing the simulation (first use: compiling its core takes about "
                f"{FIRST_USE_SECONDS // 60} minutes on two idle cores, longer on a busy "
                "machine; later starts take a few seconds). "
                f"{self.elapsed():.0f} s so far. The explorer opens by itself when it is ready; "
                "meanwhile, read about the model below.")


WARMUP = Warmup()
