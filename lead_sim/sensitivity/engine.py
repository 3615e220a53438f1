"""Running a sweep: the missing runs of the design, on any executor, streamed into the store.

:func:`run_sweep` is the one entry point (the CLI and the tests call it). It checks the output
folder, writes the design, runs only what is missing, and then analyses and reports. A run that
raises is recorded as failed, with its error and parameters, and the sweep goes on.
"""

from __future__ import annotations

import contextlib
import functools
import os
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lead_sim.runs.atomic import out_lock
from lead_sim.runs.executors import check_scheduler, run_tasks
from lead_sim.sensitivity.sampling import applied_values, design
from lead_sim.sensitivity.spec import SweepSpec, runs_per_sample
from lead_sim.sensitivity.store import SweepStore
from lead_sim.sensitivity.targets import LeadTarget

Target = Callable[[dict[str, Any], int], dict[str, float]]

# Runs sent to a worker together at most: a bigger group shares a little more history, but an
# interrupted sweep loses the groups in flight, and a cluster has fewer tasks to spread.
MAX_GROUP_RUNS = 12
# Times the runs of shards that fail their check after a round are run again before giving up
# (a disk that damages every shard it is given would otherwise loop for ever).
VERIFY_ROUNDS = 3


@dataclass
class SweepRun:
    """What one invocation did: runs total, already done, run now, failed; time; folder."""

    out_dir: Path
    total: int
    resumed: int
    ran: int
    failed: int
    seconds: float

    @property
    def runs_per_second(self) -> float:
        return self.ran / self.seconds if self.seconds > 0 else float("nan")


class TaskGroups(Sequence):
    """The pending runs in groups of ``(run_id, values, seed)`` tasks, built when submitted.

    A group holds pending runs of one base sample (a Sobol block, a Morris trajectory) and one
    replicate, at most :data:`MAX_GROUP_RUNS` of them: they share a seed and most parameter
    values, so the target can simulate their common history once
    (:meth:`LeadTarget.run_rows`). A group is the unit of work sent to a worker. Holding the
    design's arrays rather than task objects keeps the runner's memory flat for sweeps of any
    size.
    """

    def __init__(self, spec: SweepSpec, table: pd.DataFrame, run_ids: np.ndarray) -> None:
        self.spec = spec
        by_id = table.set_index("run_id").loc[run_ids]
        self.run_ids = np.asarray(run_ids)
        self.seeds = by_id["seed"].to_numpy(np.int64)
        self.values = by_id[spec.names].to_numpy(float)
        block = by_id["row"].to_numpy() // block_size(spec)
        keys = block * spec.reps + by_id["rep"].to_numpy()
        order = np.argsort(keys, kind="stable")
        starts = np.flatnonzero(np.diff(keys[order], prepend=-1))
        blocks = np.split(order, starts[1:]) if len(order) else []
        self.groups = [part for b in blocks
                       for part in np.array_split(b, -(-len(b) // MAX_GROUP_RUNS))]

    @property
    def runs(self) -> int:
        """Number of pending runs (``len()`` counts groups)."""
        return len(self.run_ids)

    def __len__(self) -> int:
        return len(self.groups)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return [self._task(k) for k in self.groups[i]]

    def _task(self, k: int) -> tuple[int, dict[str, Any], int]:
        raw = dict(zip(self.spec.names, self.values[k].tolist(), strict=True))
        return int(self.run_ids[k]), applied_values(self.spec, raw), int(self.seeds[k])


def block_size(spec: SweepSpec) -> int:
    """Sample rows that share most values: a Sobol block (A, the AB columns, B) or a Morris
    trajectory. FAST and LHS rows share none, so each is its own block."""
    if spec.method in ("sobol", "morris"):
        return runs_per_sample(spec.method, 1, len(spec.factors), spec.options)
    return 1


def evaluate_group(target: Target, group: list[tuple[int, dict[str, Any], int]]
                   ) -> list[dict[str, Any]]:
    """Run a group of tasks and return their records; an exception becomes 'failed' records.

    A target with ``run_rows`` runs the group together (shared history simulated once); the
    group's time is then split equally among its runs. If that fails, each run is retried
    alone, so a failure is recorded against the run that raised it.
    """
    seeds = {seed for _, _, seed in group}
    if len(group) == 1 or len(seeds) > 1 or not hasattr(target, "run_rows"):
        return [evaluate(target, task) for task in group]
    start, cpu = time.perf_counter(), time.process_time()
    try:
        outcomes = target.run_rows([values for _, values, _ in group], seeds.pop())
        seconds = (time.perf_counter() - start) / len(group)
        cpu_seconds = (time.process_time() - cpu) / len(group)
        return [{"run_id": run_id, "status": "ok", "error": "", "seconds": seconds,
                 "cpu_seconds": cpu_seconds, **values, **out}
                for (run_id, values, _), out in zip(group, outcomes, strict=True)]
    except Exception:  # retried run by run, so the failure lands on the run that raised it
        return [evaluate(target, task) for task in group]


def evaluate(target: Target, task: tuple[int, dict[str, Any], int]) -> dict[str, Any]:
    """Run one task and return its record; an exception becomes a 'failed' record."""
    run_id, values, seed = task
    start, cpu = time.perf_counter(), time.process_time()
    try:
        outcomes, status, error = target(values, seed), "ok", ""
    except Exception as exc:  # recorded, not raised: one bad corner must not stop a sweep
        outcomes, status = {}, "failed"
        where = " | ".join(line.strip() for line in traceback.format_exc(limit=3).splitlines())
        error = f"{type(exc).__name__}: {exc} | {where[-400:]}"  # one line: one CSV cell
    return {"run_id": run_id, "status": status, "error": error,
            "seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
            **values, **outcomes}


def stored_outcomes(spec: SweepSpec, target: Target) -> tuple[str, ...]:
    """The outcomes each run stores: all a lead_sim run gives, or the spec's for a test target."""
    return tuple(getattr(target, "outcomes", spec.outcomes))


def settings(spec: SweepSpec, target: Target) -> dict[str, Any]:
    """What decides the stored numbers (for the resume fingerprint): the spec, the outcomes
    each run stores (a lead_sim version that stores others cannot resume the folder), and a
    test target's own settings."""
    data = {**spec.fingerprint_data(), "stored_outcomes": list(stored_outcomes(spec, target))}
    if not isinstance(target, LeadTarget):
        data["target"] = repr(target)
    return data


def open_store(spec: SweepSpec, out_dir: str | os.PathLike[str],
               target: Target) -> SweepStore:
    """Check the folder before anything runs (a different sweep there is an input error)."""
    store = SweepStore(out_dir, settings(spec, target), stored_outcomes(spec, target),
                       spec.names)
    store.check()
    return store


def run_sweep(spec: SweepSpec, out_dir: str | os.PathLike[str], *, target: Target | None = None,
              executor: str = "local", workers: int = 1, scheduler: str | None = None,
              shard_size: int = 50, retry_failed: bool = False,
              progress: bool = True, report: bool = True) -> SweepRun:
    """Run (or finish) a sweep into ``out_dir``, then analyse it and write the report."""
    target = target if target is not None else LeadTarget.from_spec(spec)
    store = open_store(spec, out_dir, target)
    if executor == "dask" and scheduler:
        check_scheduler(scheduler)  # before anything is written
    table = design(spec)
    # held until the report is in place, which replaces the folder (runs.io): no other sweep
    # may add shards to it in between
    with out_lock(out_dir):
        store.open(table)  # sets aside damaged shards: their runs are pending again
        try:
            start = time.perf_counter()
            ran = failed = 0
            resumed = len(table) - len(store.pending(table, retry_failed))
            for _ in range(VERIFY_ROUNDS):
                tasks = TaskGroups(spec, table, store.pending(table, retry_failed))
                ran += tasks.runs
                failed += _execute(store, target, tasks, executor, workers, scheduler,
                                   shard_size, progress)
                # checked again before the analysis reads them; what fails now is rerun
                if not store.verify():
                    break
            seconds = time.perf_counter() - start
        finally:
            store.close()
        summary = SweepRun(store.dir, len(table), resumed, ran, failed, seconds)
        if report:
            from lead_sim.sensitivity.report import write_outputs

            write_outputs(spec, store, summary)
    return summary


def _execute(store: SweepStore, target: Target, tasks: TaskGroups, executor: str, workers: int,
             scheduler: str | None, shard_size: int, progress: bool) -> int:
    from lead_sim.runs.progress import progress_bar

    fn = functools.partial(evaluate_group, target)
    failed = 0
    bar = progress_bar(tasks.runs, "sweep", "run", enabled=progress, smoothing=0.05)
    # closing() stops the executor (terminating its workers) before the writer's last flush,
    # also when Ctrl-C lands here between results rather than inside the executor's wait
    finished = run_tasks(fn, tasks, executor, workers, scheduler)  # records of each group
    with bar, store.writer(shard_size) as writer, contextlib.closing(finished):
        for _, records in finished:
            writer.add(records)
            failed += sum(record["status"] != "ok" for record in records)
            if failed:  # before the update, so the line it may print counts them
                bar.set_postfix(failed=failed, refresh=False)
            bar.update(len(records))
    return failed
