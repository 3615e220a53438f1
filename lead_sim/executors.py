"""Where replicate runs execute: in this process, a local process pool, or a Dask cluster.

Every executor runs the same picklable function on the same tasks, so the numbers do not depend
on where they ran (each task carries its own seed). Results are yielded as they finish, with the
task's position, so callers can stream them to disk and show progress.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from lead_sim.errors import LeadSimError

EXECUTORS = ("serial", "local", "dask")


def run_tasks(fn: Callable[[Any], Any], tasks: Sequence[Any], executor: str = "local",
              workers: int = 1, scheduler: str | None = None) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, fn(tasks[index]))`` as each task finishes."""
    if executor not in EXECUTORS:
        raise LeadSimError(f"Unknown executor '{executor}'; allowed: {', '.join(EXECUTORS)}.")
    if workers < 1:
        raise LeadSimError(f"--workers must be at least 1; got {workers}.")
    if executor == "serial" or (executor == "local" and (workers == 1 or len(tasks) <= 1)):
        for i, task in enumerate(tasks):
            yield i, fn(task)
    elif executor == "local":
        yield from _local(fn, tasks, workers)
    else:
        yield from _dask(fn, tasks, workers, scheduler)


def _local(fn, tasks, workers) -> Iterator[tuple[int, Any]]:
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(fn, task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _dask(fn, tasks, workers, scheduler) -> Iterator[tuple[int, Any]]:
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise LeadSimError(f"Cannot reach the Dask scheduler at {scheduler}: {exc}.") from None
    try:
        futures = [client.submit(fn, task, pure=False) for task in tasks]
        index = {f.key: i for i, f in enumerate(futures)}
        for future in dask_completed(futures):
            yield index[future.key], future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
