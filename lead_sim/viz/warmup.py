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

from lead_sim.runs.warmup import expected_seconds

logger = logging.getLogger(__name__)


class Warmup:
    """A one-off background run of a tiny model for one day; :attr:`ready` once it returns."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.started_at: float | None = None
        self.error: str = ""
        #: Seconds the first-use compile is expected to take, read when the warm-up starts:
        #: the last cold compile measured on this machine, else a default
        #: (:func:`lead_sim.runs.warmup.expected_seconds`; 0 when the core is compiled).
        self.expected: float | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the warm-up thread unless it has been started already."""
        with self._lock:
            if self.started_at is not None:
                return
            self.started_at = time.monotonic()
            self.expected = expected_seconds()
        threading.Thread(target=self._run, name="lead-sim-warmup", daemon=True).start()

    def _run(self) -> None:
        try:
            from lead_sim.model import LeadModel
            from lead_sim.runs.warmup import warm_up
            from lead_sim.viz.levers import BASELINE, build_scenario

            warm_up()  # a cold compile shares the work with a helper process
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
        expected = expected_seconds() if self.expected is None else self.expected
        if expected <= 0:  # compiled already: only loading
            what = "loading its compiled core takes a few seconds"
        else:
            what = (f"first use: compiling its core takes about {expected:.0f} s on this "
                    "machine, longer when it is busy; later starts take a few seconds")
        return (f"Preparing the simulation ({what}). "
                f"{self.elapsed():.0f} s so far. The explorer opens by itself when it is ready; "
                "meanwhile, read about the model below.")


WARMUP = Warmup()
