"""The sweep's folder on disk: design, result shards, and what is still missing (resume).

Layout of ``DIR``::

    sweep.json          the spec's fingerprint and the settings that decide the numbers
    design.parquet      every run: run_id, row, rep, seed and the sampled values
    shards/part-*-<digest>.parquet   finished runs (status ok or failed, error, outcomes),
                        appended; the name carries a checksum of the file's bytes
    shards/set_aside/   shards that failed their check, kept for inspection (their runs rerun)
    runs.csv            all runs joined with their design, sorted by run_id (at the end)

Finished runs are buffered briefly and written as a new shard file (written beside it, then
renamed into place), so a shard on disk is always complete: a sweep killed at any moment, even
by SIGKILL, loses only the runs still in its buffer, and the next start reruns exactly those.
Nothing else is held in memory between shards, so memory stays flat as a sweep grows.
A lock file stops two processes from filling the same folder at once.

Every shard's name carries a SHA-256 digest of its bytes (:mod:`lead_sim.runs.checksums`),
taken when it was written. :meth:`SweepStore.verify`, run when a sweep resumes and again before
it is analysed, sets aside every shard that is unreadable, zero-byte, truncated, altered or
without a digest (written by a lead_sim older than the checksums), says which, and its runs
become pending again: a damaged shard is rerun, never read.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lead_sim.errors import LeadSimError
from lead_sim.runs import checksums
from lead_sim.sensitivity.sampling import DESIGN_KEYS

logger = logging.getLogger(__name__)

RECORD_KEYS = ("run_id", "status", "error", "seconds", "cpu_seconds")
TIMING = ("seconds", "cpu_seconds")
#: What a start killed before it wrote sweep.json can leave in the folder (the lock, an empty
#: shards folder, and the design, which earlier versions wrote before sweep.json).
START_LEFTOVERS = (".lock", "shards", "design.parquet")


def code_version() -> dict[str, str]:
    """The lead_sim release and git commit running now, recorded when a sweep starts."""
    from lead_sim.runs.manifest import git_commit, package_versions

    return {"lead_sim": package_versions()["lead_sim"], "git_commit": git_commit()}


def fingerprint(data: dict[str, Any]) -> str:
    """A stable hash of everything that decides a sweep's numbers."""
    text = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class SweepStore:
    """One sweep folder: created fresh, or reopened to resume the same sweep."""

    def __init__(self, out_dir: str | os.PathLike[str], settings: dict[str, Any],
                 outcomes: tuple[str, ...], factors: list[str]) -> None:
        self.dir = Path(out_dir)
        self.settings = settings
        self.key = fingerprint(settings)
        self.outcomes = outcomes
        self.factors = factors
        self.shards = self.dir / "shards"
        self._lock_handle = None

    # ---- opening --------------------------------------------------------------------------
    def check(self) -> bool:
        """True if the folder holds this sweep already (resume); fail if it holds another."""
        meta = self.dir / "sweep.json"
        if meta.exists():
            stored = self._stored()
            refuse_old_names(stored, self.dir)
            if stored.get("fingerprint") != self.key:
                raise LeadSimError(
                    f"'{self.dir}' holds a different sweep ({self._differences(stored)}). Use "
                    f"a new --out folder, or delete '{self.dir}' to start over.")
            self._probe_lock()
            return True
        if self.dir.exists() and not self._only_start_leftovers():
            raise LeadSimError(f"'{self.dir}' exists and is not a sweep folder; choose an empty "
                               f"or new --out folder.")
        return False

    def _stored(self) -> dict[str, Any]:
        """The folder's sweep.json, refused with a clear message if it cannot be read."""
        meta = self.dir / "sweep.json"
        try:
            stored = json.loads(meta.read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:  # bad JSON or bytes, or unreadable
            raise LeadSimError(
                f"'{meta}' cannot be read as a sweep's record ({exc}); the folder was not "
                f"written by a sweep, or was damaged. Use a new --out folder, or delete "
                f"'{self.dir}' to start over.") from None
        if not isinstance(stored, dict):
            raise LeadSimError(f"'{meta}' is not a sweep's record (a JSON object); use a new "
                               f"--out folder, or delete '{self.dir}' to start over.")
        return stored

    def code_change(self) -> str:
        """A warning if the folder's sweep was started by other lead_sim code ('' if not).

        Not a refusal: most commits change no number, and refusing would throw away hours of
        runs for a documentation fix. But a commit that changed the model would leave the
        folder holding runs of two models, so resuming says which commits are mixed.
        """
        meta = self.dir / "sweep.json"
        if not meta.exists():
            return ""
        started = self._stored().get("code")
        now = code_version()
        dirty = any(c["git_commit"].endswith("-dirty") for c in (started or now, now))
        if not started or (started == now and not dirty):
            return ""
        same = " (uncommitted changes cannot be told apart)" if started == now else ""
        return (f"'{self.dir}' was started with lead_sim {started['lead_sim']} at commit "
                f"{started['git_commit']}; this is {now['lead_sim']} at commit "
                f"{now['git_commit']}{same}. If the model changed in between, the results mix "
                "runs of both: use a new --out folder to be sure.")

    def _probe_lock(self) -> None:
        """Fail now if another process holds the folder's lock (before any output)."""
        lock = self.dir / ".lock"
        if not lock.exists():
            return
        with lock.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LeadSimError(
                    f"Another sweep process is writing into '{self.dir}'.") from None
            fcntl.flock(handle, fcntl.LOCK_UN)

    def _only_start_leftovers(self) -> bool:
        """True if the folder (without sweep.json) holds nothing a sweep needs to keep: at most
        what a start killed before writing sweep.json leaves, and no finished runs. Such a
        folder is started afresh instead of being refused as someone else's."""
        names = [p.name for p in self.dir.iterdir()]
        if not all(n in START_LEFTOVERS or n.startswith(".tmp-") for n in names):
            return False
        return not any(self.shards.glob("part-*.parquet"))

    def _differences(self, stored: dict[str, Any]) -> str:
        """Which settings differ from the sweep stored in the folder, for the refusal."""
        theirs = json.loads(json.dumps(stored.get("settings") or {}, default=str))
        ours = json.loads(json.dumps(self.settings, default=str))
        differs = sorted(k for k in {*theirs, *ours} if theirs.get(k) != ours.get(k))
        if "whole_numbers" in ours and "whole_numbers" not in theirs:
            others = [k for k in differs if k not in ("whole_numbers", "stored_outcomes")]
            return ("written by an older lead_sim, which rounded sampled integer parameters to "
                    "whole numbers another way (end values half as likely); its runs cannot be "
                    "finished with runs mapped the new way"
                    + (f"; it also differs in: {', '.join(others)}" if others else ""))
        if {*theirs} != {*ours} or differs == ["stored_outcomes"]:
            return "written by another version of lead_sim, which stores other results"
        differs = [k for k in differs if k != "stored_outcomes"]  # they follow from the rest
        if not differs:
            return "another scenario, parameters, method, sample size, population, years or seed"
        return "it differs in: " + ", ".join(differs)

    def open(self, design: pd.DataFrame) -> None:
        """Create the folder (or reopen it), take the lock, and write sweep.json and the design.

        sweep.json is written first: a folder holding it is recognised as this sweep, so a start
        killed before the design is on disk is finished by the next one, which writes it then.
        A design found without sweep.json is a leftover of such a start and is written anew.
        """
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock()
        for stale in (*self.dir.glob(".tmp-*"), *self.shards.glob(".tmp-*")):
            stale.unlink(missing_ok=True)  # left by a process killed mid-write
        meta_path = self.dir / "sweep.json"
        fresh = not meta_path.exists()
        if fresh:
            meta = {"fingerprint": self.key, "settings": self.settings, "code": code_version()}
            _atomic(meta_path,
                    lambda p: p.write_text(json.dumps(meta, indent=2, default=str) + "\n"))
        self.shards.mkdir(exist_ok=True)
        if fresh or not (self.dir / "design.parquet").exists():
            _atomic(self.dir / "design.parquet", lambda p: design.to_parquet(p, index=False))
        self.verify()

    def _lock(self) -> None:
        """Hold the folder's lock until :meth:`close`, so two processes never fill it at once."""
        handle = (self.dir / ".lock").open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise LeadSimError(f"Another sweep process is writing into '{self.dir}'.") from None
        self._lock_handle = handle

    def close(self) -> None:
        if self._lock_handle is not None:
            self._lock_handle.close()
            self._lock_handle = None

    def design(self) -> pd.DataFrame:
        return pd.read_parquet(self.dir / "design.parquet")

    # ---- finished runs --------------------------------------------------------------------
    def shard_files(self) -> list[Path]:
        return sorted(self.shards.glob("part-*.parquet"))

    def verify(self) -> list[Path]:
        """Set aside every shard that fails its check; return where they went.

        A shard fails if its bytes do not match the digest in its name (altered, truncated,
        zero-byte, a flipped bit), if it has no digest (an older lead_sim wrote it: it cannot
        be checked, so it is rerun rather than trusted), or if it cannot be read as this
        sweep's records. Each is named in a warning; its runs are then missing, so the sweep
        runs them again.
        """
        moved = []
        for path in self.shard_files():
            problem = self._shard_problem(path)
            if problem:
                target = checksums.set_aside(path, f"{path.name}: {problem}")
                logger.warning("Shard %s %s; moved to %s, and its runs will be run again.",
                               path, problem, target)
                moved.append(target)
        return moved

    def _shard_problem(self, path: Path) -> str:
        """Why a shard cannot be used ('' if it can)."""
        if checksums.named_digest(path) is None:
            return ("has no checksum in its name (written by an older lead_sim), so it cannot "
                    "be checked")
        if not checksums.matches_name(path):
            size = path.stat().st_size if path.exists() else 0
            return (f"does not match the checksum in its name ({size} bytes: altered, "
                    "truncated or damaged)")
        try:
            columns = pd.read_parquet(path).columns
        except Exception as exc:
            return f"cannot be read ({type(exc).__name__}: {exc})"
        missing = [c for c in (*RECORD_KEYS, *self.factors, *self.outcomes) if c not in columns]
        return f"lacks the columns {', '.join(missing)}" if missing else ""

    def records(self) -> pd.DataFrame:
        """All finished runs in the shards, one per run_id (a success wins over a failure)."""
        files = self.shard_files()
        columns = [*RECORD_KEYS, *self.factors, *self.outcomes]
        if not files:
            return pd.DataFrame({c: pd.Series(dtype=float) for c in columns})
        frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        frame["_ok"] = frame["status"] == "ok"
        frame = frame.sort_values(["run_id", "_ok"], kind="stable")
        frame = frame.drop_duplicates("run_id", keep="last")
        return frame.drop(columns="_ok").reset_index(drop=True)

    def pending(self, design: pd.DataFrame, retry_failed: bool = False) -> np.ndarray:
        """Run ids of the design not yet finished (and failed ones, if ``retry_failed``)."""
        records = self.records()
        keep = records if not retry_failed else records[records["status"] == "ok"]
        done = set(keep["run_id"].astype(int))
        return np.array([r for r in design["run_id"] if int(r) not in done], dtype=np.int64)

    def writer(self, shard_size: int = 50, flush_seconds: float = 20.0) -> ShardWriter:
        return ShardWriter(self, shard_size, flush_seconds)

    def write_shard(self, records: list[dict[str, Any]]) -> None:
        columns = [*RECORD_KEYS, *self.factors, *self.outcomes]
        frame = pd.DataFrame.from_records(records, columns=columns)
        for name in (*self.factors, *self.outcomes, *TIMING):
            frame[name] = frame[name].astype(float)
        frame["error"] = frame["error"].astype(str)
        stem = f"part-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
        _atomic_signed(self.shards, stem, ".parquet", lambda p: frame.to_parquet(p, index=False))

    def results(self) -> pd.DataFrame:
        """Every run of the design with its status and outcomes, sorted by run_id.

        Timing columns are left out, so an interrupted-and-resumed sweep gives a table equal to
        an uninterrupted one. Call :meth:`verify` first (the engine does, and reruns what it
        sets aside): records() reads the shards as they are.
        """
        design = self.design()[list(DESIGN_KEYS)]
        records = self.records().drop(columns=list(TIMING), errors="ignore")
        table = design.merge(records, on="run_id", how="left")
        table["status"] = table["status"].fillna("missing")
        table["error"] = table["error"].fillna("")
        return table.sort_values("run_id").reset_index(drop=True)


SLOW_GROUP_SECONDS = 1.0  # groups this far apart are written as they come


class ShardWriter:
    """Buffers finished runs and writes them as a shard every ``shard_size`` runs or
    ``flush_seconds``, or at once when runs are slow.

    A group of runs that arrives :data:`SLOW_GROUP_SECONDS` or more after the previous one is
    written straight away: a shard then costs little next to the runs, and a ``kill -9`` loses
    only the groups still running. Fast runs (test functions) are batched into fewer files.
    """

    def __init__(self, store: SweepStore, shard_size: int, flush_seconds: float) -> None:
        self.store = store
        self.shard_size = shard_size
        self.flush_seconds = flush_seconds
        self.buffer: list[dict[str, Any]] = []
        self.last = self.last_group = time.monotonic()

    def add(self, records: list[dict[str, Any]]) -> None:
        """Take one finished group's records."""
        now = time.monotonic()
        slow = now - self.last_group >= SLOW_GROUP_SECONDS
        self.last_group = now
        self.buffer.extend(records)
        if slow or len(self.buffer) >= self.shard_size or now - self.last >= self.flush_seconds:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.store.write_shard(self.buffer)
            self.buffer = []
        self.last = time.monotonic()

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()  # also on errors and Ctrl-C: finished runs are never thrown away


def _atomic_signed(folder: Path, stem: str, suffix: str, write) -> Path:
    """Write via a temporary file, then rename it to ``<stem>-<digest><suffix>``, the digest
    being that of the bytes written: the file appears whole, with its checksum, or not at all."""
    tmp = folder / f".tmp-{uuid.uuid4().hex}-{stem}{suffix}"
    try:
        write(tmp)
        path = folder / checksums.name_with_digest(stem, tmp.read_bytes(), suffix)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _atomic(path: Path, write) -> None:
    """Write via a temporary file in the same folder and rename: the file is whole or absent."""
    tmp = path.parent / f".tmp-{uuid.uuid4().hex}-{path.name}"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def refuse_old_names(stored: dict[str, Any], folder: Path) -> None:
    """Refuse a folder started before outcome names were identifier-safe (``diff:NAME``, now
    ``diff_NAME``): its shards hold the old columns, which this lead_sim neither resumes nor
    analyses."""
    settings = stored.get("settings")
    names = settings.get("stored_outcomes", []) if isinstance(settings, dict) else []
    if any(str(name).startswith("diff:") for name in names):
        raise LeadSimError(
            f"'{folder}' holds a sweep of an older lead_sim, whose paired outcomes were named "
            "'diff:NAME'; they are now 'diff_NAME', and this version cannot resume or "
            "re-analyse it. Run the sweep again into a new --out folder. Its runs.csv and "
            "indices.csv stay readable: in pandas, rename the old columns with "
            "df.rename(columns=lambda c: c.replace('diff:', 'diff_')).")
