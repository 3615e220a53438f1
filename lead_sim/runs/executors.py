"""Where replicate runs execute: in this process, a local process pool, or a Dask cluster.

Every executor runs the same picklable function on the same tasks, so the numbers do not depend
on where they ran (each task carries its own seed). Results are yielded as they finish, with the
task's position, so callers can stream them to disk and show progress.

Only a bounded window of tasks is in flight at a time (a few per worker), and a result is
dropped by the executor as soon as it is yielded, so memory stays flat however many tasks a
sweep has, and stopping the consumer (Ctrl-C, an error) leaves little queued work to cancel.
When the consumer stops early, the local pool's workers are terminated rather than waited for,
so Ctrl-C returns at once instead of after the tasks in flight (a finished task is never
lost: it has already been yielded).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import resource_tracker
from typing import Any

from lead_sim.errors import LeadSimError
from lead_sim.runs.warmup import is_warm, warm_up

EXECUTORS = ("serial", "local", "dask")
IN_FLIGHT_PER_WORKER = 4


def run_tasks(fn: Callable[[Any], Any], tasks: Sequence[Any], executor: str = "local",
              workers: int = 1, scheduler: str | None = None) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, fn(tasks[index]))`` as each task finishes."""
    if executor not in EXECUTORS:
        raise LeadSimError(f"Unknown executor '{executor}'; allowed: {', '.join(EXECUTORS)}.")
    if workers < 1:
        raise LeadSimError(f"--workers must be at least 1; got {workers}.")
    compile_first(executor, scheduler)
    if executor == "serial" or (executor == "local" and (workers == 1 or len(tasks) <= 1)):
        for i, task in enumerate(tasks):
            yield i, fn(task)
    elif executor == "local":
        yield from _local(fn, tasks, workers)
    else:
        yield from _dask(fn, tasks, workers, scheduler)


class Session:
    """One executor kept open for several batches of tasks (an optimiser's generations).

    A batch's tasks depend on the previous batch's results, so each is a call of
    :meth:`run`; between them the local pool's worker processes or the Dask cluster stay up,
    and with them whatever a worker keeps in memory between tasks (a simulated history, say).
    Use as a context manager: leaving it early (Ctrl-C, an error) terminates the workers.
    """

    def __init__(self, executor: str = "local", workers: int = 1,
                 scheduler: str | None = None) -> None:
        if executor not in EXECUTORS:
            raise LeadSimError(f"Unknown executor '{executor}'; allowed: {', '.join(EXECUTORS)}.")
        if workers < 1:
            raise LeadSimError(f"--workers must be at least 1; got {workers}.")
        self.executor, self.workers, self.scheduler = executor, workers, scheduler
        self._pool: ProcessPoolExecutor | None = None
        self._client = self._cluster = None

    def __enter__(self) -> Session:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self._pool is not None:
            if exc_type is not None:
                _terminate(self._pool)
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def run(self, fn: Callable[[Any], Any], tasks: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, fn(tasks[index]))`` as each task of the batch finishes."""
        compile_first(self.executor, self.scheduler)
        if self.executor == "serial" or (self.executor == "local" and self.workers == 1):
            for i, task in enumerate(tasks):
                yield i, fn(task)
        elif self.executor == "local":
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("forkserver"),
                    initializer=_init_worker, initargs=(os.getpid(),))
            yield from _windowed(self._pool.submit, fn, tasks, self.workers * IN_FLIGHT_PER_WORKER)
        else:
            if self._client is None:
                self._client, self._cluster = _dask_client(self.workers, self.scheduler)
            yield from _dask_batch(self._client, fn, tasks, self.workers)


def compile_first(executor: str, scheduler: str | None) -> None:
    """Compile the simulation core now if its cache is cold, sharing the work with a helper
    process (:func:`lead_sim.runs.warmup.warm_up`): a single run compiles faster so, and
    worker processes then load it from the cache instead of each compiling it at once.
    Not for a remote Dask scheduler, whose workers keep caches of their own."""
    if executor == "dask" and scheduler:
        return
    if not is_warm():
        warm_up()


def _windowed(submit: Callable[..., Any], fn: Callable[[Any], Any], tasks: Sequence[Any],
              window: int) -> Iterator[tuple[int, Any]]:
    """Keep at most ``window`` tasks in flight; yield each result as it finishes."""
    pending: dict = {}
    next_task = 0
    while pending or next_task < len(tasks):
        while next_task < len(tasks) and len(pending) < window:
            pending[submit(fn, tasks[next_task])] = next_task
            next_task += 1
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            yield pending.pop(future), future.result()


def check_scheduler(scheduler: str) -> None:
    """Fail with a clear message if the Dask scheduler cannot be reached (before any work)."""
    _connect(scheduler).close()


def _connect(scheduler: str) -> Any:
    """A Dask client of the scheduler at ``scheduler``; an address that is malformed
    (``localhost:abc``, an unknown scheme) or unreachable is an input error."""
    from dask.distributed import Client

    try:
        return Client(scheduler, timeout="10s")
    except (OSError, ValueError, TypeError) as exc:
        raise LeadSimError(f"Cannot reach the Dask scheduler at {scheduler}: {exc}. Give an "
                           "address such as tcp://HOST:8786 (dask scheduler prints it).") from None


def _init_worker(parent: int, log_level: int = logging.NOTSET) -> None:
    """Set up a pool worker: Ctrl-C is the coordinator's to handle, and exit with it.

    A terminal's Ctrl-C reaches every process in the foreground group; a worker that took it
    would print a KeyboardInterrupt traceback and its task would be lost in a half-shut pool.
    Workers ignore SIGINT instead, and the coordinator terminates them when it stops.
    When the coordinator shows the ``lead_sim`` logger's records (a command sets its level),
    the worker prints its own on stderr at that level: a worker compiling the core says so.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if log_level != logging.NOTSET:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("lead-sim: %(message)s"))
        logging.getLogger("lead_sim").setLevel(log_level)
        logging.getLogger("lead_sim").addHandler(handler)
    _exit_with(parent)


def dask_setup(worker: Any) -> None:
    """Dask's preload hook, run in each worker of the local Dask cluster as it starts: ignore
    SIGINT there too, for the reason given in :func:`_init_worker` (the coordinator closes the
    cluster when it stops), and keep the runs that closing cancels out of the log."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger("distributed.worker.state_machine").addFilter(_not_a_cancelled_run)
    logging.getLogger("distributed.worker").addFilter(_not_a_cancelled_run)


def _not_a_cancelled_run(record: logging.LogRecord) -> bool:
    """Drop what a worker logs about the runs still going when the cluster closes.

    After Ctrl-C the sweep keeps its finished runs and says so; a warning per abandoned run,
    or a traceback from a worker still busy when its scheduler went away, only looks like an
    error. Only the local cluster's workers, which close with the sweep, load this filter.
    """
    message = record.getMessage()
    return ("ended with CancelledError" not in message
            and "Failed to communicate with scheduler" not in message)


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold Ctrl-C back while a local Dask cluster starts, and keep it from its workers.

    The workers are started from threads the cluster creates here, and a new thread and a
    new process inherit the signals their creator blocks. With SIGINT blocked meanwhile, a
    Ctrl-C in the first seconds no longer reaches workers still importing (each printed a
    KeyboardInterrupt traceback, and closing a cluster whose worker had died that way raised
    another). Threads started earlier (a progress bar's monitor) can still take the signal,
    so its handler only notes it meanwhile; once the cluster is up, the handler in place
    before is given it, and the sweep stops as after any Ctrl-C, closing the cluster.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread handles signals
        return
    # multiprocessing's resource tracker, started on first use, unblocks SIGINT in the thread
    # that starts it, which would be the cluster's: start it now, before blocking.
    resource_tracker.ensure_running()
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pressed.append(signum))
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a pending one runs now
        signal.signal(signal.SIGINT, previous)
    if pressed:
        if callable(previous):
            previous(signal.SIGINT, None)  # raises KeyboardInterrupt (the CLI's or Python's)
        elif previous == signal.SIG_DFL:
            raise KeyboardInterrupt


def _exit_with(parent: int) -> None:
    """In a pool worker: exit when the process that started the pool is gone.

    A coordinator killed with SIGKILL cannot shut its pool down, and the workers would wait
    for work forever; this watch ends them within a second or so.
    """

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def _local(fn: Callable[[Any], Any], tasks: Sequence[Any],
           workers: int) -> Iterator[tuple[int, Any]]:
    context = multiprocessing.get_context("forkserver")
    window = workers * IN_FLIGHT_PER_WORKER
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                               initializer=_init_worker,
                               initargs=(os.getpid(), logging.getLogger("lead_sim").level))
    finished = False
    try:
        yield from _windowed(pool.submit, fn, tasks, window)
        finished = True
    finally:
        if not finished:
            _terminate(pool)
        pool.shutdown(wait=True, cancel_futures=True)


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's workers now, abandoning the runs in flight.

    ``shutdown(cancel_futures=True)`` cancels only queued tasks and then waits for the running
    ones, which can take minutes; the consumer has stopped (Ctrl-C, SIGTERM, an error) and
    will not read their results. Once the workers are gone, the pool's manager thread sees
    them die and winds down, so the ``shutdown`` that follows returns promptly.
    ``ProcessPoolExecutor.terminate_workers`` does this from Python 3.14 on.
    """
    for process in list((pool._processes or {}).values()):
        if process.is_alive():
            process.terminate()


def _dask(fn, tasks, workers, scheduler) -> Iterator[tuple[int, Any]]:
    cluster = client = None
    try:
        client, cluster = _dask_client(workers, scheduler)
        yield from _dask_batch(client, fn, tasks, workers)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


def _dask_client(workers: int, scheduler: str | None) -> tuple[Any, Any]:
    """A client of the cluster at ``scheduler``, or of a new local one (client, cluster)."""
    from dask.distributed import Client, LocalCluster

    if scheduler is not None:
        return _connect(scheduler), None
    with _sigint_held():
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, preload=[__name__])
    return Client(cluster), cluster


def _dask_batch(client, fn, tasks, workers) -> Iterator[tuple[int, Any]]:
    from dask.distributed import as_completed as dask_completed

    # A cluster's size is known only once connected: keep a few tasks per worker thread
    # queued so remote workers never idle, but never the whole sweep.
    threads = sum(client.nthreads().values()) or workers
    window = max(threads, workers) * IN_FLIGHT_PER_WORKER
    index: dict[str, int] = {}
    next_task = 0
    stream = dask_completed()
    while next_task < len(tasks) and len(index) < window:
        future = client.submit(fn, tasks[next_task], pure=False)
        index[future.key] = next_task
        stream.add(future)
        next_task += 1
    for future in stream:
        i = index.pop(future.key)
        result = future.result()
        future.release()
        yield i, result
        if next_task < len(tasks):
            new = client.submit(fn, tasks[next_task], pure=False)
            index[new.key] = next_task
            stream.add(new)
            next_task += 1
