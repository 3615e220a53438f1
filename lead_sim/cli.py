"""The ``lead-sim`` command: parses arguments and hands over to one module per verb.

Each verb lives in ``lead_sim/commands/<verb>.py`` with ``register(subparsers)`` (adding its
parser and setting ``handler``), so a new verb is a new file. Input errors
(:class:`LeadSimError`) print one paragraph and exit with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from lead_sim import commands
from lead_sim.errors import LeadSimError

VERB_ORDER = ("run", "compare", "params", "scenarios", "validate", "calibrate", "sweep", "viz",
              "bench")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lead-sim",
        description="Simulate police pre-booking diversion (LEAD) in Seattle and King County.",
    )
    subparsers = parser.add_subparsers(dest="verb", metavar="COMMAND", required=True)
    found = [m.name for m in pkgutil.iter_modules(commands.__path__) if m.name != "common"]
    ordered = [v for v in VERB_ORDER if v in found] + sorted(set(found) - set(VERB_ORDER))
    for name in ordered:
        importlib.import_module(f"lead_sim.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
