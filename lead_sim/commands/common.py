"""Arguments and helpers shared by several verbs."""

from __future__ import annotations

import argparse
import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lead_sim.calibration import DEFAULT, Calibrated, resolve
from lead_sim.errors import LeadSimError
from lead_sim.params import check_name
from lead_sim.runs import limits
from lead_sim.runs.atomic import out_lock
from lead_sim.runs.executors import EXECUTORS
from lead_sim.runs.io import check_out_name, check_writable
from lead_sim.runs.runner import parse_seed

logger = logging.getLogger(__name__)
#: A request estimated to take longer than this (wall time on its workers) is announced.
LONG_REQUEST_SECONDS = 3600


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def seed(text: str) -> int:
    """A --seed value (a whole number from 0 to MAX_SEED), so a negative seed is refused here
    rather than deep in NumPy with a traceback."""
    try:
        return parse_seed(text)
    except LeadSimError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got '{text}'") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def add_run_options(parser: argparse.ArgumentParser, reps: int = 1) -> None:
    """--seed, --reps, --years, --population and --set, as every simulation verb takes them."""
    parser.add_argument("--seed", type=seed, default=0, help="seed of replicate 1 (default 0)")
    parser.add_argument("--reps", type=positive_int, default=reps,
                        help=f"replicates per scenario (default {reps})")
    parser.add_argument("--years", type=positive_float, default=None,
                        help="simulate this many years from the start date (default: to the "
                             "scenario's end date)")
    parser.add_argument("--population", type=positive_int, default=None,
                        help="people at risk (default: the 'population' parameter)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="NAME=VALUE", help="override a parameter (repeatable)")


def add_executor_options(parser: argparse.ArgumentParser, work: str) -> None:
    """--executor, --workers and --scheduler: where ``work`` (runs, evaluations) execute."""
    parser.add_argument("--executor", choices=EXECUTORS, default="local",
                        help=f"where {work} execute (default: local process pool)")
    parser.add_argument("--workers", type=positive_int, default=2,
                        help="worker processes (local) or local Dask workers (default 2)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask; "
                             "without it a local Dask cluster starts)")


def check_scheduler_option(args: argparse.Namespace) -> None:
    """Refuse --scheduler without --executor dask."""
    if args.scheduler and args.executor != "dask":
        raise LeadSimError("--scheduler needs --executor dask.")


def add_force_option(parser: argparse.ArgumentParser) -> None:
    """--force: run a request that the limits would refuse (lead_sim.runs.limits)."""
    parser.add_argument("--force", action="store_true",
                        help="run even with more --workers than CPUs, or when the estimate "
                             "before the first run exceeds the machine's available memory or "
                             "a day of CPU time (refused otherwise, with the figures)")


def check_cost(args: argparse.Namespace, verb: str, simulations: int, days: int,
               population: int, series_replicate_years: float = 0.0) -> limits.Estimate:
    """Refuse, before anything runs, too many --workers or a request beyond reason for this
    machine (lead_sim.runs.limits), unless --force; log the estimate."""
    workers = getattr(args, "workers", 1)
    force = getattr(args, "force", False)
    if not getattr(args, "scheduler", None):  # a remote cluster's workers are not ours
        limits.check_workers(workers, force)
    cost = limits.estimate(simulations, days, population, workers, series_replicate_years)
    limits.check_estimate(cost, force, f"lead-sim {verb}")
    if cost.wall_seconds > LONG_REQUEST_SECONDS:  # said up front, so a mistake costs little
        logger.warning("this request needs %s; Ctrl-C stops it.", cost.describe())
    else:  # with -v: a short request needs no announcement
        logger.debug("estimated %s.", cost.describe())
    return cost


def warn(verb: str, messages: list[str]) -> None:
    """Log warnings, one record each; the command prints them on stderr in the form errors
    take (``lead-sim VERB: warning: ...``), ``verb`` kept for callers that name it."""
    for message in messages:
        logger.warning(message)


def overrides(args: argparse.Namespace) -> dict:
    """The --set NAME=VALUE pairs; a name given twice, or a population given both ways, is
    refused rather than silently won by one of them."""
    pairs: dict = {}
    for text in args.overrides:
        name, value = parse_assignment(text)
        if name in pairs and pairs[name] != value:
            raise LeadSimError(f"--set {name} is given twice ({pairs[name]!r} and {value!r}); "
                               "give it once.")
        pairs[name] = value
    if "population" in pairs and getattr(args, "population", None) is not None:
        raise LeadSimError("The population is given twice (--population and --set "
                           "population=...); use --population alone.")
    return pairs


def require_out(out: str | None) -> str:
    """The --out folder, refused before any work if it (or a folder above it) is a file."""
    if not out:
        raise LeadSimError("--out DIR is required: the folder to write results into.")
    check_out_name(out)
    for path in (Path(out), *Path(out).parents):
        if path.exists() and not path.is_dir():
            raise LeadSimError(f"--out '{out}': '{path}' is a file, not a folder; choose a "
                               "folder. Nothing was written.")
    check_writable(out)
    return out


def locking_out(handle: Callable[[argparse.Namespace], int]
                ) -> Callable[[argparse.Namespace], int]:
    """A verb's handler that holds the exclusive lock on its --out folder from the first check
    to the last file written: a second process given the same folder is refused before it runs
    anything, so two never write one folder."""
    @functools.wraps(handle)
    def locked(args: argparse.Namespace) -> int:
        with out_lock(require_out(args.out)):
            return handle(args)
    return locked


def add_calibrated_option(parser: argparse.ArgumentParser, draws: bool = False,
                          seeds_only: bool = False) -> None:
    """--calibrated FILE or --uncalibrated (the shipped fit otherwise); for verbs that support
    them, --posterior-draws (opt in) or --seeds-only (opt out of the default draws)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--calibrated", default=None, metavar="FILE",
                       help="start from the calibrated values in FILE (a calibrated.toml from "
                            "'lead-sim calibrate') instead of the shipped calibration (--set "
                            "values, in the commands that take them, still win)")
    group.add_argument("--uncalibrated", action="store_true",
                       help="start from the parameter registry's defaults, not the shipped "
                            "calibration")
    if draws:
        parser.add_argument("--posterior-draws", action="store_true",
                            help="replicate i runs with draw i of the calibration's posterior, "
                                 "so results span parameter uncertainty as well as noise")
    if seeds_only:
        parser.add_argument("--seeds-only", action="store_true",
                            help="keep the parameters at the calibrated point: intervals then "
                                 "show sampling noise alone (by default replicate i runs with "
                                 "draw i of the calibration's posterior)")


def calibration_choice(args: argparse.Namespace) -> str | None:
    """What the runs start from: the shipped fit, the --calibrated FILE, or None with
    --uncalibrated."""
    if args.uncalibrated:
        if getattr(args, "posterior_draws", False):
            raise LeadSimError("--posterior-draws needs a calibration; drop --uncalibrated.")
        return None
    return args.calibrated or DEFAULT


def calibrated(args: argparse.Namespace) -> Calibrated | None:
    """The calibration the runs start from (checked), or None with --uncalibrated."""
    return resolve(calibration_choice(args))


def calibration_note(name: str, draws: bool = False) -> str:
    """One line saying what the printed numbers start from."""
    if name == "none":
        return ("Parameters: the registry's defaults (--uncalibrated), not calibrated to the "
                "evaluation.")
    which = "the shipped calibration" if name == DEFAULT else f"the calibration in {name}"
    spread = ("; replicate i uses posterior draw i" if draws
              else " (its posterior median)")
    return f"Parameters: {which}{spread}; --uncalibrated gives the registry's defaults."


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse a command-line ``NAME=VALUE`` into a validated (name, value) pair."""
    if "=" not in text:
        raise LeadSimError(f"--set expects NAME=VALUE, got '{text}'.")
    name, raw = (part.strip() for part in text.split("=", 1))
    param = check_name(name, "--set")
    if param.kind == "choice":
        return name, param.validate(raw, "--set")
    try:
        value: Any = float(raw)
    except ValueError:
        raise LeadSimError(
            f"--set {name}: '{raw}' is not a number; allowed {param.low:g} to {param.high:g} "
            f"{param.unit}."
        ) from None
    return name, param.validate(value, "--set")
