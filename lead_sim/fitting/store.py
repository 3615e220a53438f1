"""The calibration's evaluation log: one JSON line per finished candidate, flushed to disk.

A run that stops part-way resumes from the log with the same command; a line torn by a kill is
dropped, and a log written by another config is refused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from lead_sim.errors import LeadSimError
from lead_sim.fitting.config import STATISTICS, CalibrationConfig
from lead_sim.runs import io

EVALUATIONS = "evaluations.jsonl"

Done = dict[tuple[int, int], dict[str, Any]]  # (generation, candidate) -> record


def read_evaluations(path: Path, key: str) -> Done:
    """Finished candidates from an evaluations file; a torn last line (a kill) is ignored."""
    if not path.exists():
        return {}
    done: Done = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if not isinstance(record, dict) or record.get("key") != key:
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
    staging.write_text("".join(json.dumps(done[i]) + "\n" for i in sorted(done)),
                       encoding="utf-8")
    os.replace(staging, path)


def append_record(path: Path, record: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def evaluated(config: CalibrationConfig, out_dir: Path) -> int:
    """How many of the config's candidates ``out_dir`` already holds (a resumed run's start)."""
    done = open_out_dir(out_dir, config.key())
    return sum(1 for g, _ in done if g < config.generations)
