"""``lead-sim calibrate``: fit uncertain parameters to the evidence targets (ABC, resumable)."""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from lead_sim.commands.common import (
    add_force_option,
    check_cost,
    locking_out,
    positive_int,
    require_out,
)
from lead_sim.fitting.abc_smc import weighted_median
from lead_sim.fitting.calibration_report import fit_report_html
from lead_sim.fitting.config import CalibrationConfig, load_config, method
from lead_sim.fitting.fit import calibrated_toml, posterior, run_evaluations
from lead_sim.fitting.store import EVALUATIONS, evaluated
from lead_sim.params import Params
from lead_sim.reports.words import num
from lead_sim.runs.io import csv_writer, json_writer, write_folder
from lead_sim.runs.manifest import build_manifest, command_line
from lead_sim.runs.progress import progress_bar

logger = logging.getLogger(__name__)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "calibrate", help="fit parameters to the evidence targets (ABC), resumable",
        description="Draw candidate parameter sets from the priors in CONFIG (a "
                    "built-in config's name, 'pilot', or a TOML file), run each for a few "
                    "replicates of the pilot, and accept those closest to the targets; with "
                    "generations > 1, draw again around the accepted sets (ABC-SMC). "
                    "Finished candidates are appended to DIR/evaluations.jsonl; running the "
                    "same command again after an interruption evaluates only the missing ones. "
                    "Writes posterior.csv, "
                    "candidates.csv, calibrated.toml, fit_report.html and manifest.json.")
    parser.add_argument("config", help="calibration config: a built-in name (pilot) or a TOML "
                        "file")
    parser.add_argument("--out", required=True, metavar="DIR", help="calibration folder")
    parser.add_argument("--workers", type=positive_int, default=1,
                        help="worker processes (default 1)")
    parser.add_argument("--stop-after", type=positive_int, default=None, metavar="N",
                        help="evaluate at most N more candidates, then stop (resume later)")
    add_force_option(parser)
    parser.set_defaults(handler=handle)


@locking_out
def handle(args: argparse.Namespace) -> int:
    out = Path(require_out(args.out))
    config = load_config(args.config)
    total = config.candidates * config.generations
    # each candidate keeps its replicates' statistics, not their series
    check_cost(args, "calibrate", total * config.reps, config.prepared.days, config.population)
    # finished candidates start the bar, so its rate and ETA count only this session's work
    bar = progress_bar(total, "candidates", "candidate", leave=False,
                       initial=evaluated(config, out))
    started = time.perf_counter()
    try:
        with bar:
            done = run_evaluations(config, out, args.workers, bar.update, args.stop_after)
    except KeyboardInterrupt:
        logger.warning("interrupted; finished candidates are kept in %s. Run the same command "
                       "again to resume.", out / EVALUATIONS)
        return 130
    finished = sum(1 for g, _ in done if g < config.generations)
    if finished < total:
        print(f"{finished} of {total} candidates evaluated; run the same command again to "
              "finish.")
        return 0
    post = posterior(config, done)
    command = command_line(["lead-sim", "calibrate", args.config, "--out", args.out,
                            "--workers", str(args.workers)])
    manifest = _manifest(config, round(time.perf_counter() - started, 1))
    write_folder(out, {
        "candidates.csv": csv_writer(post.candidates),
        "posterior.csv": csv_writer(post.accepted),
        # UTF-8 whatever the locale: a path or scenario name may not be ASCII, and the report
        # has non-breaking spaces (a Windows code page could not write them).
        "calibrated.toml": lambda p: p.write_text(calibrated_toml(post, command),
                                                  encoding="utf-8"),
        "fit_report.html": lambda p: p.write_text(fit_report_html(post, manifest),
                                                  encoding="utf-8"),
        "manifest.json": json_writer(manifest),
    })
    _print(post, out)
    return 0


def _manifest(config: CalibrationConfig, seconds: float) -> dict[str, Any]:
    """The calibration's provenance, labelled by ``kind`` like the other commands' manifests.

    It records the scenario the candidates ran (its definition, as ``validate`` records it)
    and ``params``, the values it starts from (as in run and validate manifests; each
    candidate then sets the calibrated ones), besides the config's settings, so a
    calibration can be judged and repeated without the scenario file as it was then.
    """
    settings = {k: v for k, v in asdict(config).items() if k != "prepared"}
    return build_manifest(kind="lead-sim calibrate", config=config.path, key=config.key(),
                          method=method(config), settings=settings,
                          scenario=config.prepared.to_dict(),
                          params=dict(Params.with_overrides(config.prepared.params)),
                          seeds=[config.seed + r for r in range(config.reps)],
                          seconds_this_session=seconds)


def _print(post, out: Path) -> None:
    print(f"{method(post.config)}: accepted {len(post.accepted)} of {post.config.candidates} "
          "candidates in the last generation "
          f"(distance {num(post.accepted['distance'].min())} to "
          f"{num(post.accepted['distance'].max())}).")
    for name, value in post.point().items():
        print(f"  {name:<28} {num(value)}")
    for t in post.config.targets:
        median = weighted_median(post.accepted[t.name].to_numpy(float),
                                 post.accepted["weight"].to_numpy(float))
        print(f"  target {t.name:<20} {num(t.value):>8}  accepted median {num(median)}")
    print(f"\nWrote {out}/calibrated.toml, posterior.csv, candidates.csv, fit_report.html and "
          "manifest.json")
