"""The ``lead-sim`` command: parses arguments and hands over to one module per verb.

Each verb lives in ``lead_sim/commands/<verb>.py`` with ``register(subparsers)`` (adding its
parser and setting ``handler``), so a new verb is a new file. Input errors
(:class:`LeadSimError`) print one paragraph and exit with status 2, without a traceback.
Ctrl-C and SIGTERM stop a command the same way, with status 130 (see :class:`StopSignals`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import signal
import sys
import threading
from types import FrameType
from typing import NoReturn

from lead_sim import __version__, commands
from lead_sim.errors import LeadSimError

VERB_ORDER = ("run", "compare", "params", "scenarios", "validate", "calibrate", "sweep", "viz",
              "bench")


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
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="verb", metavar="COMMAND", required=True)
    found = [m.name for m in pkgutil.iter_modules(commands.__path__) if m.name != "common"]
    ordered = [v for v in VERB_ORDER if v in found] + sorted(set(found) - set(VERB_ORDER))
    for name in ordered:
        importlib.import_module(f"lead_sim.commands.{name}").register(subparsers)
    return parser


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
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.previous: dict[int, object] = {}
        self.received = False

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                if signal.getsignal(sig) is not signal.SIG_IGN:
                    self.previous[sig] = signal.signal(sig, self._stop)
        return self

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.received = True
        for sig in self.previous:
            signal.signal(sig, signal.SIG_IGN)
        raise KeyboardInterrupt

    def __exit__(self, *exc: object) -> None:
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
    with StopSignals():
        return _handle(args)


def _handle(args: argparse.Namespace) -> int:
    try:
        code = int(args.handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, not at exit outside this handler
        return code
    except BrokenPipeError:
        # The reader went away (`lead-sim params | head`): stop quietly, as the Python docs'
        # "Note on SIGPIPE" advises; stdout goes to devnull so the final flush cannot fail too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except LeadSimError as exc:
        print(f"lead-sim {args.verb}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"lead-sim {args.verb}: interrupted; nothing was written.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
