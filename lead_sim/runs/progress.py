"""Progress on stderr: a tqdm bar on a terminal, plain lines in a log file or CI.

tqdm redraws its bar with carriage returns, which a log file keeps as one ever-growing line, so
tqdm hides itself when stderr is not a terminal (``disable=None``) and a long sweep in CI or
under ``nohup`` would show nothing at all. tqdm has no line-per-update mode of its own, so
:class:`LineProgress` prints a short line every tenth of the work or every half-minute
instead, formatted with tqdm's own helpers, and nothing at all for work that ends within a few
seconds (a log needs no progress of a one-second run).

Progress is information: it is hidden like the ``lead_sim`` logger's information, when that
logger's level is set above INFO (``lead-sim -q``, or a library user's
``logging.getLogger("lead_sim").setLevel(logging.WARNING)``).
"""

from __future__ import annotations

import logging
import math
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from tqdm import tqdm


class LineProgress:
    """The part of tqdm's interface the commands use, printed as plain lines.

    A line (done/total, percent, rate, elapsed, ETA and any postfix) is printed when a further
    ``every_share`` of the total is done or ``every_seconds`` have passed since the last line,
    whichever comes first, and once at the end; but none before ``after_seconds`` have passed,
    so work shorter than that prints nothing. Lines are only printed as work finishes, so a
    single very long run still shows nothing until it ends.
    """

    def __init__(self, total: int, desc: str, unit: str, file: TextIO, *, initial: int = 0,
                 every_share: float = 0.1, every_seconds: float = 30.0,
                 after_seconds: float = 5.0,
                 clock: Callable[[], float] | None = None) -> None:
        self.total, self.desc, self.unit, self.file = total, desc, unit, file
        self.n = self.initial = initial  # work done before (a resumed run): not in the rate
        self.step = max(1, math.ceil(total * every_share))
        self.every_seconds = every_seconds
        self.after_seconds = after_seconds
        self.clock = clock or time.monotonic  # looked up now: a test may stand in for it
        self.start = self.last = self.clock()
        self.next_n = (initial // self.step + 1) * self.step
        self.postfix: dict[str, Any] = {}

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to clear: every line is already complete."""

    def set_postfix(self, refresh: bool = False, **values: Any) -> None:
        self.postfix = values

    def refresh(self) -> None:
        """Nothing to redraw: the next line shows the new total."""

    def write(self, message: str, file: TextIO | None = None) -> None:
        """Print a message line, as ``tqdm.write`` does above a bar."""
        out = file if file is not None else self.file
        out.write(message + "\n")
        out.flush()

    def update(self, n: int = 1) -> None:
        self.n += n
        now = self.clock()
        if now - self.start < self.after_seconds:
            return  # short work: no line yet (the share and time steps still count from 0)
        if self.n >= self.next_n or self.n >= self.total or now - self.last >= self.every_seconds:
            self.next_n = (self.n // self.step + 1) * self.step
            self.last = now
            self.file.write(self.line(now) + "\n")
            self.file.flush()

    def line(self, now: float) -> str:
        elapsed = now - self.start
        rate = (self.n - self.initial) / elapsed if elapsed > 0 else 0.0
        eta = tqdm.format_interval((self.total - self.n) / rate) if rate > 0 else "?"
        share = 100 * self.n / self.total if self.total else 100.0
        extra = "".join(f", {k} {v}" for k, v in self.postfix.items())
        return (f"{self.desc}: {self.n:,}/{self.total:,} {self.unit}s ({share:.0f}%), "
                f"{rate:.2f} {self.unit}s/s, elapsed {tqdm.format_interval(elapsed)}, "
                f"ETA {eta}{extra}")


def progress_bar(total: int, desc: str, unit: str, *, enabled: bool = True,
                 file: TextIO | None = None, **tqdm_options: Any) -> tqdm | LineProgress:
    """A tqdm bar if ``file`` (default stderr) is a terminal, else a :class:`LineProgress`;
    disabled when ``enabled`` is false or the ``lead_sim`` logger hides information."""
    file = file if file is not None else sys.stderr
    enabled = enabled and not quiet()
    is_tty = getattr(file, "isatty", lambda: False)()
    if not enabled or is_tty or total == 0:
        return tqdm(total=total, desc=desc, unit=unit, file=file,
                    disable=not enabled or total == 0, **tqdm_options)
    return LineProgress(total, desc, unit, file, initial=tqdm_options.get("initial", 0))


def quiet() -> bool:
    """True when the ``lead_sim`` logger's own level is set above INFO (``lead-sim -q``); a
    library user who configured nothing still sees progress."""
    level = logging.getLogger("lead_sim").level
    return level != logging.NOTSET and level > logging.INFO
