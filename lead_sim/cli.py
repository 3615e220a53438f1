"""The ``lead-sim`` command: parses arguments and hands over to one module per verb.

Each verb lives in ``lead_sim/commands/<verb>.py`` with ``register(subparsers)`` (adding its
parser and setting ``handler``), so a new verb is a new file. Input errors
(:class:`LeadSimError`) print one paragraph and exit with status 2, without a traceback; so do
the failures a user's files or system can cause (:func:`expected_failure`: a file that cannot
be read or written, bytes that are not UTF-8, a malformed TOML, JSON or Parquet file, input
nested too deeply or numbers too large). Any other exception is a bug and keeps its traceback;
``--debug`` shows the traceback of every error.
Ctrl-C and SIGTERM stop a command the same way, with status 130 (see :class:`StopSignals`).

Warnings and information come from the ``lead_sim`` logger; while a command runs, one handler
prints them on stderr in the form errors take (``lead-sim run: warning: ...``). ``-q`` keeps
warnings and errors only (no information, no progress), ``-v`` adds debugging detail; both are
accepted before or after the verb.
"""

from __future__ import annotations

import _thread
import argparse
import contextlib
import importlib
import json
import logging
import os
import pkgutil
import signal
import sys
import threading
import tomllib
import traceback
from collections.abc import Iterator
from types import FrameType
from typing import NoReturn

from lead_sim import __version__, commands
from lead_sim.errors import LeadSimError

VERB_ORDER = ("run", "compare", "params", "scenarios", "validate", "calibrate", "sweep",
              "optimize", "viz", "bench")


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other ``lead-sim`` error.

    argparse prints the whole usage block before a bad value's message (``--reps 0``), which
    buries the message; ``--help`` still shows the usage. Subparsers are made with the same
    class, so every verb behaves alike.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="lead-sim",
        description="Simulate police pre-booking diversion (LEAD) in Seattle and King County.",
    )
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of every error, input errors included")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_verbosity_options(parser)
    subparsers = parser.add_subparsers(dest="verb", metavar="COMMAND", required=True)
    found = [m.name for m in pkgutil.iter_modules(commands.__path__) if m.name != "common"]
    ordered = [v for v in VERB_ORDER if v in found] + sorted(set(found) - set(VERB_ORDER))
    for name in ordered:
        importlib.import_module(f"lead_sim.commands.{name}").register(subparsers)
    for verb_parser in subparsers.choices.values():
        add_verbosity_options(verb_parser)
    return parser


def add_verbosity_options(parser: argparse.ArgumentParser) -> None:
    """-q/--quiet and -v/--verbose. They default to SUPPRESS so that the verb's parser, which
    argparse fills in after the main one, cannot reset a -q given before the verb."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                       help="print only results, warnings and errors (no information or "
                            "progress)")
    group.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                       help="print debugging detail as well")


class VerbFormatter(logging.Formatter):
    """``lead-sim VERB: warning: message``, as errors are printed; information without the
    level."""

    def __init__(self, verb: str) -> None:
        super().__init__()
        self.verb = verb

    def format(self, record: logging.LogRecord) -> str:
        level = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        text = f"lead-sim {self.verb}: {level}{record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class StderrHandler(logging.StreamHandler):
    """A handler writing to whatever ``sys.stderr`` is when a record comes (tests swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


@contextlib.contextmanager
def command_logging(args: argparse.Namespace) -> Iterator[None]:
    """While a command runs: the ``lead_sim`` logger's records on stderr, at the level -q/-v
    ask for (INFO by default); afterwards the logger is as it was."""
    logger = logging.getLogger("lead_sim")
    handler = StderrHandler()
    handler.setFormatter(VerbFormatter(args.verb))
    previous = logger.level
    level = (logging.WARNING if getattr(args, "quiet", False)
             else logging.DEBUG if getattr(args, "verbose", False) else logging.INFO)
    logger.setLevel(level)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


class StopSignals:
    """While a command runs, SIGINT and SIGTERM raise KeyboardInterrupt once, then are ignored.

    Both signals then take the same way out: process pools are terminated, a sweep flushes its
    finished runs, and the command exits with status 130. SIGTERM's default action would kill
    the process on the spot, leaving pool workers behind and semaphores for multiprocessing's
    resource tracker to report as leaked. A second Ctrl-C, pressed while the command is
    stopping, is ignored: raised in the middle of that cleanup it could leave a pool
    half-shut and the process hung at exit. Stopping does not wait for runs in flight, so
    ignoring it costs the user nothing. Signals the shell already ignores (``nohup``, ``&``)
    stay ignored.

    Python drops an exception raised inside a garbage-collection callback or a ``__del__``
    (it prints "Exception ignored in ..." and carries on), and a signal's handler runs in
    whatever Python code is executing: Dask's scheduler, for one, times every collection
    with a callback. A KeyboardInterrupt lost that way is raised again from the main
    thread's next ordinary step (:meth:`_lost`), so one Ctrl-C always stops the command.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)
    RETRIES = 5  # a lost interrupt is raised again at most this many times

    def __init__(self) -> None:
        self.previous: dict[int, object] = {}
        self.received = False
        self.retries = 0
        self._unraisable = sys.unraisablehook

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                if signal.getsignal(sig) is not signal.SIG_IGN:
                    self.previous[sig] = signal.signal(sig, self._stop)
            self._unraisable = sys.unraisablehook
            sys.unraisablehook = self._lost
        return self

    def _lost(self, unraisable: sys.UnraisableHookArgs) -> None:
        """An exception Python dropped: if it is our KeyboardInterrupt, raise it again soon
        (from a timer, so not inside the code that drops it); anything else as usual."""
        if (self.received and unraisable.exc_type is KeyboardInterrupt
                and self.retries < self.RETRIES):
            self.retries += 1
            signal.signal(signal.SIGINT, self._again)
            threading.Timer(0.05, _thread.interrupt_main, (signal.SIGINT,)).start()
            return
        self._unraisable(unraisable)

    def _again(self, signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.received = True
        for sig in self.previous:
            signal.signal(sig, signal.SIG_IGN)
        raise KeyboardInterrupt

    def __exit__(self, *exc: object) -> None:
        if sys.unraisablehook == self._lost:
            sys.unraisablehook = self._unraisable
        # After a signal the process is on its way out: keep ignoring further ones through
        # interpreter shutdown, where a KeyboardInterrupt would only print a traceback.
        if not self.received:
            for sig, handler in self.previous.items():
                signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()  # imports every command: a second or two
    except KeyboardInterrupt:  # Ctrl-C while loading: nothing has started, no traceback
        print("lead-sim: interrupted.", file=sys.stderr)
        return 130
    args = parser.parse_args(argv)
    with StopSignals(), command_logging(args):
        return _handle(args)


#: Failures bad input or the system can cause, reported without a traceback. Parquet errors
#: (pyarrow's ArrowException and its subclasses) are recognised by their module
#: (:func:`expected_failure`), so pyarrow is not imported just to name them.
EXPECTED = (OSError, UnicodeError, RecursionError, OverflowError, MemoryError,
            tomllib.TOMLDecodeError, json.JSONDecodeError)


def expected_failure(exc: BaseException) -> bool:
    """True for a failure of the user's input or system rather than a bug in lead_sim."""
    return isinstance(exc, EXPECTED) or type(exc).__module__.split(".")[0] == "pyarrow"


def describe_failure(exc: BaseException) -> str:
    """One paragraph on an expected failure: the file it concerns, when it names one."""
    if isinstance(exc, OSError) and exc.strerror:
        files = " -> ".join(f"'{f}'" for f in (exc.filename, exc.filename2) if f is not None)
        what = f"{exc.strerror} ({files or 'writing standard output or a file in --out'})"
        return f"{what}. Check the path, its permissions and the free space on its disk."
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to read (arrays or tables within each other)."
    if isinstance(exc, MemoryError):
        return "out of memory; try a smaller --population, fewer --reps or fewer --workers."
    text = " ".join(str(exc).split()) or "no details"
    return f"{type(exc).__name__}: {text}."


def _handle(args: argparse.Namespace) -> int:
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, not at exit outside this handler
        return code
    except BrokenPipeError:
        # The reader went away (`lead-sim params | head`): stop quietly, as the Python docs'
        # "Note on SIGPIPE" advises; stdout goes to devnull so the final flush cannot fail too.
        _drop_stdout()
        return 1
    except LeadSimError as exc:
        _report(args, str(exc))
        _settle_stdout()
        return 2
    except KeyboardInterrupt:
        print(f"lead-sim {args.verb}: interrupted; nothing was written.", file=sys.stderr)
        return 130
    except Exception as exc:
        if not expected_failure(exc):
            raise  # a bug: its traceback is what a report needs
        _report(args, describe_failure(exc) + " (--debug shows where it happened.)")
        _settle_stdout()
        return 2


def _report(args: argparse.Namespace, message: str) -> None:
    if getattr(args, "debug", False):
        traceback.print_exc()
    print(f"lead-sim {args.verb}: error: {message}", file=sys.stderr)


def _settle_stdout() -> None:
    """Flush stdout after an error; output it cannot take (a full disk) is dropped, since it
    would fail again at exit, with a traceback."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        _drop_stdout()


def _drop_stdout() -> None:
    """Send what stdout still holds to devnull, so its flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout replaced or closed (tests): nothing to flush
        pass


if __name__ == "__main__":
    sys.exit(main())
