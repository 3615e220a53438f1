"""The calibration's evaluation log: one JSON line per finished candidate, flushed to disk.

A run that stops part-way resumes from the log with the same command. Each line carries a
checksum over its fields (``sha``, :func:`lead_sim.runs.checksums.sign_record`): a line torn by
a kill, edited, damaged on disk, or written by a lead_sim older than the checksums fails its
check, is moved out of the log into ``set_aside/`` (kept, with the reason), named in a warning,
and its candidate is evaluated again. A log written by another config is refused.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from lead_sim.errors import LeadSimError
from lead_sim.fitting.config import STATISTICS, CalibrationConfig
from lead_sim.runs import checksums, io

EVALUATIONS = "evaluations.jsonl"

Done = dict[tuple[int, int], dict[str, Any]]  # (generation, candidate) -> record
Damaged = list[tuple[int, str, str]]  # (line number, line, why)

logger = logging.getLogger(__name__)


def read_evaluations(path: Path, key: str) -> Done:
    """Finished candidates from an evaluations file; lines failing their check are skipped
    (:func:`repair_evaluations` sets them aside)."""
    return _scan(path, key)[0]


def _scan(path: Path, key: str) -> tuple[Done, Damaged]:
    """The intact records of an evaluations file, and its lines that fail their check."""
    if not path.exists():
        return {}, []
    done: Done = {}
    damaged: Damaged = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace")
                                  .splitlines(), start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            damaged.append((number, line, "not a whole JSON record (cut off or damaged)"))
            continue
        intact = isinstance(record, dict) and checksums.record_intact(record)
        unsigned = isinstance(record, dict) and "sha" not in record
        if not intact and not (unsigned and record.get("key") != key):
            why = ("no checksum (written by an older lead_sim)" if unsigned
                   else "its checksum does not match (edited or damaged)")
            damaged.append((number, line, why))
            continue
        if record.get("key") != key:  # signed, or unsigned of another calibration
            raise LeadSimError(
                f"{path} holds evaluations of a different calibration (config, population, "
                "replicates, seed, or the scenario's definition or parameter defaults changed)."
                " Use a new --out folder, or delete the file.")
        problem = _malformed(record)
        if problem:
            raise LeadSimError(
                f"Line {number} of {path} is not a complete evaluation: {problem}. The file was "
                "edited or damaged by something other than lead-sim calibrate; delete that line "
                "(its candidate is evaluated again) or use a new --out folder.")
        done[record.get("generation", 0), record["candidate"]] = record
    return done, damaged


def repair_evaluations(path: Path, key: str) -> Done:
    """The intact records of the log, after moving the lines that fail their check out of it.

    The bad lines go to ``set_aside/`` beside the log (never deleted), a warning names their
    line numbers and why, and the log is rewritten without them, so their candidates are
    evaluated again and the result equals an uninterrupted run's.
    """
    done, damaged = _scan(path, key)
    if damaged:
        bad = path.with_name(f"{path.stem}-damaged-lines{path.suffix}")
        bad.write_text("".join(line + "\n" for _, line, _ in damaged), encoding="utf-8")
        reasons = "; ".join(f"line {n}: {why}" for n, _, why in damaged)
        kept = checksums.set_aside(bad, f"Lines set aside from {path}: {reasons}")
        logger.warning("%s: %d line(s) failed their check and were set aside in %s (%s); "
                       "their candidates will be evaluated again.", path, len(damaged), kept,
                       reasons)
        rewrite_records(path, done)
    return done


def _malformed(record: dict[str, Any]) -> str:
    """What an evaluation record of the right calibration lacks, or '' if nothing.

    Checked on reading, so a hand-edited line is reported with its line number rather than
    failing later with a KeyError far from the file.
    """
    def whole(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    if not whole(record.get("candidate")):
        return f"'candidate' must be a whole number >= 0; got {record.get('candidate')!r}"
    if not whole(record.get("generation", 0)):
        return f"'generation' must be a whole number >= 0; got {record.get('generation')!r}"
    if not isinstance(record.get("values"), dict):
        return "'values' (the candidate's parameters) is missing"
    reps = record.get("reps")
    if not isinstance(reps, list) or not reps:
        return "'reps' (the replicates' statistics) is missing or empty"
    for rep in reps:
        missing = [s for s in STATISTICS if not isinstance(rep, dict) or s not in rep]
        if missing:
            return f"a replicate lacks {', '.join(missing)}"
    return ""


def open_out_dir(out_dir: Path, key: str) -> Done:
    """The evaluations already in --out, after refusing a folder that holds anything but this
    calibration (before anything is written).

    Calibration resumes, so its own folder must pass: finished, it has a manifest.json with the
    config's ``key`` (as run and validate record theirs); part-way, only evaluations.jsonl, whose
    records carry the key. A new or empty folder passes too.
    """
    evaluations = out_dir / EVALUATIONS
    if (out_dir / "manifest.json").exists() or not evaluations.exists():
        io.check_out_dir(out_dir, key, field="key", what="calibration")
    return read_evaluations(evaluations, key)


def rewrite_records(path: Path, done: Done) -> None:
    """Replace the evaluations file by its complete records, atomically."""
    staging = path.with_name(f".{path.name}.tmp")
    staging.write_text("".join(json.dumps(checksums.sign_record(done[i])) + "\n"
                               for i in sorted(done)), encoding="utf-8")
    os.replace(staging, path)


def append_record(path: Path, record: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(checksums.sign_record(record)) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def evaluated(config: CalibrationConfig, out_dir: Path) -> int:
    """How many of the config's candidates ``out_dir`` already holds (a resumed run's start)."""
    done = open_out_dir(out_dir, config.key())
    return sum(1 for g, _ in done if g < config.generations)
