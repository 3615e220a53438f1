"""What a request will cost, and the limits that refuse one beyond reason for this machine.

Every verb that simulates (run, compare, validate, sweep, calibrate) estimates, before its first
run, the memory it will hold and the CPU time it will take, and refuses at once, with the
figures, a request that needs more memory than the machine has available or more than a day of
CPU time, unless ``--force`` is given. ``--workers`` above the CPUs this process may use is
refused the same way: each worker is a whole Python process (about 300 MB) and more workers than
cores only share them.

The figures are estimates from measured constants (below, with how each was measured); they
are meant to tell a request of minutes from one of weeks, not to time a run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lead_sim.errors import LeadSimError

MB = 1024 * 1024

#: CPU seconds per person-day of the compiled daily core: `lead-sim bench --population 50000
#: --years 10` (king_county) on one core of an idle 2-core VM ran 84 million person-days/s
#: (2.2 s; README, Performance). On the same machine loaded by other work it measured 19 ns.
CPU_SECONDS_PER_PERSON_DAY = 12e-9
#: CPU seconds per simulated day whatever the population (the day's fixed work: officers,
#: case managers, the ledger): `lead-sim bench --population 1000 --years 10` (README).
CPU_SECONDS_PER_DAY = 36e-6
#: Memory a run keeps per replicate-year of daily time series (run and compare keep every
#: replicate's series to write timeseries.csv): peak RSS of `run("king_county", reps=40,
#: years=10, population=1000)` plus its write, minus that of reps=1, over 390 replicate-years:
#: 0.32 MB (Python 3.12, pandas 2; the series DataFrame alone is 0.12 MB, the rest is the
#: concatenation and the CSV writer's copies).
SERIES_BYTES_PER_REPLICATE_YEAR = int(0.33 * MB)
#: Resident memory of one process with lead_sim and its compiled core loaded (the main process
#: and each worker): 305 to 312 MB measured with the measurements above.
PROCESS_BYTES = 310 * MB
#: Model state per person while a replicate runs: peak RSS 2.8 GB during one replicate of
#: `compare king_county pilot_2011 --population 5000000`, less one process: about 515 bytes.
PERSON_BYTES = 600
#: The most CPU time a request may need without --force.
MAX_CPU_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Estimate:
    """What a request will take: simulations, CPU seconds and peak memory (bytes)."""

    simulations: int
    cpu_seconds: float
    memory_bytes: int
    workers: int

    @property
    def wall_seconds(self) -> float:
        """CPU time spread over the workers that can be busy at once."""
        return self.cpu_seconds / max(1, min(self.workers, self.simulations, cpu_count()))

    def describe(self) -> str:
        return (f"{self.simulations:,} simulation(s), about {_duration(self.cpu_seconds)} of "
                f"CPU time ({_duration(self.wall_seconds)} on {self.workers} worker(s)) and "
                f"{_size(self.memory_bytes)} of memory")


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity mask where the system has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def available_memory() -> int | None:
    """Memory the system can give without swapping (bytes), or None if it cannot be told."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:
        pass
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_workers(workers: int, force: bool = False, flag: str = "--workers") -> None:
    """Refuse more worker processes than CPUs, unless forced."""
    cpus = cpu_count()
    if workers > cpus and not force:
        raise LeadSimError(
            f"{flag} {workers} is more than the {cpus} CPU(s) this machine gives lead_sim: each "
            f"worker is a process of about {_size(PROCESS_BYTES)} and more than {cpus} only "
            f"share the same cores. Use {flag} {cpus} or fewer, or add --force.")


def estimate(simulations: int, days: int, population: int, workers: int = 1,
             series_replicate_years: float = 0.0) -> Estimate:
    """The cost of ``simulations`` runs of ``days`` days of ``population`` people on
    ``workers`` processes, keeping ``series_replicate_years`` of daily series in memory."""
    cpu = simulations * days * (population * CPU_SECONDS_PER_PERSON_DAY + CPU_SECONDS_PER_DAY)
    processes = 1 + (workers if workers > 1 else 0)
    running = max(1, min(workers, simulations))
    memory = (processes * PROCESS_BYTES + running * population * PERSON_BYTES
              + series_replicate_years * SERIES_BYTES_PER_REPLICATE_YEAR)
    return Estimate(simulations, cpu, int(memory), workers)


def check_estimate(cost: Estimate, force: bool = False, verb: str = "this command") -> None:
    """Refuse a request beyond reason for this machine (more memory than available, or more
    than a day of CPU time), with its figures, unless forced."""
    if force:
        return
    problems = []
    free = available_memory()
    if free is not None and cost.memory_bytes > free:
        problems.append(f"{_size(cost.memory_bytes)} of memory, more than the "
                        f"{_size(free)} this machine has available")
    if cost.cpu_seconds > MAX_CPU_SECONDS:
        problems.append(f"about {_duration(cost.cpu_seconds)} of CPU time, more than "
                        f"{_duration(MAX_CPU_SECONDS)}")
    if problems:
        raise LeadSimError(
            f"{verb} would need {' and '.join(problems)} ({cost.describe()}). Ask for fewer "
            "replicates, people, years or samples, or add --force to run it anyway. Nothing "
            "was run.")


def _size(n: float) -> str:
    return f"{n / 1024**3:,.1f} GB" if n >= 1024**3 else f"{n / MB:,.0f} MB"


def _duration(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:,.1f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:,.1f} hours"
    if seconds >= 120:
        return f"{seconds / 60:,.0f} minutes"
    return f"{seconds:,.0f} s"
