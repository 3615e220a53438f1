"""The search's folder on disk: every evaluation, kept as it finishes, so a killed search resumes.

Layout of ``DIR/store/``::

    search.json         the config's fingerprint and the settings that decide the numbers
    evaluations.jsonl   one line per finished evaluation (generation, candidate, replicate,
                        seed, the candidate's numbers and its outcomes), each signed with a
                        ``sha`` field over its other fields (lead_sim.runs.checksums)

A line is appended and flushed as each evaluation finishes, so a search killed at any moment,
even by SIGKILL, loses only the evaluations still running. On the next start the search is
replayed from the first generation with the same seed: the optimiser asks for the same
candidates when told the same results, so each evaluation found in the store (same
generation, candidate, replicate and numbers) is read back instead of run, and only the
missing ones run. A line that is damaged (cut short by a kill, edited, garbled) fails its
checksum: the file is moved to ``store/set_aside/`` with a note, the good lines are written
back, and the lost evaluations run again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from pathlib import Path
from typing import Any

from lead_sim.errors import LeadSimError
from lead_sim.runs.checksums import record_intact, set_aside, sign_record

logger = logging.getLogger(__name__)

STORE = "store"
LOG = "evaluations.jsonl"
META = "search.json"
#: Output files a finished search writes beside its store; a folder holding only these (and
#: the store) is this command's.
OUTPUTS = ("pareto.csv", "evaluations.csv", "report.html", "manifest.json")
Key = tuple[int, int, int]  # generation, candidate index, replicate


def fingerprint(data: dict[str, Any]) -> str:
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class SearchStore:
    """One search folder: created fresh, or reopened to resume the same search."""

    def __init__(self, out_dir: str | os.PathLike[str], settings: dict[str, Any]) -> None:
        self.dir = Path(out_dir)
        self.store = self.dir / STORE
        self.settings = settings
        self.key = fingerprint(settings)
        self.records: dict[Key, dict[str, Any]] = {}
        self._log = None

    def check(self) -> bool:
        """True if the folder holds this search (resume); fail if it holds something else."""
        meta = self.store / META
        if meta.exists():
            try:
                stored = json.loads(meta.read_text(encoding="utf-8"))
            except (ValueError, OSError) as exc:
                raise LeadSimError(f"'{meta}' cannot be read ({exc}); use a new --out folder, "
                                   f"or delete '{self.dir}' to start over.") from None
            if not isinstance(stored, dict) or stored.get("fingerprint") != self.key:
                theirs = stored.get("settings", {}) if isinstance(stored, dict) else {}
                differs = sorted(k for k in {*theirs, *self.settings}
                                 if json.dumps(theirs.get(k), default=str)
                                 != json.dumps(self.settings.get(k), default=str))
                raise LeadSimError(
                    f"'{self.dir}' holds a different search (it differs in: "
                    f"{', '.join(differs) or 'its settings'}). Use a new --out folder, or "
                    f"delete '{self.dir}' to start over.")
            return True
        if self.dir.exists() and any(p.name not in (STORE, *OUTPUTS) for p in self.dir.iterdir()):
            raise LeadSimError(f"'{self.dir}' exists and is not a search folder; choose an empty "
                               "or new --out folder.")
        return False

    def open(self) -> int:
        """Create or reopen the store (the caller holds the --out lock); returns the number of
        evaluations already done. Damaged lines are set aside (see the module docstring)."""
        self.store.mkdir(parents=True, exist_ok=True)
        meta = self.store / META
        if not meta.exists():
            _atomic(meta, json.dumps({"fingerprint": self.key, "settings": self.settings,
                                      "code": code_version()}, indent=2, default=str) + "\n")
        else:
            self._warn_if_code_changed(json.loads(meta.read_text(encoding="utf-8")).get("code"))
        log = self.store / LOG
        if log.exists():
            self._read(log)
        self._log = log.open("a", encoding="utf-8")
        return len(self.records)

    def _warn_if_code_changed(self, started: dict[str, str] | None) -> None:
        """Say so when resuming a search started by other lead_sim code: not a refusal (most
        commits change no number), but a model change would mix evaluations of two models."""
        now = code_version()
        if started and started != now:
            logger.warning("'%s' was started with lead_sim %s at commit %s; this is %s at "
                           "commit %s. If the model changed in between, the search mixes "
                           "evaluations of both: use a new --out folder to be sure.", self.dir,
                           started.get("lead_sim"), started.get("git_commit"),
                           now["lead_sim"], now["git_commit"])

    def _read(self, log: Path) -> None:
        good: list[str] = []
        bad = 0
        raw = log.read_bytes().decode("utf-8", errors="replace")
        for line in raw.splitlines():
            try:
                record = json.loads(line)
                ok = isinstance(record, dict) and record_intact(record)
            except ValueError:
                ok = False
            if ok:
                good.append(line)
                self.records[_key(record)] = record
            else:
                bad += 1
        if bad or (raw and not raw.endswith("\n")):
            where = set_aside(log, f"{bad} damaged line(s) of {bad + len(good)} (checksum or "
                                   "JSON failed); the good lines were kept and the lost "
                                   "evaluations are run again")
            _atomic(log, "".join(line + "\n" for line in good))
            logger.warning("%s: %d damaged evaluation record(s) set aside in %s; they will "
                           "be run again.", self.dir, bad, where)

    def close(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def find(self, key: Key, x: list[float]) -> dict[str, Any] | None:
        """The stored evaluation of ``key`` if it was of these same numbers ``x``."""
        record = self.records.get(key)
        return record if record is not None and record["x"] == x else None

    def add(self, record: dict[str, Any]) -> None:
        """Keep a finished evaluation: appended and flushed at once."""
        signed = sign_record(record)
        self.records[_key(signed)] = signed
        self._log.write(json.dumps(signed, separators=(",", ":"), default=str) + "\n")
        self._log.flush()


def code_version() -> dict[str, str]:
    """The lead_sim release and git commit running now, recorded when a search starts."""
    from lead_sim.runs.manifest import git_commit, package_versions

    return {"lead_sim": package_versions()["lead_sim"], "git_commit": git_commit()}


def _key(record: dict[str, Any]) -> Key:
    return int(record["generation"]), int(record["index"]), int(record["rep"])


def _atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename: whole or absent."""
    tmp = path.parent / f".tmp-{uuid.uuid4().hex}-{path.name}"
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
